"""Exporting a period's results: one row per OPD.

Two audiences, two kinds of file (README, "Ekspor"):

- **For machines: CSV and JSON** (`export_results`, the /ekspor/ download, the CSV of the
  ranking tables). Columns, in this order: kode_opd, nama, indeks (2 decimals, rounded
  half-up from the stored index), predikat, zona (code: merah/kuning/hijau), peringkat,
  domain_<n> (the stored domain indices, 2 decimals), indikator_<n> (the evaluator's
  level of every indicator, the level that counts) and status (proses/sementara/final,
  appended last so that readers of the earlier columns keep working). Rows are ordered by
  rank; OPDs without figures come last with empty figures. Numbers use a decimal point,
  whatever the interface language. An instrument without domains (PermenPANRB 8/2026)
  has aspek_<n> columns (the aspect indices) where the others have domain_<n>; indicator
  values are whole levels, or decimals for instruments with decimal values.
- **For people: XLSX**, with Indonesian headers, plain-text names, numbers as numbers
  (the index shown with 2 decimals), zones and predikat as labels, and the period, status
  and date written above the table.

Figures are read as stored (pages and exports never recompute) and follow the figure
rule: no index, predikat, zone or rank while an assessment is in progress, and for an
OPD user none of the evaluators' work before document review ends
(services.disclosure). Every text cell is neutralised against formula injection
(spbe_dashboard.spreadsheets).
"""

import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe_dashboard import dates
from spbe_dashboard.spreadsheets import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    Sheet,
    csv_bytes,
    xlsx_bytes,
)

from ..models import Aspect, Assessment, Domain, FigureStatus, Indicator, Score, Zone
from .disclosure import conceal_review, sees_review
from .scoring import plain_value, round_index

FORMATS = {
    "json": "application/json",
    "csv": CSV_CONTENT_TYPE,
    "xlsx": XLSX_CONTENT_TYPE,
}
FIXED_COLUMNS = ["kode_opd", "nama", "indeks", "predikat", "zona", "peringkat"]
STATUS_COLUMN = "status"


class ExportError(ValueError):
    pass


def two_places(value):
    """An index as files and the API give it: rounded half-up to 2 decimals (None stays)."""
    return None if value in (None, "") else round_index(Decimal(str(value)))


_two_places = two_places


def rounded_parts(stored):
    """A stored {"number": index} dict (aspect or domain indices) as (number, index to 2
    decimals) pairs in number order."""
    pairs = sorted(((int(k), v) for k, v in (stored or {}).items()), key=lambda kv: kv[0])
    return [(k, two_places(v)) for k, v in pairs]


def plain(value, period):
    """An indicator value of the period as files write it (3, or 1.26)."""
    return plain_value(value, period.instrument.nilai_desimal)


def _assessments(period, assessments, user):
    if assessments is None:
        assessments = Assessment.objects.all()
    rows = list(
        assessments.filter(period=period)
        .select_related("opd", "period")
        .order_by(F("peringkat").asc(nulls_last=True), "opd__kode")
    )
    return rows if user is None else conceal_review(user, rows)


@dataclass
class Parts:
    """The groups an export shows the indices of: domains, or the aspects of an
    instrument without domains."""

    column: str  # "domain" or "aspek"
    label: str
    field: str  # the Assessment field holding their indices
    rows: list


def _parts(period):
    domains = list(Domain.objects.filter(instrument_id=period.instrument_id).order_by("nomor"))
    if domains:
        return Parts("domain", _("Domain"), "indeks_domain", domains)
    aspects = list(Aspect.objects.filter(instrument_id=period.instrument_id).order_by("nomor"))
    return Parts("aspek", _("Aspect"), "indeks_aspek", aspects)


def _counted_levels(period, assessments, user, by="indicator__nomor"):
    """{assessment id: {indicator (number, or `by`): the value that counts}}: the
    evaluator's value, an external indicator's entered value or its default; empty for a
    user who may not see the evaluators' work yet."""
    levels = defaultdict(dict)
    decimal_values = period.instrument.nilai_desimal
    if user is None or sees_review(user, period):
        for assessment_id, key, evaluator, default in Score.objects.filter(
            assessment__in=[a.pk for a in assessments]
        ).values_list("assessment_id", by, "level_evaluator", "indicator__nilai_bawaan"):
            value = evaluator if evaluator is not None else default
            levels[assessment_id][key] = plain_value(value, decimal_values)
    return levels


def result_records(period, assessments=None, user=None):
    """(parts, indicators, records) of the period: one record per OPD (ordered by rank,
    then OPD code) with its figures as they are shown (index to 2 decimals), the stored
    aspect and domain indices (2 decimals, by number), the value that counts of every
    indicator (by number) and the status of the figures. The one source of the CSV/JSON
    export and of the API. `assessments` narrows the rows (a tenant-scoped queryset);
    `user` conceals what that user may not see yet (None: the command line)."""
    assessments = _assessments(period, assessments, user)
    parts = _parts(period)
    indicators = list(
        Indicator.objects.filter(instrument_id=period.instrument_id).order_by("nomor")
    )
    levels = _counted_levels(period, assessments, user)
    records = []
    for a in assessments:
        records.append(
            {
                "kode_opd": a.opd.kode,
                "nama": a.opd.nama,
                "indeks": _two_places(a.indeks),
                "predikat": a.predikat or None,
                "zona": a.zona or None,
                "peringkat": a.peringkat,
                "aspek": dict(rounded_parts(a.indeks_aspek)),
                "domain": dict(rounded_parts(a.indeks_domain)),
                "indikator": {i.nomor: levels[a.pk].get(i.nomor) for i in indicators},
                STATUS_COLUMN: a.status_nilai,
            }
        )
    return parts, indicators, records


def result_table(period, assessments=None, user=None):
    """(columns, rows) of the period in the machine format: rows are dicts keyed by the
    columns, ordered by rank then OPD code (result_records, flattened)."""
    parts, indicators, records = result_records(period, assessments, user)
    columns = [
        *FIXED_COLUMNS,
        *(f"{parts.column}_{part.nomor}" for part in parts.rows),
        *(f"indikator_{i.nomor}" for i in indicators),
        STATUS_COLUMN,
    ]
    rows = []
    for record in records:
        row = {column: record[column] for column in FIXED_COLUMNS}
        stored = record[parts.column]
        for part in parts.rows:
            row[f"{parts.column}_{part.nomor}"] = stored.get(part.nomor)
        for i in indicators:
            row[f"indikator_{i.nomor}"] = record["indikator"][i.nomor]
        row[STATUS_COLUMN] = record[STATUS_COLUMN]
        rows.append(row)
    return columns, rows


def _json_value(value):
    # A Decimal is written as a JSON number with its two decimals kept (3.10, not 3.1).
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def to_json(columns, rows):
    lines = [
        "  {" + ", ".join(f"{json.dumps(c)}: {_json_value(row[c])}" for c in columns) + "}"
        for row in rows
    ]
    return ("[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n").encode("utf-8")


def to_csv(columns, rows):
    return csv_bytes(columns, ([row[c] for c in columns] for row in rows))


# --- For people -----------------------------------------------------------------------

INDEX_FORMAT = "0.00"


def status_label(assessment):
    """The status of an assessment's figures in words, with the progress while in
    progress ("Dalam proses · 18 dari 25 tervalidasi")."""
    if getattr(assessment, "review_hidden", False):
        return _("Awaiting the end of document review")
    label = str(FigureStatus(assessment.status_nilai).label)
    if assessment.is_in_progress:
        return _("%(status)s · %(n)s of %(total)s validated") % {
            "status": label,
            "n": assessment.tervalidasi,
            "total": assessment.jumlah_indikator,
        }
    return label


def period_notes(period, title, user=None):
    """The lines above a people's sheet: what, which pemda and period, when, and what the
    figures are."""
    status = (
        _("Final results: changed only by a recorded reopening.")
        if period.is_final
        else _("Provisional results: the period is not final; figures may still change.")
    )
    generated = dates.moment(timezone.now(), period.pemda)
    who = (user.get_full_name() or user.get_username()) if user is not None else ""
    return [
        title,
        f"{period.pemda.nama} · {_('Period')} {period.label} · {period.get_status_display()}",
        status,
        _("Downloaded %(when)s%(by)s") % {"when": generated, "by": f" · {who}" if who else ""},
    ]


def results_workbook(period, assessments=None, user=None):
    """The period's results as an XLSX for people: one row per OPD with its figures,
    domain indices and every indicator's counted level, under a title block."""
    assessments = _assessments(period, assessments, user)
    parts = _parts(period)
    indicators = list(
        Indicator.objects.filter(instrument_id=period.instrument_id).order_by("nomor")
    )
    levels = _counted_levels(period, assessments, user, by="indicator_id")
    header = [
        _("Rank"),
        _("OPD code"),
        _("OPD"),
        _("Index"),
        _("Predikat"),
        _("Zone"),
        _("Status"),
        *(f"{parts.label} {p.nomor} {p.nama}" for p in parts.rows),
        *(f"{i.label}. {i.nama}" for i in indicators),
    ]
    rows = []
    for a in assessments:
        rows.append(
            [
                a.peringkat,
                a.opd.kode,
                a.opd.nama,
                a.indeks_bulat,
                a.predikat or None,
                str(Zone(a.zona).label) if a.zona else None,
                status_label(a),
                *(_two_places(getattr(a, parts.field).get(str(p.nomor))) for p in parts.rows),
                *(levels[a.pk].get(i.id) for i in indicators),
            ]
        )
    first_domain = 7
    return xlsx_bytes(
        [
            Sheet(
                title=_("Results"),
                header=header,
                rows=rows,
                number_formats={3: INDEX_FORMAT}
                | {first_domain + n: INDEX_FORMAT for n in range(len(parts.rows))},
                widths={0: 9, 1: 16, 2: 48, 3: 8, 4: 14, 5: 10, 6: 30},
                notes=period_notes(period, _("SPBE evaluation results"), user),
            )
        ]
    )


def ranking_workbook(period, assessments, user=None):
    """The OPD ranking of a period (the OPD list and the dashboard's table, with their
    filters) as an XLSX for people."""
    assessments = _assessments(period, assessments, user)
    header = [
        _("Rank"),
        _("OPD code"),
        _("OPD"),
        _("Kind"),
        _("Index"),
        _("Predikat"),
        _("Zone"),
        _("Status"),
    ]
    rows = [
        [
            a.peringkat,
            a.opd.kode,
            a.opd.nama,
            str(a.opd.get_jenis_display()),
            a.indeks_bulat,
            a.predikat or None,
            str(Zone(a.zona).label) if a.zona else None,
            status_label(a),
        ]
        for a in assessments
    ]
    return xlsx_bytes(
        [
            Sheet(
                title=_("Ranking"),
                header=header,
                rows=rows,
                number_formats={4: INDEX_FORMAT},
                widths={0: 9, 1: 16, 2: 48, 3: 20, 4: 8, 5: 14, 6: 10, 7: 30},
                notes=period_notes(period, _("OPD ranking"), user),
            )
        ]
    )


def filename(period, stem, fmt):
    return f"{stem}-{period.pemda.kode}-{period.label.replace(' ', '-')}.{fmt}"


def export(period, fmt="json", assessments=None, user=None):
    """(content bytes, content type, file name) of the period's results."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}: choose json, csv or xlsx.")
    if fmt == "xlsx":
        content = results_workbook(period, assessments, user)
    else:
        columns, rows = result_table(period, assessments, user)
        content = {"json": to_json, "csv": to_csv}[fmt](columns, rows)
    return content, FORMATS[fmt], filename(period, "hasil-spbe", fmt)
