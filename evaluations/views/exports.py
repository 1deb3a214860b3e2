"""Downloading a period's results (one row per OPD): the results export (XLSX for people,
CSV and JSON for machines) and the download of the ranking tables."""

from django.http import Http404, HttpResponse
from django.views import View

from opd.permissions import PemdaScopedMixin

from ..models import Assessment
from ..services import exports
from .periods import periods_of, pick_period


def download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Results are personal to the user's rights: never kept by a browser or a proxy.
    response["Cache-Control"] = "private, no-store"
    return response


class ResultsExportView(PemdaScopedMixin, View):
    """/pemda/<kode>/ekspor/?tahun=YYYY[&tw=N]&format=xlsx|csv|json: the rows the user
    may see (an OPD user gets its own OPD's row only)."""

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format", "xlsx")
        if fmt not in exports.FORMATS:
            raise Http404("Format tidak dikenal")
        period = pick_period(periods_of(self.pemda, request.user), request)
        if period is None:
            raise Http404("Periode tidak ditemukan")
        return download(
            *exports.export(period, fmt, Assessment.objects.visible_to(request.user), request.user)
        )


class RankingExportMixin:
    """?_export=xlsx|csv on a ranking table page (OPD list, dashboard): the rows of the
    table as filtered, XLSX for people or CSV in the machine format. The view provides
    `period` and the filtered queryset (`filterset.qs`)."""

    export_param = "_export"
    export_stem = "peringkat"

    def render_to_response(self, context, **kwargs):
        fmt = self.request.GET.get(self.export_param)
        if fmt is None:
            return super().render_to_response(context, **kwargs)
        if fmt not in ("xlsx", "csv") or self.period is None:
            raise Http404("Format tidak dikenal")
        rows = self.filterset.qs
        user = self.request.user
        if fmt == "xlsx":
            content = exports.ranking_workbook(self.period, rows, user)
        else:
            content = exports.to_csv(*exports.result_table(self.period, rows, user))
        return download(
            content, exports.FORMATS[fmt], exports.filename(self.period, self.export_stem, fmt)
        )
