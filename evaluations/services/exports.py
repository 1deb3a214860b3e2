"""Exporting a period's results: one row per OPD, as JSON, CSV or XLSX.

Columns: kode_opd, nama, indeks (2 decimals, rounded half-up from the stored index),
predikat, zona, peringkat, domain_<n> (the stored domain indices, 2 decimals) and
indikator_<n> (every indicator's effective level: the evaluator's, else the
self-assessed one; empty when neither is set). Rows are ordered by rank.

Figures are read as stored (pages and exports never recompute). Numbers are written in
machine format (decimal point), whatever the interface language.
"""

import csv
import io
import json
from collections import defaultdict
from decimal import Decimal

from django.db.models import F

from ..models import Assessment, Domain, Indicator, Score
from .scoring import round_index

FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FIXED_COLUMNS = ["kode_opd", "nama", "indeks", "predikat", "zona", "peringkat"]


class ExportError(ValueError):
    pass


def _two_places(value):
    return None if value in (None, "") else round_index(Decimal(str(value)))


def result_table(period, assessments=None):
    """(columns, rows) of the period: rows are dicts keyed by the columns, ordered by
    rank then OPD code. `assessments` narrows the rows (a tenant-scoped queryset)."""
    if assessments is None:
        assessments = Assessment.objects.all()
    assessments = list(
        assessments.filter(period=period)
        .select_related("opd")
        .order_by(F("peringkat").asc(nulls_last=True), "opd__kode")
    )
    domains = list(
        Domain.objects.filter(instrument_id=period.instrument_id)
        .order_by("nomor")
        .values_list("nomor", flat=True)
    )
    indicators = list(
        Indicator.objects.filter(instrument_id=period.instrument_id)
        .order_by("nomor")
        .values_list("nomor", flat=True)
    )
    levels = defaultdict(dict)
    for assessment_id, nomor, evaluator, own in Score.objects.filter(
        assessment__in=[a.pk for a in assessments]
    ).values_list("assessment_id", "indicator__nomor", "level_evaluator", "level_mandiri"):
        levels[assessment_id][nomor] = evaluator if evaluator is not None else own
    columns = [
        *FIXED_COLUMNS,
        *(f"domain_{n}" for n in domains),
        *(f"indikator_{n}" for n in indicators),
    ]
    rows = []
    for a in assessments:
        row = {
            "kode_opd": a.opd.kode,
            "nama": a.opd.nama,
            "indeks": _two_places(a.indeks),
            "predikat": a.predikat or None,
            "zona": a.zona or None,
            "peringkat": a.peringkat,
        }
        for n in domains:
            row[f"domain_{n}"] = _two_places(a.indeks_domain.get(str(n)))
        for n in indicators:
            row[f"indikator_{n}"] = levels[a.pk].get(n)
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
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in columns])
    # With a BOM, Excel opens the UTF-8 file with its accents intact.
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(columns, rows, title="hasil"):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(columns)
    decimal_columns = {i for i, c in enumerate(columns) if c == "indeks" or c.startswith("domain_")}
    for row in rows:
        cells = []
        for i, c in enumerate(columns):
            value = row[c]
            if i in decimal_columns and value is not None:
                cell = WriteOnlyCell(sheet, value=float(value))
                cell.number_format = "0.00"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export(period, fmt="json", assessments=None):
    """(content bytes, content type, file name) of the period's results."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown format {fmt!r}: choose json, csv or xlsx.")
    columns, rows = result_table(period, assessments)
    content = {"json": to_json, "csv": to_csv, "xlsx": to_xlsx}[fmt](columns, rows)
    filename = f"hasil-spbe-{period.pemda.kode}-{period.label.replace(' ', '-')}.{fmt}"
    return content, FORMATS[fmt], filename
