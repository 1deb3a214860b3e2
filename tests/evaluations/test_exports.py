"""Exporting a period's results: exact keys, rank order, two decimals, tenancy."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from evaluations.models import Period
from evaluations.services import exports
from evaluations.services.recompute import recompute_period
from tests.factories import OPDFactory, make_period, set_levels

pytestmark = pytest.mark.django_db

KEYS = (
    ["kode_opd", "nama", "indeks", "predikat", "zona", "peringkat"]
    + [f"domain_{n}" for n in range(1, 5)]
    + [f"indikator_{n}" for n in range(1, 26)]
    + ["status"]  # appended last: readers of the earlier columns keep working
)


@pytest.fixture
def period(world):
    """Sulbar 2024 (under evaluation): Bappeda 4 everywhere (4.00, first), Diskominfo 3
    everywhere (3.00, second), a third OPD only half validated (in progress: no figures,
    last), Biro Hukum."""
    OPDFactory(pemda=world.sulbar, kode="BIRO-HUKUM", nama="Biro Hukum")
    period = make_period(world.sulbar, 2024)
    set_levels(period.assessments.get(opd=world.bappeda), 4)
    set_levels(period.assessments.get(opd=world.kominfo), 3)
    set_levels(period.assessments.get(opd__kode="BIRO-HUKUM"), dict.fromkeys(range(1, 13), 2))
    recompute_period(period.id)
    return period


def test_json_keys_order_and_decimals(period):
    content, content_type, filename = exports.export(period, "json")
    assert content_type == "application/json" and filename.endswith(".json")
    text = content.decode()
    assert '"indeks": 4.00' in text and '"indeks": 3.00' in text and '"indeks": null' in text
    rows = json.loads(text, parse_float=Decimal)
    assert [list(row) for row in rows] == [KEYS] * 3
    assert [row["kode_opd"] for row in rows] == ["BAPPEDA", "DISKOMINFO", "BIRO-HUKUM"]
    assert [row["peringkat"] for row in rows] == [1, 2, None]
    first, second, last = rows
    assert (first["indeks"], first["predikat"], first["zona"], first["status"]) == (
        Decimal("4.00"),
        "Sangat Baik",
        "hijau",
        "sementara",
    )
    assert (second["indeks"], second["zona"]) == (Decimal("3.00"), "kuning")
    assert str(first["domain_1"]) == "4.00"
    assert second["indikator_1"] == 3
    # In progress: no figures at all, the validated levels so far, the status.
    assert (last["indeks"], last["predikat"], last["zona"], last["domain_1"]) == (None,) * 4
    assert last["indikator_1"] == 2 and last["indikator_25"] is None
    assert last["status"] == "proses"


def test_csv_is_the_machine_format_and_xlsx_is_for_people(period):
    content, content_type, _name = exports.export(period, "csv")
    assert content_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == KEYS
    assert [(r[0], r[2], r[5], r[-1]) for r in rows[1:]] == [
        ("BAPPEDA", "4.00", "1", "sementara"),
        ("DISKOMINFO", "3.00", "2", "sementara"),
        ("BIRO-HUKUM", "", "", "proses"),
    ]

    content, _type, name = exports.export(period, "xlsx")
    assert name == "hasil-spbe-76-2024.xlsx"
    sheet = load_workbook(io.BytesIO(content)).active
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    # A title block says what the figures are, then the table.
    notes = " ".join(str(row[0]) for row in table[:4])
    assert "Provinsi" in notes and "2024" in notes and "sementara" in notes.lower()
    header = next(i for i, row in enumerate(table) if row[0] == "Peringkat")
    assert table[header][:7] == [
        "Peringkat",
        "Kode OPD",
        "OPD",
        "Indeks",
        "Predikat",
        "Zona",
        "Status",
    ]
    assert table[header][7].startswith("Domain 1 ")
    assert table[header][11].startswith("1. ")
    data = table[header + 1 :]
    assert [r[1] for r in data] == ["BAPPEDA", "DISKOMINFO", "BIRO-HUKUM"]
    assert data[1][3] == pytest.approx(3.0) and data[1][5] == "Kuning"
    assert sheet.cell(row=header + 3, column=4).number_format == "0.00"
    assert data[2][3] is None and data[2][6].startswith("Dalam proses")


def test_export_command(period, tmp_path, capsys):
    call_command("export_results", pemda="76", tahun=2024, format="json")
    rows = json.loads(capsys.readouterr().out)
    assert [r["kode_opd"] for r in rows] == ["BAPPEDA", "DISKOMINFO", "BIRO-HUKUM"]
    target = tmp_path / "hasil.xlsx"
    call_command("export_results", pemda="76", tahun=2024, format="xlsx", output=str(target))
    assert any(
        row[0] == "Peringkat" for row in load_workbook(target).active.iter_rows(values_only=True)
    )
    with pytest.raises(CommandError):
        call_command("export_results", pemda="76", tahun=2019)


def test_a_name_that_looks_like_a_formula_is_text_in_every_export(world, period):
    # OWASP CSV injection: =, +, -, @ at the start of a cell.
    world.bappeda.nama = '=HYPERLINK("http://evil.example","klik")'
    world.bappeda.save()
    world.kominfo.nama = "@SUM(1+1)"
    world.kominfo.save()
    content, *_ = exports.export(period, "csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","klik")'
    assert rows[2][1] == "'@SUM(1+1)"
    for workbook in (
        exports.export(period, "xlsx")[0],
        exports.ranking_workbook(period, period.assessments.all()),
    ):
        sheet = load_workbook(io.BytesIO(workbook)).active
        cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
        names = [c for c in cells if "HYPERLINK" in str(c.value) or "SUM(" in str(c.value)]
        assert len(names) == 2
        for cell in names:
            assert cell.data_type == "s" and str(cell.value).startswith("'")
    # JSON is no spreadsheet: the name stays as it is.
    rows = json.loads(exports.export(period, "json")[0])
    assert rows[0]["nama"].startswith("=HYPERLINK")


def export_url(pemda, **query):
    from urllib.parse import urlencode

    return reverse("results_export", args=[pemda.kode]) + "?" + urlencode(query)


def test_export_view_is_tenant_scoped(client, world, period):
    url = export_url(world.sulbar, tahun=2024, format="csv")
    assert client.get(url).status_code == 302  # anonymous: log in
    for user in (world.admin_sulsel, world.evaluator_polman):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(world.evaluator_sulbar)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert len(response.content.decode("utf-8-sig").strip().splitlines()) == 4
    assert client.get(export_url(world.sulbar, tahun=2024, format="pdf")).status_code == 404
    assert client.get(export_url(world.sulbar, tahun=2019, format="csv")).status_code == 404
    assert response["Cache-Control"] == "private, no-store"
    # An OPD user downloads its own row only, and before document review ends none of
    # the evaluators' work: no figures, no evaluator levels.
    client.force_login(world.operator_kominfo)
    rows = json.loads(client.get(export_url(world.sulbar, tahun=2024, format="json")).content)
    assert [r["kode_opd"] for r in rows] == ["DISKOMINFO"]
    assert rows[0]["indeks"] is None and rows[0]["status"] == "proses"
    assert {rows[0][f"indikator_{n}"] for n in range(1, 26)} == {None}
    # Once document review has ended they are published.
    Period.objects.filter(pk=period.pk).update(sanggahan_dibuka=timezone.now())
    rows = json.loads(client.get(export_url(world.sulbar, tahun=2024, format="json")).content)
    assert rows[0]["indeks"] == 3.0 and rows[0]["indikator_1"] == 3


def test_opd_list_has_the_download_button(client, world, period):
    client.force_login(world.evaluator_sulbar)
    page = client.get(reverse("opd_list", args=["76"])).content.decode()
    assert reverse("results_export", args=["76"]) + "?tahun=2024" in page
