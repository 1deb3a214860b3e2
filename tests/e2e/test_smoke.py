"""The first pages in a real browser: login, the home page, the OPD ranking, 404s."""

from evaluations.models import Period
from evaluations.services.recompute import recompute_period
from tests.factories import make_period, set_levels


def test_sekprov_signs_in_and_opens_the_ranking(page, live_server, login, world):
    period = make_period(world.sulbar, 2024, status=Period.Status.FINAL)
    set_levels(period.assessments.get(opd=world.kominfo), 4)
    set_levels(period.assessments.get(opd=world.bappeda), 2)
    recompute_period(period.id)

    login("sekprov.sulbar")
    assert page.get_by_test_id("average-index").inner_text() == "3,00"
    assert page.locator("link[href$='bootstrap.min.css']").count() == 1

    page.get_by_role("link", name="Peringkat OPD").click()
    rows = page.locator("table tbody tr")
    assert rows.count() == 2
    assert "Dinas Komunikasi" in rows.nth(0).inner_text()
    assert "Hijau" in rows.nth(0).inner_text() and "Merah" in rows.nth(1).inner_text()

    page.get_by_test_id("user-menu-button").click()
    page.select_option("#language-select", "en")
    page.get_by_role("button", name="Ganti").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="OPD list").is_visible()


def test_opd_head_gets_404_for_another_opd(page, live_server, login, world):
    make_period(world.sulbar, 2024)
    login("kepala.kominfo")
    response = page.goto(f"{live_server.url}/pemda/76/opd/BAPPEDA/")
    assert response.status == 404
    assert "Halaman tidak ditemukan" in page.content()
