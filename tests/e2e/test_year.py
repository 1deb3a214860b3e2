"""A year through the figure rules in a real browser: the admin opens the next period,
the Sekprov still sees the running year, the operator's first indicator shows as
progress (not as a red zone), the period is finalised, its thresholds refuse to change,
it is reopened with a reason and its history says so in words."""

from playwright.sync_api import expect

from evaluations.models import Period
from evaluations.services.recompute import recompute_period
from tests.factories import make_period, set_levels


def test_a_year_of_honest_figures(page, live_server, login, world):
    base = live_server.url
    world.admin_sulbar.first_name, world.admin_sulbar.last_name = "Muhammad", "Ridwan"
    world.admin_sulbar.save()
    running = make_period(world.sulbar, 2025)
    set_levels(running.assessments.get(opd=world.kominfo), 4)
    set_levels(running.assessments.get(opd=world.bappeda), 2)
    recompute_period(running.pk)

    # The admin opens 2026 for self-assessment from the running period's page.
    login("admin.sulbar")
    page.goto(f"{base}/pemda/76/periode/?tahun=2025")
    page.get_by_test_id("open-next").click()
    page.get_by_test_id("period-create").click()
    expect(page.get_by_test_id("period-status")).to_have_attribute("data-status", "mandiri")
    assert Period.objects.filter(pemda=world.sulbar, tahun=2026).exists()

    # The Sekprov's home and dashboard stay on 2025, with its figures, and say 2026 runs.
    page.context.clear_cookies()
    login("sekprov.sulbar")
    expect(page.get_by_test_id("home-period")).to_contain_text("2025")
    expect(page.get_by_test_id("average-index")).to_have_text("3,00")
    expect(page.get_by_test_id("running-period")).to_contain_text("2026")
    assert "None" not in page.locator("main").inner_text()
    page.goto(f"{base}/pemda/76/dasbor/")
    expect(page.get_by_test_id("dashboard-average")).to_have_text("3,00")
    assert "None" not in page.locator("main").inner_text()

    # The operator fills one indicator of 2026: the OPD's home shows progress, no verdict.
    page.context.clear_cookies()
    login("operator.kominfo")
    page.goto(f"{base}/pemda/76/opd/DISKOMINFO/mandiri/")
    card = page.locator(".indicator").first
    card.get_by_test_id("level-3").check()
    card.get_by_test_id("save").click()
    expect(page.locator(".indicator").first.get_by_test_id("saved")).to_be_visible()
    figures = page.get_by_test_id("opd-figures")
    expect(figures).to_contain_text("Dalam proses")
    assert "Merah" not in figures.inner_text() and "Kurang" not in figures.inner_text()
    page.goto(f"{base}/")
    expect(page.get_by_test_id("running-progress")).to_contain_text("1 dari 25 indikator terisi")

    # The admin finalises 2025; its thresholds can no longer change, not even by a form
    # posted by hand.
    page.context.clear_cookies()
    login("admin.sulbar")
    page.goto(f"{base}/pemda/76/periode/?tahun=2025")
    page.get_by_test_id("finalise").click()
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("period-status")).to_have_attribute("data-status", "final")
    page.goto(f"{base}/pemda/76/periode/ambang-zona/?tahun=2025")
    expect(page.get_by_test_id("thresholds-final")).to_be_visible()
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"{base}/pemda/76/periode/ambang-zona/?tahun=2025",
        form={"hijau": "4,00", "kuning": "3,00", "alasan": "coba", "confirm": "1"},
        headers={"X-CSRFToken": csrf, "Referer": f"{base}/"},
    )
    assert response.status == 200 and "tidak dapat diubah lagi" in response.text()
    running.refresh_from_db()
    assert str(running.zona_hijau_dari) == "3.50" and running.is_final

    # Reopening asks for a reason; the history then says who did what, in words.
    page.goto(f"{base}/pemda/76/periode/?tahun=2025")
    page.get_by_test_id("reopen").click()
    page.fill("#id_alasan", "Koreksi atas sanggahan Bappeda")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("period-status")).to_have_attribute("data-status", "evaluasi")
    history = page.get_by_test_id("period-change").first
    expect(history).to_contain_text("Muhammad Ridwan")
    expect(history).to_contain_text("Status periode: Final → Dalam evaluasi")
    expect(history).to_contain_text("Koreksi atas sanggahan Bappeda")
