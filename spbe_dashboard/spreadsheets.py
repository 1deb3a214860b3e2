"""Writing the spreadsheets the product hands out (CSV and XLSX) and reading the ones
users upload, for both apps.

Writing: every text cell goes through `neutralise`: a value that a spreadsheet program could read
as a formula (it starts with =, +, -, @, a tab or a carriage return; the OWASP
"CSV injection" rule) gets a leading apostrophe, so an OPD named "=HYPERLINK(...)" stays
text in Excel and LibreOffice. In XLSX the cell is also written as a string, never as a
formula. Numbers stay numbers: only text is touched.

Reading (`read_table`): an upload is a possible bomb. A tiny XLSX can declare a sheet of
a million rows by 16,384 columns, or unpack to gigabytes; a CSV can hold millions of
empty lines. So the limits of the importer (`ReadLimits`) are checked before anything
is read on: the upload's size, then the size its ZIP parts declare unpacked (zipfile
never inflates a part beyond its declared size), then row by row while streaming
(openpyxl's row parser; the dimensions a sheet claims are ignored), the rows, the
columns and the non-empty cells. XML is parsed through defusedxml (openpyxl uses it when
it is installed), which refuses entity declarations.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from .uploads import megabytes

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
    date), so a printed sheet says what it is; wrap: column indexes whose text wraps;
    printing: how the sheet prints (None: the spreadsheet program's defaults)."""

    title: str
    header: list
    rows: list
    number_formats: dict = field(default_factory=dict)
    widths: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    wrap: set = field(default_factory=set)
    printing: "Printing | None" = None


@dataclass
class Printing:
    """Print setup of a sheet: landscape, fitted to the page width, the header row
    repeated on every page, and a page header and footer (text; openpyxl codes such as
    &P page, &N pages)."""

    header: str = ""
    footer: str = ""
    landscape: bool = True


def _print_setup(sheet, printing, header_row):
    sheet.page_setup.orientation = "landscape" if printing.landscape else "portrait"
    sheet.page_setup.paperSize = 9  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    # The header/footer text is ours; "&" starts a code there, so it is doubled.
    sheet.oddHeader.center.text = printing.header.replace("&", "&&")
    sheet.oddFooter.left.text = printing.footer.replace("&", "&&")
    sheet.oddFooter.right.text = "&P / &N"


def _cell(sheet, value, number_format=None, bold=False, wrap=False):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    if isinstance(value, Decimal):
        value = float(value)
    cell = WriteOnlyCell(sheet, value=neutralise(value))
    if isinstance(value, str):
        cell.data_type = "s"  # text, never a formula
    if number_format and isinstance(value, int | float):
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
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
        if spec.printing is not None:
            _print_setup(sheet, spec.printing, header_row)
        for note in spec.notes:
            sheet.append([_cell(sheet, note)])
        if spec.notes:
            sheet.append([])
        sheet.append([_cell(sheet, title, bold=True) for title in spec.header])
        for row in spec.rows:
            sheet.append(
                [
                    _cell(sheet, value, spec.number_formats.get(i), wrap=i in spec.wrap)
                    for i, value in enumerate(row)
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading uploads ---------------------------------------------------------------------

XLSX_MAGIC = b"PK\x03\x04"
MAX_XLSX_PARTS = 1000


@dataclass(frozen=True)
class ReadLimits:
    """What one importer accepts. `max_rows` counts the rows below the header, blank ones
    included; cells count the non-empty ones; `max_unpacked` is the declared size of an
    XLSX's parts together."""

    max_bytes: int
    max_rows: int
    max_columns: int
    max_cells: int
    max_unpacked: int


class SpreadsheetError(ValueError):
    """The file cannot be read within the limits; the message is for the user."""


def unreadable():
    return SpreadsheetError(
        _("The file cannot be read: save it as CSV (UTF-8) or as an Excel workbook (.xlsx).")
    )


def _csv_rows(content):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older Excel versions save CSV in the Windows code page.
        text = content.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise unreadable()
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)  # a tie (one column) is a comma
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(content, limits):
    """The rows of the workbook's first sheet, streamed: one list of values per row of
    the sheet (a row the file leaves out is an empty list)."""
    # openpyxl's row parser, without its ReadOnlyWorksheet: that one reads the sheet's
    # declared dimensions and, when a sheet declares none, parses the whole sheet to the
    # end to find them before the first row is read (45 s for two million rows).
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._reader import WorkSheetParser

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = archive.infolist()
    if len(parts) > MAX_XLSX_PARTS or sum(p.file_size for p in parts) > limits.max_unpacked:
        raise SpreadsheetError(
            _("The workbook is too large once unpacked: at most %(mb)s MB.")
            % {"mb": megabytes(limits.max_unpacked)}
        )
    reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        _sheet, relation = next(iter(reader.parser.find_sheets()))
        with reader.archive.open(relation.target) as source:
            expected = 1
            for number, cells in WorkSheetParser(source, reader.shared_strings).parse():
                for _missing in range(expected, number):
                    yield []
                expected = number + 1
                values = [None] * max((cell["column"] for cell in cells), default=0)
                for cell in cells:
                    values[cell["column"] - 1] = cell["value"]
                yield values
    finally:
        reader.archive.close()


def _within_limits(rows, limits):
    table, cells = [], 0
    for row in rows:
        if len(table) > limits.max_rows:  # the header and max_rows rows below it
            raise SpreadsheetError(_("Too many rows: at most %(max)s.") % {"max": limits.max_rows})
        row = list(row)
        while row and row[-1] in (None, ""):
            row.pop()
        if len(row) > limits.max_columns:
            raise SpreadsheetError(
                _("Too many columns: at most %(max)s.") % {"max": limits.max_columns}
            )
        cells += sum(1 for value in row if value not in (None, ""))
        if cells > limits.max_cells:
            raise SpreadsheetError(
                _("Too many filled cells: at most %(max)s.") % {"max": limits.max_cells}
            )
        table.append(row)
    return table


def read_table(content, limits, filename=""):
    """The rows of an uploaded CSV or XLSX (the first sheet) as lists of cells, trailing
    empty cells dropped, or a SpreadsheetError. XLSX is recognised by its content,
    anything else is read as CSV (UTF-8, or the Windows code page)."""
    if not content:
        raise SpreadsheetError(_("The file is empty."))
    if len(content) > limits.max_bytes:
        raise SpreadsheetError(
            _("The file is too large: at most %(mb)s MB.") % {"mb": megabytes(limits.max_bytes)}
        )
    try:
        if content.startswith(XLSX_MAGIC):
            return _within_limits(_xlsx_rows(content, limits), limits)
        if filename.lower().endswith((".xlsx", ".xls")):
            raise unreadable()
        return _within_limits(_csv_rows(content), limits)
    except SpreadsheetError:
        raise
    except (ValueError, KeyError, IndexError, OSError, EOFError, zipfile.BadZipFile, csv.Error):
        # defusedxml's refusals are ValueErrors too.
        raise unreadable() from None
    except Exception as exc:  # openpyxl raises assorted errors on damaged workbooks
        if type(exc).__module__.startswith(("openpyxl", "xml", "zipfile", "defusedxml")):
            raise unreadable() from None
        raise
