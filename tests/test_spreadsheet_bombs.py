"""Spreadsheet bombs (issue 15, point 1): both importers (scores at /impor/, the team
import) refuse a hostile file with a clear message before reading on, with no memory
spike; CSV the same; XML entity tricks are refused.

The bombs are generated here, each a few kilobytes: a sheet that declares A1:XFD1048576
(a naive read pads it out to 17 billion cells, ~137 GB), a sheet with far more rows than
any import takes, a part that unpacks to 64 MB, a row 16,384 columns wide and a
"billion laughs" entity expansion.
"""

import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from evaluations.services import imports
from opd.models import TeamProposal
from opd.services import team_import, teams
from spbe_dashboard import spreadsheets
from tests.factories import THIS_YEAR, make_period

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
SCORE_HEADER = list(imports.HEADER)
TEAM_HEADER = ["peran", "nama", "nip", "status"]
# What "no memory spike" means here: a refused bomb allocates less than this while read.
MEMORY_CEILING = 40 * 1024 * 1024


def workbook_bytes(header):
    book = Workbook()
    book.active.append(header)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_part(content, name, data):
    """The XLSX `content` with the part `name` replaced by `data` (deflated)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info.filename))
        target.writestr(name, data)
    return out.getvalue()


def sheet_xml(rows, dimension=None, prolog=""):
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{head}<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def row(number, cells):
    return f'<row r="{number}">{cells}</row>'


def inline(ref, value):
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def header_row(header):
    letters = "ABCDEFGHIJ"
    return row(1, "".join(inline(f"{letters[i]}1", title) for i, title in enumerate(header)))


def declared_huge(header):
    """1 row of data at the bottom of a sheet declaring A1:XFD1048576."""
    rows = header_row(header) + row(1048576, inline("A1048576", "x"))
    return with_part(workbook_bytes(header), SHEET, sheet_xml(rows, "A1:XFD1048576"))


def many_rows(header, count=100_000):
    body = "".join(row(n, f'<c r="A{n}"><v>1</v></c>') for n in range(2, count + 2))
    return with_part(workbook_bytes(header), SHEET, sheet_xml(header_row(header) + body))


def unpacks_large(header):
    """A sheet padded with 64 MB of blanks: deflated to some 64 KB."""
    padding = " " * (64 * 1024 * 1024)
    return with_part(
        workbook_bytes(header),
        SHEET,
        sheet_xml(header_row(header) + padding),
    )


def too_wide(header):
    rows = header_row(header) + row(2, inline("XFD2", "x"))
    return with_part(workbook_bytes(header), SHEET, sheet_xml(rows))


def laughs(header):
    entities = '<!ENTITY a "hahahahahahahahahaha">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    prolog = f"<!DOCTYPE worksheet [{entities}]>"
    rows = header_row(header) + row(2, inline("A2", "&i;"))
    return with_part(workbook_bytes(header), SHEET, sheet_xml(rows, prolog=prolog))


BOMBS = {
    "declares A1:XFD1048576": (declared_huge, "Too many rows"),
    "100,000 rows": (many_rows, "Too many rows"),
    "unpacks to 64 MB": (unpacks_large, "too large once unpacked"),
    "16,384 columns": (too_wide, "Too many columns"),
    "billion laughs": (laughs, "cannot be read"),
}


def measured(read):
    """(result, peak bytes allocated, seconds) of `read()`."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = read()
    finally:
        seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return result, peak, seconds


def refusal(function, *args):
    """The exception `function(*args)` raises (the test fails when it raises none)."""
    try:
        function(*args)
    except Exception as error:
        return error
    pytest.fail("not refused")


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_the_score_import_refuses_bombs(world, bomb):
    build, message = BOMBS[bomb]
    make_period(world.sulbar, 2024)
    content = build(SCORE_HEADER)
    assert len(content) < imports.MAX_BYTES
    with translation.override("en"):
        result, peak, seconds = measured(
            lambda: imports.validate(world.evaluator_sulbar, content, "nilai.xlsx")
        )
    assert not result.is_valid and not result.rows
    assert message in result.file_errors[0].message
    assert peak < MEMORY_CEILING, f"{bomb}: {peak / 2**20:.0f} MB in {seconds:.2f} s"
    print(f"score import, {bomb}: refused in {seconds:.2f} s, peak {peak / 2**20:.1f} MB")


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_the_team_import_refuses_bombs(world, bomb):
    build, message = BOMBS[bomb]
    content = build(TEAM_HEADER)
    upload = SimpleUploadedFile("tim.xlsx", content)
    with translation.override("en"):
        error, peak, seconds = measured(lambda: refusal(team_import.read_rows, upload))
    assert isinstance(error, team_import.ImportFileError)
    assert message in str(error)
    assert peak < MEMORY_CEILING, f"{bomb}: {peak / 2**20:.0f} MB in {seconds:.2f} s"
    print(f"team import, {bomb}: refused in {seconds:.2f} s, peak {peak / 2**20:.1f} MB")


def test_the_team_import_page_refuses_a_bomb_with_a_message(client, world):
    teams.ensure_default_roles(world.sulbar)
    client.force_login(world.operator_kominfo)
    page = reverse("team_import", args=["76", "DISKOMINFO"]) + f"?tahun={THIS_YEAR}"
    upload = SimpleUploadedFile("tim.xlsx", declared_huge(TEAM_HEADER))
    response = client.post(page, {"tahun": THIS_YEAR, "file": upload})
    assert response.status_code == 200
    assert "Terlalu banyak baris" in response.content.decode()
    assert not TeamProposal.objects.exists()


def test_the_team_import_has_a_size_limit(world):
    upload = SimpleUploadedFile("tim.csv", b"peran;nama;status\n" + b"x;y;PTT\n" * 200_000)
    assert upload.size > team_import.MAX_BYTES
    with translation.override("en"), pytest.raises(team_import.ImportFileError) as refused:
        team_import.read_rows(upload)
    assert "too large" in str(refused.value)


@pytest.mark.parametrize(
    "content,message",
    [
        (b"a,b\n" + b"\n" * 1_000_000, "Too many rows"),  # a million blank lines
        (b"a" + b",a" * 100 + b"\n", "Too many columns"),
        (b"a,b\n" + b'"' + b"x" * 200_000 + b'"\n', "cannot be read"),  # one huge field
        (b"a,b\nx\x00y,z\n", "cannot be read"),
    ],
)
def test_csv_is_read_within_the_same_limits(content, message):
    limits = team_import.LIMITS
    with translation.override("en"), pytest.raises(spreadsheets.SpreadsheetError) as refused:
        spreadsheets.read_table(content, limits, "tim.csv")
    assert message in str(refused.value)


def test_a_sheet_within_the_limits_is_read_whatever_it_declares():
    """A lying dimension (smaller or larger than the data) changes nothing."""
    rows = header_row(["a", "b"]) + row(2, inline("A2", "x") + inline("B2", "y"))
    content = with_part(workbook_bytes(["a", "b"]), SHEET, sheet_xml(rows, "A1:A1"))
    assert spreadsheets.read_table(content, team_import.LIMITS) == [["a", "b"], ["x", "y"]]
