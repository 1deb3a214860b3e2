"""The zone dashboard and the OPD scorecard in a real browser (Playwright + chromium)."""

from django.utils import timezone

from evaluations.models import Period
from evaluations.services.recompute import recompute_period
from tests.factories import OPDFactory, make_period, set_levels


def test_sekprov_sees_one_ranking_bar_per_opd(page, live_server, login, world):
    OPDFactory(pemda=world.sulbar, kode="DINKES", nama="Dinas Kesehatan", singkatan="Dinkes")
    period = make_period(world.sulbar, 2024, status=Period.Status.FINAL)
    set_levels(period.assessments.get(opd=world.kominfo), 4)
    set_levels(period.assessments.get(opd=world.bappeda), 2)
    set_levels(period.assessments.get(opd__kode="DINKES"), 3)
    recompute_period(period.id)

    login("sekprov.sulbar")
    page.goto(f"{live_server.url}/pemda/76/dasbor/?tahun=2024")
    page.wait_for_function("document.documentElement.dataset.chartsReady === 'yes'")
    bars = page.locator("[data-testid=chart-ranking] g.trace.bars g.point")
    assert bars.count() == 3
    ticks = page.locator("[data-testid=chart-ranking] .yaxislayer-above .ytick text")
    # Best first, from the top of the chart down.
    labels = sorted((tick.bounding_box()["y"], tick.text_content()) for tick in ticks.all())
    assert [label for _y, label in labels] == ["Diskominfo", "Dinkes", "Bappeda"]
    assert page.get_by_test_id("dashboard-average").inner_text() == "3,00"
    for name in ("zones", "distribution", "trend", "heatmap"):
        assert page.locator(f"[data-testid=chart-{name}] .main-svg").count() >= 1

    # On a phone the charts are redrawn to the narrower width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(600)
    width = page.locator("[data-testid=chart-ranking] .main-svg").first.bounding_box()["width"]
    assert width <= 390


def test_opd_head_opens_own_scorecard_and_not_another(page, live_server, login, world):
    # Document review has ended: the OPD sees its provisional figures.
    period = make_period(world.sulbar, 2024, sanggahan_dibuka=timezone.now())
    set_levels(period.assessments.get(opd=world.kominfo), 2)
    recompute_period(period.id)

    login("kepala.kominfo")
    page.get_by_test_id("scorecard-link").click()
    page.wait_for_function("document.documentElement.dataset.chartsReady === 'yes'")
    assert page.get_by_test_id("scorecard-index").inner_text() == "2,00"
    assert page.get_by_test_id("exit-step").count() > 0  # red: a way out is shown
    assert page.locator("[data-testid=chart-aspects] g.point").count() == 14  # 7 × 2

    response = page.goto(f"{live_server.url}/pemda/76/opd/BAPPEDA/rapor/")
    assert response.status == 404
