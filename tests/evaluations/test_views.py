"""The first pages: who sees what, honest figures, and the same few queries at any size."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import Period
from evaluations.services.periods import ensure_assessments
from evaluations.services.recompute import recompute_period
from tests.factories import OPDFactory, make_period, set_levels

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(world):
    """2024 (final) and 2023 periods for Sulbar, 2024 for Polewali Mandar and Sulsel,
    with Diskominfo at level 4 everywhere (index 4,00, green) and Bappeda at level 2
    (2,00, red) in 2024."""
    periods = {
        "sulbar": make_period(world.sulbar, 2024, status=Period.Status.FINAL),
        "sulbar_2023": make_period(world.sulbar, 2023, status=Period.Status.FINAL),
        "polman": make_period(world.polman, 2024),
        "sulsel": make_period(world.sulsel, 2024),
    }
    p = periods["sulbar"]
    set_levels(p.assessments.get(opd=world.kominfo), 4)
    set_levels(p.assessments.get(opd=world.bappeda), 2)
    set_levels(periods["sulbar_2023"].assessments.get(opd=world.kominfo), 3)
    set_levels(periods["sulbar_2023"].assessments.get(opd=world.bappeda), 2, evaluator=False)
    set_levels(periods["polman"].assessments.get(opd=world.polman_dinkes), 3)
    for period in periods.values():
        recompute_period(period.id)
    return periods


def opd_list(pemda):
    return reverse("opd_list", args=[pemda.kode])


def opd_detail(opd):
    return reverse("opd_detail", args=[opd.pemda.kode, opd.kode])


def test_anonymous_users_are_sent_to_log_in(client, world):
    for url in ["/", opd_list(world.sulbar), opd_detail(world.kominfo)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")


def test_demo_style_login_reaches_home(client, world):
    response = client.post(
        reverse("login"), {"username": "sekprov.sulbar", "password": "sandi-uji-123"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    bad = client.post(reverse("login"), {"username": "sekprov.sulbar", "password": "salah"})
    assert bad.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in bad.content.decode()


def test_province_home_shows_its_figures_and_its_kabupaten(client, world, scored):
    client.force_login(world.sekprov)
    page = client.get("/").content.decode()
    assert "Provinsi Sulawesi Barat" in page
    # Average of 4,00 and 2,00; one green, one red. Against 2023 like with like: only
    # Diskominfo has figures in both years (Bappeda was only self-assessed then):
    # 3,00 → 4,00, +1,00 for the same 1 OPD, not an average over different OPDs.
    assert 'data-testid="average-index">3,00<' in page
    assert 'data-testid="zone-hijau">1<' in page and 'data-testid="zone-merah">1<' in page
    assert "+1,00 dibanding 2023 pada 1 OPD yang sama (3,00 → 4,00)" in page
    assert 'data-testid="official-index"' in page and "belum dicatat" in page
    assert "Kabupaten Polewali Mandar" in page
    assert "Sulawesi Selatan" not in page


def test_kabupaten_home_shows_only_its_pemda(client, world, scored):
    client.force_login(world.bupati_polman)
    page = client.get("/").content.decode()
    assert "Kabupaten Polewali Mandar" in page
    assert 'data-testid="average-index">3,00<' in page
    assert "Provinsi Sulawesi Barat" not in page
    assert "Dinas Komunikasi" not in page


def test_opd_head_home_shows_own_index_zone_and_rank(client, world, scored):
    client.force_login(world.kepala_kominfo)
    page = client.get("/").content.decode()
    assert 'data-testid="opd-index">4,00<' in page
    assert 'data-testid="opd-rank">1 dari 2<' in page
    assert "Hijau" in page
    assert "Bappeda" not in page and "Badan Perencanaan" not in page


def test_user_without_role_sees_no_data(client, world, scored):
    client.force_login(world.no_role)
    response = client.get("/")
    assert response.status_code == 403
    assert "Dinas Komunikasi" not in response.content.decode()


def test_superuser_home_lists_every_province(client, world):
    client.force_login(world.superadmin)
    page = client.get("/").content.decode()
    assert "Provinsi Sulawesi Barat" in page and "Provinsi Sulawesi Selatan" in page


@pytest.mark.parametrize(
    "username, pemda, status",
    [
        ("sekprov", "sulbar", 200),
        ("evaluator_sulbar", "sulbar", 200),
        ("sekprov", "polman", 200),  # province staff read their kabupaten
        ("bupati_polman", "polman", 200),
        ("bupati_polman", "sulbar", 404),  # a kabupaten never sees the province
        ("evaluator_polman", "majene", 404),  # nor a sibling kabupaten
        ("admin_sulsel", "sulbar", 404),  # nor does another province
        ("sekprov", "sulsel", 404),
        ("evaluator_gowa", "polman", 404),
        ("kepala_kominfo", "sulbar", 200),  # an OPD sees its own row only (below)
        ("kepala_kominfo", "polman", 404),
        ("superadmin", "sulsel", 200),
    ],
)
def test_opd_list_is_tenant_scoped(client, world, scored, username, pemda, status):
    client.force_login(getattr(world, username))
    response = client.get(opd_list(getattr(world, pemda)))
    assert response.status_code == status


def test_opd_list_ranks_with_stored_figures_and_filters(client, world, scored):
    client.force_login(world.sekprov)
    page = client.get(opd_list(world.sulbar) + "?tahun=2024").content.decode()
    assert page.index("Dinas Komunikasi") < page.index("Badan Perencanaan")
    assert "4,00" in page and "2,00" in page and "Sangat Baik" in page and "Cukup" in page
    assert "Hijau" in page and "Merah" in page

    red_only = client.get(opd_list(world.sulbar) + "?tahun=2024&zona=merah").content.decode()
    assert "Badan Perencanaan" in red_only and "Dinas Komunikasi" not in red_only
    searched = client.get(opd_list(world.sulbar) + "?tahun=2024&q=bappeda").content.decode()
    assert "Badan Perencanaan" in searched and "Dinas Komunikasi" not in searched
    by_predikat = client.get(opd_list(world.sulbar) + "?tahun=2024&predikat=Sangat+Baik")
    assert "Badan Perencanaan" not in by_predikat.content.decode()

    earlier = client.get(opd_list(world.sulbar) + "?tahun=2023").content.decode()
    assert "3,00" in earlier and "4,00" not in earlier
    assert client.get(opd_list(world.sulbar) + "?tahun=1999").status_code == 404


def test_opd_user_sees_only_its_own_row_in_the_list(client, world, scored):
    client.force_login(world.operator_kominfo)
    page = client.get(opd_list(world.sulbar)).content.decode()
    assert "Dinas Komunikasi" in page and "Badan Perencanaan" not in page


def test_opd_list_exports_csv_with_the_ranking(client, world, scored):
    client.force_login(world.evaluator_sulbar)
    response = client.get(opd_list(world.sulbar) + "?tahun=2024&_export=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["DISKOMINFO", "BAPPEDA"]
    assert rows[1][2] == "4.00" and rows[1][4] == "hijau"


@pytest.mark.parametrize(
    "username, opd, status",
    [
        ("sekprov", "kominfo", 200),
        ("sekprov", "polman_dinkes", 200),
        ("kepala_kominfo", "kominfo", 200),
        ("operator_kominfo", "kominfo", 200),
        ("kepala_kominfo", "bappeda", 404),  # an OPD head never sees another OPD
        ("bupati_polman", "kominfo", 404),  # a kabupaten user asking for a province OPD
        ("evaluator_polman", "majene_dinkes", 404),
        ("kepala_polman_dinkes", "kominfo", 404),
        ("admin_sulsel", "kominfo", 404),  # another province
        ("evaluator_gowa", "polman_dinkes", 404),
        ("sekprov", "sulsel_kominfo", 404),
        ("no_role", "kominfo", 404),
    ],
)
def test_opd_detail_is_tenant_scoped(client, world, scored, username, opd, status):
    client.force_login(getattr(world, username))
    assert client.get(opd_detail(getattr(world, opd))).status_code == status


def test_opd_detail_shows_levels_and_history(client, world, scored):
    assessment = scored["sulbar"].assessments.get(opd=world.kominfo)
    score = assessment.scores.get(indicator__nomor=25)
    score.level_mandiri, score.level_evaluator, score.catatan_evaluator = (
        5,
        4,
        "Bukti belum lengkap",
    )
    score.save()
    client.force_login(world.kepala_kominfo)
    page = client.get(opd_detail(world.kominfo) + "?tahun=2024").content.decode()
    assert 'data-testid="selected-index">4,00<' in page
    assert "Laman OPD dan Keterbukaan Informasi" in page and "Bukti belum lengkap" in page
    assert "2023" in page and "3,00" in page  # the history row of the previous year
    assert "Layanan SPBE" in page  # domain indices


def test_english_can_be_chosen(client, world, scored):
    client.force_login(world.sekprov)
    assert "Beranda" in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "Home" in page and "Beranda" not in page


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add_opds(pemda, count):
    for _ in range(count):
        OPDFactory(pemda=pemda)
    for period in Period.objects.filter(pemda=pemda):
        ensure_assessments(period)
        recompute_period(period.id)


def test_page_queries_do_not_grow_with_the_number_of_opds(client, world, scored):
    client.force_login(world.sekprov)
    urls = ["/", opd_list(world.sulbar) + "?tahun=2024", opd_detail(world.kominfo)]
    _add_opds(world.sulbar, 6)  # past the home page's top-5 / bottom-5 lists
    with_8_opds = [_count_queries(client, url) for url in urls]
    _add_opds(world.sulbar, 30)
    with_38_opds = [_count_queries(client, url) for url in urls]
    assert with_38_opds == with_8_opds


def test_opd_detail_of_an_unknown_year_is_a_404(client, world, scored):
    client.force_login(world.sekprov)
    assert client.get(opd_detail(world.kominfo) + "?tahun=1999").status_code == 404
