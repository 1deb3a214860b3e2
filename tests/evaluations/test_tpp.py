"""The SPBE component of the TPP (issue 16): the pemda's rule as data with Indonesian
errors, recorded; XLSX and CSV per period with the rule printed, one row per OPD, and
no share for an OPD without a provisional or final index."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from evaluations.models import ChangeLog, TppMapping
from evaluations.services import tpp
from evaluations.services.recompute import recompute_period
from tests.factories import OPDFactory, make_period, set_levels

pytestmark = pytest.mark.django_db

PAGE = "/pemda/76/tpp/"
BANDS = {"cara": "pita", "pita": "3,50 100\n2,60 80\n1,00 50", "bagian_spbe": "30"}


@pytest.fixture
def period(world):
    """Sulbar 2024: Bappeda 4.00, Diskominfo 3.00, Biro Hukum in progress."""
    OPDFactory(pemda=world.sulbar, kode="BIRO-HUKUM", nama="Biro Hukum")
    period = make_period(world.sulbar, 2024)
    set_levels(period.assessments.get(opd=world.bappeda), 4)
    set_levels(period.assessments.get(opd=world.kominfo), 3)
    set_levels(period.assessments.get(opd__kode="BIRO-HUKUM"), dict.fromkeys(range(1, 13), 2))
    recompute_period(period.id)
    return period


def save(client, user, data):
    client.force_login(user)
    return client.post(PAGE, data)


@pytest.mark.parametrize(
    ("pita", "message"),
    [
        ("3,50", "tulis batas bawah dan persentase"),
        ("3,50 100\n2,00 80", "harus dimulai dari 1,00"),
        ("3,50 50\n1,00 80", "persentase yang lebih kecil"),
        ("6 100\n1,00 120", "1,00–5,00"),
        ("", "Berikan paling sedikit satu pita"),
    ],
)
def test_a_bad_rule_is_refused_with_a_message(client, world, pita, message):
    response = save(client, world.admin_sulbar, {**BANDS, "pita": pita})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TppMapping.objects.exists()


def test_linear_bounds_and_share_are_checked(client, world):
    response = save(
        client,
        world.admin_sulbar,
        {"cara": "linier", "linier_dari": "4", "linier_sampai": "2", "bagian_spbe": "130"},
    )
    html = response.content.decode()
    assert "di bawah indeks 100%" in html and "paling banyak 100%" in html
    assert not TppMapping.objects.exists()


def test_the_rule_is_saved_recorded_and_shown(client, world):
    assert save(client, world.admin_sulbar, BANDS).status_code == 302
    mapping = TppMapping.objects.get(pemda=world.sulbar)
    assert mapping.pita == [["3.50", "100.00"], ["2.60", "80.00"], ["1.00", "50.00"]]
    change = ChangeLog.objects.get(field="tpp_mapping")
    assert change.user == world.admin_sulbar and "dari 3,50: 100%" in change.new_value
    page = client.get(PAGE).content.decode()
    assert "Komponen SPBE adalah 30% dari komponen capaian kinerja" in page
    # The pemda's other staff read it; they do not change it.
    client.force_login(world.sekprov)
    assert "dari 2,60: 80%" in client.get(PAGE).content.decode()
    assert client.post(PAGE, {**BANDS, "bagian_spbe": "40"}).status_code == 404
    # A province's administrator reads its kabupaten's, changes nothing there.
    assert save(client, world.admin_sulbar, BANDS).status_code == 302
    client.force_login(world.admin_sulbar)
    assert client.get("/pemda/76.02/tpp/").status_code == 200
    assert client.post("/pemda/76.02/tpp/", BANDS).status_code == 404
    assert not TppMapping.objects.filter(pemda=world.polman).exists()
    # OPD users: 404.
    client.force_login(world.kepala_kominfo)
    assert client.get(PAGE).status_code == 404


def test_xlsx_one_row_per_opd_with_the_rule(client, world, period):
    save(client, world.admin_sulbar, BANDS)
    client.force_login(world.sekprov)
    response = client.get("/pemda/76/tpp/unduh/?tahun=2024&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="tpp-spbe-76-2024.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert any("Aturan: Pita indeks: dari 3,50: 100%" in (r[0] or "") for r in rows[:4])
    start = next(i for i, r in enumerate(rows) if r[0] == "Kode OPD")
    body = rows[start + 1 :]
    assert [r[:3] for r in body] == [
        ["BAPPEDA", "Badan Perencanaan Pembangunan Daerah", 4.0],
        ["DISKOMINFO", "Dinas Komunikasi dan Informatika", 3.0],
        ["BIRO-HUKUM", "Biro Hukum", None],
    ]
    assert [(r[4], r[5], r[6]) for r in body] == [
        ("Sementara", 100.0, 30.0),
        ("Sementara", 80.0, 24.0),
        ("Dalam proses", None, None),
    ]
    assert "tidak ada komponen SPBE" in body[2][7]
    assert sheet.page_setup.orientation == "landscape"


def test_csv_prints_the_rule_in_comment_lines(client, world, period):
    save(client, world.admin_sulbar, BANDS)
    response = client.get("/pemda/76/tpp/unduh/?tahun=2024&format=csv")
    text = response.content.decode("utf-8-sig")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert len(comments) == 3 and "3,50: 100%" in comments[2]
    rows = list(csv.reader(io.StringIO("\n".join(x for x in text.splitlines() if x[:1] != "#"))))
    assert rows[0] == tpp.COLUMNS
    assert rows[1][:7] == [
        "BAPPEDA",
        "Badan Perencanaan Pembangunan Daerah",
        "4.00",
        "Sangat Baik",
        "sementara",
        "100.00",
        "30.00",
    ]
    assert rows[3][5:7] == ["", ""]


def test_linear_rule(world, period):
    mapping = tpp.save_mapping(
        world.admin_sulbar, world.sulbar, "linier", "", Decimal("1"), Decimal("5"), Decimal("30")
    )
    assert tpp.percentage(mapping, Decimal("4.00")) == Decimal("75.00")
    assert tpp.percentage(mapping, Decimal("3.004")) == Decimal("50.00")  # as shown: 3.00
    rows = tpp.rows(period, mapping)
    assert [r["persen_komponen_spbe"] for r in rows] == [Decimal("75.00"), Decimal("50.00"), None]
    assert [r["persen_capaian_kinerja"] for r in rows][:2] == [Decimal("22.50"), Decimal("15.00")]
    mapping.linier_dari, mapping.linier_sampai = Decimal("2"), Decimal("3.5")
    assert tpp.percentage(mapping, Decimal("1.5")) == 0
    assert tpp.percentage(mapping, Decimal("4")) == 100


def test_without_a_rule_the_download_sends_back(client, world, period):
    client.force_login(world.sekprov)
    response = client.get("/pemda/76/tpp/unduh/?tahun=2024&format=xlsx")
    assert response.status_code == 302 and response["Location"] == PAGE
    assert client.get("/pemda/76/tpp/unduh/?tahun=2024&format=pdf").status_code == 404
