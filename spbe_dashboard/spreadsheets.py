"""Writing the spreadsheets the product hands out (CSV and XLSX), for both apps.

Every text cell goes through `neutralise`: a value that a spreadsheet program could read
as a formula (it starts with =, +, -, @, a tab or a carriage return; the OWASP
"CSV injection" rule) gets a leading apostrophe, so an OPD named "=HYPERLINK(...)" stays
text in Excel and LibreOffice. In XLSX the cell is also written as a string, never as a
formula. Numbers stay numbers: only text is touched.
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def neutralise(value):
    """`value`, with a text that could be read as a formula made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_bytes(header, rows, delimiter=","):
    """A UTF-8 CSV (with a BOM, so that Excel keeps the accents) of `header` and `rows`
    (sequences of cells; None is written empty)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", delimiter=delimiter)
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow(["" if cell is None else neutralise(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


@dataclass
class Sheet:
    """One worksheet: a header row, data rows, and how to show them.

    number_formats: column index → Excel number format (e.g. "0.00"); widths: column
    index → width in characters; notes: lines written above the header (title, period,
    date), so a printed sheet says what it is."""

    title: str
    header: list
    rows: list
    number_formats: dict = field(default_factory=dict)
    widths: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def _cell(sheet, value, number_format=None, bold=False):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    if isinstance(value, Decimal):
        value = float(value)
    cell = WriteOnlyCell(sheet, value=neutralise(value))
    if isinstance(value, str):
        cell.data_type = "s"  # text, never a formula
    if number_format and isinstance(value, int | float):
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_bytes(sheets):
    """An XLSX workbook of `sheets` (Sheet), written in streaming mode."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title[:31])
        for column, width in spec.widths.items():
            sheet.column_dimensions[get_column_letter(column + 1)].width = width
        header_row = len(spec.notes) + (2 if spec.notes else 1)
        sheet.freeze_panes = f"A{header_row + 1}"
        for note in spec.notes:
            sheet.append([_cell(sheet, note)])
        if spec.notes:
            sheet.append([])
        sheet.append([_cell(sheet, title, bold=True) for title in spec.header])
        for row in spec.rows:
            sheet.append(
                [_cell(sheet, value, spec.number_formats.get(i)) for i, value in enumerate(row)]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
