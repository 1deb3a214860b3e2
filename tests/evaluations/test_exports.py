"""Exporting a period's results: exact keys, rank order, two decimals, tenancy."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from evaluations.services import exports
from evaluations.services.recompute import recompute_period
from tests.factories import OPDFactory, make_period, set_levels

pytestmark = pytest.mark.django_db

KEYS = (
    ["kode_opd", "nama", "indeks", "predikat", "zona", "peringkat"]
    + [f"domain_{n}" for n in range(1, 5)]
    + [f"indikator_{n}" for n in range(1, 26)]
)


@pytest.fixture
def period(world):
    """Sulbar 2024: Bappeda 4 everywhere (4.00, first), Diskominfo 3 with indicator 1 at
    4 (3 + 3.25% = 3.0325 → 3.03, second), a third OPD without levels (0.00, last)."""
    OPDFactory(pemda=world.sulbar, kode="BIRO-HUKUM", nama="Biro Hukum")
    period = make_period(world.sulbar, 2024)
    set_levels(period.assessments.get(opd=world.bappeda), 4)
    kominfo = period.assessments.get(opd=world.kominfo)
    set_levels(kominfo, 3)
    set_levels(kominfo, {1: 4}, evaluator=False)
    kominfo.scores.filter(indicator__nomor=1).update(level_evaluator=None)
    recompute_period(period.id)
    return period


def test_json_keys_order_and_decimals(period):
    content, content_type, filename = exports.export(period, "json")
    assert content_type == "application/json" and filename.endswith(".json")
    text = content.decode()
    assert '"indeks": 4.00' in text and '"indeks": 3.03' in text and '"indeks": 0.00' in text
    rows = json.loads(text, parse_float=Decimal)
    assert [list(row) for row in rows] == [KEYS] * 3
    assert [row["kode_opd"] for row in rows] == ["BAPPEDA", "DISKOMINFO", "BIRO-HUKUM"]
    assert [row["peringkat"] for row in rows] == [1, 2, 3]
    first, second, last = rows
    assert (first["indeks"], first["predikat"], first["zona"]) == (
        Decimal("4.00"),
        "Sangat Baik",
        "hijau",
    )
    assert (second["indeks"], second["zona"]) == (Decimal("3.03"), "kuning")
    assert str(second["indeks"]) == "3.03" and str(first["domain_1"]) == "4.00"
    assert second["domain_1"] == Decimal("3.25")  # indicator 1 of 4 at 4: (4+3+3+3)/4
    assert second["indikator_1"] == 4 and second["indikator_2"] == 3
    assert last["zona"] == "merah" and last["indikator_25"] is None


def test_csv_and_xlsx_have_the_same_columns_and_order(period):
    content, content_type, _name = exports.export(period, "csv")
    assert content_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == KEYS
    assert [(r[0], r[2], r[5]) for r in rows[1:]] == [
        ("BAPPEDA", "4.00", "1"),
        ("DISKOMINFO", "3.03", "2"),
        ("BIRO-HUKUM", "0.00", "3"),
    ]
    assert rows[3][KEYS.index("indikator_1")] == ""

    content, _type, _name = exports.export(period, "xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert table[0] == KEYS
    assert [r[0] for r in table[1:]] == ["BAPPEDA", "DISKOMINFO", "BIRO-HUKUM"]
    assert table[2][2] == pytest.approx(3.03)
    assert sheet.cell(row=3, column=3).number_format == "0.00"
    assert sheet.cell(row=3, column=KEYS.index("indikator_2") + 1).value == 3


def test_export_command(period, tmp_path, capsys):
    call_command("export_results", pemda="76", tahun=2024, format="json")
    rows = json.loads(capsys.readouterr().out)
    assert [r["kode_opd"] for r in rows] == ["BAPPEDA", "DISKOMINFO", "BIRO-HUKUM"]
    target = tmp_path / "hasil.xlsx"
    call_command("export_results", pemda="76", tahun=2024, format="xlsx", output=str(target))
    assert load_workbook(target).active.cell(row=1, column=1).value == "kode_opd"
    with pytest.raises(CommandError):
        call_command("export_results", pemda="76", tahun=2019)


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
    # An OPD user downloads its own row only.
    client.force_login(world.operator_kominfo)
    rows = json.loads(client.get(export_url(world.sulbar, tahun=2024, format="json")).content)
    assert [r["kode_opd"] for r in rows] == ["DISKOMINFO"]


def test_opd_list_has_the_download_button(client, world, period):
    client.force_login(world.evaluator_sulbar)
    page = client.get(reverse("opd_list", args=["76"])).content.decode()
    assert reverse("results_export", args=["76"]) + "?tahun=2024" in page
