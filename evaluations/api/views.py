"""The API's views. Each resolves what the URL names through the same helpers the pages
use (`visible_or_404`, `periods_of`, `opd_history`, `exports.result_records`,
`reports.kabupaten_data`), so a user gets exactly what the pages show them and a 404 for
the rest; every request is logged (one line on the "evaluations.api" logger: account,
token or session, method, path, status, time)."""

import logging
import time

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView, ListAPIView, RetrieveAPIView
from rest_framework.response import Response

from opd.models import OPD, Pemda
from opd.permissions import is_pemda_staff, visible_or_404

from ..models import Instrument, Score
from ..services import exports
from ..services import scores as score_service
from ..services.reports import kabupaten_data, kabupaten_years
from ..views.periods import opd_history, periods_of, results_period, whole_number
from . import serializers as s
from .permissions import SignedIn

logger = logging.getLogger("evaluations.api")

ZONES = ("merah", "kuning", "hijau")
STATUSES = ("proses", "sementara", "final")

TAHUN = OpenApiParameter("tahun", int, description="year of the period")
TRIWULAN = OpenApiParameter("triwulan", int, description="quarter 1–4 (empty: the yearly period)")
ORDERING = OpenApiParameter("ordering", str, description="field to order by, '-' for descending")
ZONA = OpenApiParameter("zona", str, enum=list(ZONES))
STATUS = OpenApiParameter("status", str, enum=list(STATUSES))


class Logged:
    # One log line per request, with the request's time.

    def initial(self, request, *args, **kwargs):
        self._started = time.monotonic()
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        user = getattr(request, "user", None)
        started = getattr(self, "_started", None)
        logger.info(
            "api %s %s %s user=%s auth=%s ms=%s",
            request.method,
            request.get_full_path(),
            response.status_code,
            user.get_username() if user is not None and user.is_authenticated else "-",
            "token" if isinstance(getattr(request, "auth", None), Token) else "session",
            "-" if started is None else round((time.monotonic() - started) * 1000),
        )
        return response


def number_param(request, name, low, high):
    """A whole number from the query (?tahun=2025), None when absent; 400 otherwise."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    value = whole_number(raw)
    if value is None or not low <= value <= high:
        raise ValidationError(
            {name: _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}}
        )
    return value


def choice_param(request, name, choices):
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if raw not in choices:
        raise ValidationError(
            {name: _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}}
        )
    return raw


def order(rows, request, allowed, key=lambda row, field: row[field]):
    """Rows ordered by ?ordering=field or -field (empty values last)."""
    raw = request.query_params.get("ordering")
    if raw in (None, ""):
        return rows
    field = raw.removeprefix("-")
    if field not in allowed:
        raise ValidationError(
            {"ordering": _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)}}
        )
    present = [r for r in rows if key(r, field) is not None]
    empty = [r for r in rows if key(r, field) is None]
    present.sort(key=lambda r: key(r, field), reverse=raw.startswith("-"))
    return present + empty


def pemda_or_404(request, kode):
    return visible_or_404(Pemda, request.user, kode=kode)


def period_or_404(request, pemda):
    """The period named by ?tahun=[&triwulan=], else the one the figure pages show by
    default (the period under evaluation, else the newest with figures)."""
    periods = periods_of(pemda, request.user)
    year = number_param(request, "tahun", 1900, 2999)
    quarter = number_param(request, "triwulan", 1, 4)
    if year is None:
        period = results_period(periods)
    else:
        period = next((p for p in periods if p.tahun == year and p.triwulan == quarter), None)
    if period is None:
        raise Http404("Periode tidak ditemukan")
    return period


def text(value):
    return None if value is None else str(value)


def figures(record):
    return {
        "indeks": text(record["indeks"]),
        "predikat": record["predikat"],
        "zona": record["zona"],
        "peringkat": record["peringkat"],
        "status": record["status"],
        "aspek": {str(k): text(v) for k, v in record["aspek"].items()},
        "domain": {str(k): text(v) for k, v in record["domain"].items()},
    }


class ApiList(Logged, ListAPIView):
    pass


@extend_schema(summary="The pemda the user may see", parameters=[ORDERING])
class PemdaListView(ApiList):
    serializer_class = s.PemdaSerializer

    def get_queryset(self):
        rows = Pemda.objects.visible_to(self.request.user).select_related("parent")
        field = self.request.query_params.get("ordering") or "kode"
        if field.removeprefix("-") not in ("kode", "nama"):
            raise ValidationError(
                {"ordering": _("Choose one of: %(choices)s.") % {"choices": "kode, nama"}}
            )
        return rows.order_by(field)


@extend_schema(summary="One pemda")
class PemdaDetailView(Logged, RetrieveAPIView):
    serializer_class = s.PemdaSerializer

    def get_object(self):
        return pemda_or_404(self.request, self.kwargs["pemda"])


@extend_schema(summary="The pemda's evaluation periods, newest first", parameters=[TAHUN, TRIWULAN])
class PeriodListView(ApiList):
    serializer_class = s.PeriodSerializer

    def get_queryset(self):
        periods = periods_of(pemda_or_404(self.request, self.kwargs["pemda"]), self.request.user)
        year = number_param(self.request, "tahun", 1900, 2999)
        quarter = number_param(self.request, "triwulan", 1, 4)
        if year is not None:
            periods = [p for p in periods if p.tahun == year]
        if quarter is not None:
            periods = [p for p in periods if p.triwulan == quarter]
        return periods


RESULT_ORDERING = ("peringkat", "indeks", "kode_opd", "nama")


@extend_schema(
    summary="Results of a period: one object per OPD",
    description="The rows of the results export (/ekspor/): the same figures, rules and "
    "disclosure. Without ?tahun= the period the dashboard shows by default.",
    parameters=[TAHUN, TRIWULAN, ZONA, STATUS, ORDERING],
)
class ResultListView(ApiList):
    serializer_class = s.ResultSerializer

    def get_queryset(self):
        from ..models import Assessment

        user = self.request.user
        period = period_or_404(self.request, pemda_or_404(self.request, self.kwargs["pemda"]))
        zone = choice_param(self.request, "zona", ZONES)
        state = choice_param(self.request, "status", STATUSES)
        _parts, indicators, records = exports.result_records(
            period, Assessment.objects.visible_to(user), user
        )
        labels = {i.nomor: i.label for i in indicators}
        rows = []
        for record in records:
            if (zone and record["zona"] != zone) or (state and record["status"] != state):
                continue
            rows.append(
                {
                    "kode_opd": record["kode_opd"],
                    "nama": record["nama"],
                    **figures(record),
                    "indikator": {labels[n]: text(v) for n, v in record["indikator"].items()},
                }
            )
        return order(rows, self.request, RESULT_ORDERING)


@extend_schema(
    summary="An OPD's assessments over its periods, newest first",
    parameters=[TAHUN, TRIWULAN, STATUS],
)
class AssessmentListView(ApiList):
    serializer_class = s.AssessmentSerializer

    def get_queryset(self):
        user = self.request.user
        pemda = pemda_or_404(self.request, self.kwargs["pemda"])
        opd = visible_or_404(OPD.objects.filter(pemda=pemda), user, kode=self.kwargs["opd"])
        year = number_param(self.request, "tahun", 1900, 2999)
        quarter = number_param(self.request, "triwulan", 1, 4)
        state = choice_param(self.request, "status", STATUSES)
        rows = []
        for a in opd_history(opd, user):
            if year is not None and a.period.tahun != year:
                continue
            if quarter is not None and a.period.triwulan != quarter:
                continue
            if state and a.status_nilai != state:
                continue
            record = {
                "indeks": a.indeks_bulat,
                "predikat": a.predikat or None,
                "zona": a.zona or None,
                "peringkat": a.peringkat,
                "status": a.status_nilai,
                "aspek": dict(exports.rounded_parts(a.indeks_aspek)),
                "domain": dict(exports.rounded_parts(a.indeks_domain)),
            }
            rows.append(
                {
                    **figures(record),
                    "tahun": a.period.tahun,
                    "triwulan": a.period.triwulan,
                    "periode": a.period.label,
                    "peringkat_dari": a.opd_count,
                    "indeks_mandiri": text(a.indeks_mandiri_bulat),
                    "jumlah_indikator": a.jumlah_indikator,
                    "tervalidasi": a.tervalidasi,
                    "terisi": a.terisi,
                    "menunggu_eksternal": a.menunggu_eksternal,
                    "status_mandiri": a.status_mandiri,
                }
            )
        return rows


def instruments(user):
    return (
        Instrument.objects.visible_to(user)
        .select_related("pemda", "dasar")
        .prefetch_related(
            "bands",
            "domains",
            "aspects__domain",
            "indicators__aspect",
            "indicators__criteria",
            "indicators__items",
        )
    )


@extend_schema(summary="The instruments the user may see, with their structure")
class InstrumentListView(ApiList):
    serializer_class = s.InstrumentSerializer

    def get_queryset(self):
        return instruments(self.request.user).order_by("kode")


@extend_schema(summary="One instrument with its structure")
class InstrumentDetailView(Logged, RetrieveAPIView):
    serializer_class = s.InstrumentSerializer

    def get_object(self):
        return visible_or_404(
            instruments(self.request.user), self.request.user, kode=self.kwargs["kode"]
        )


@extend_schema(
    summary="The kabupaten/kota of a province ranked by the average index of their OPDs",
    description="Province staff only (like the page /pemda/<kode>/kabupaten/).",
    parameters=[TAHUN],
)
class KabupatenListView(ApiList):
    serializer_class = s.KabupatenSerializer

    def get_queryset(self):
        user = self.request.user
        province = pemda_or_404(self.request, self.kwargs["pemda"])
        if not province.is_province or not is_pemda_staff(user):
            raise Http404("Halaman tidak ditemukan")
        years, year = kabupaten_years(province)
        asked = number_param(self.request, "tahun", 1900, 2999)
        if asked is not None:
            if asked not in years:
                raise Http404("Periode tidak ditemukan")
            year = asked
        if year is None:
            return []
        return [
            {
                "kode": row["pemda"].kode,
                "nama": row["pemda"].nama,
                "peringkat": row["rank"],
                "rata_rata": text(
                    None if row["average"] is None else exports.two_places(row["average"])
                ),
                "predikat": row["predikat"] or None,
                "zona": row["zone"] or None,
                "status": row["status"],
                "jumlah_opd": row["opd_count"],
                "dinilai": row["assessed"],
                "indeks_resmi": text(row["official"]),
            }
            for row in kabupaten_data(province, year, user)["rows"]
        ]


@extend_schema(
    summary="Enter the value of an indicator scored from another national index",
    description="The same as on the review page and the file import: evaluators and the "
    "Kominfo administrator of the pemda itself, until the period is final; recorded in "
    "the change log; the figures are recomputed.",
    request=s.ExternalValueInput,
    responses={201: s.ExternalValueOutput},
)
class ExternalValueView(Logged, GenericAPIView):
    permission_classes = [SignedIn]
    serializer_class = s.ExternalValueInput

    def post(self, request, *args, **kwargs):
        user = request.user
        pemda = pemda_or_404(request, self.kwargs["pemda"])
        if not is_pemda_staff(user):  # as on the review page: OPD users get a 404
            raise Http404("Staff only")
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        opd = visible_or_404(OPD.objects.filter(pemda=pemda), user, kode=v["kode_opd"])
        period = next(
            (
                p
                for p in periods_of(pemda, user)
                if p.tahun == v["tahun"] and p.triwulan == v.get("triwulan")
            ),
            None,
        )
        if period is None:
            raise Http404("Periode tidak ditemukan")
        code = v["kode_indikator"].strip()
        scores = Score.objects.visible_to(user).filter(
            assessment__period=period, assessment__opd=opd
        )
        score = scores.filter(indicator__kode__iexact=code).first()
        if score is None and whole_number(code) is not None:
            score = scores.filter(indicator__nomor=whole_number(code)).first()
        if score is None:
            raise ValidationError(
                {"kode_indikator": _("This indicator is not in the period's instrument.")}
            )
        try:
            with transaction.atomic():
                score = score_service.set_external_value(
                    user, score.pk, v["nilai"], v.get("skor_sumber", ""), v["tanggal"]
                )
        except Score.DoesNotExist:
            raise Http404("Tidak dapat diubah") from None
        except score_service.ScoreError as error:
            raise ValidationError({"nilai": str(error)}) from None
        out = s.ExternalValueOutput(
            {
                "kode_opd": opd.kode,
                "periode": period.label,
                "kode_indikator": score.indicator.label,
                "nilai": text(exports.plain(score.level_evaluator, period)),
                "skor_sumber": score.eksternal_skor,
                "tanggal": score.eksternal_tanggal,
                "dicatat_oleh": user.get_username(),
            }
        )
        return Response(out.data, status=status.HTTP_201_CREATED)
