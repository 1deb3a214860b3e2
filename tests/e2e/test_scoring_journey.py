"""The scoring journey in a real browser: the operator fills the self-assessment, the
head of the OPD submits it, and the evaluator scores all 25 indicators with the keyboard
only; the OPD gets its index (from the evaluator's levels) and the ranking page shows it."""

from playwright.sync_api import expect

from evaluations.models import Assessment, Period
from tests.factories import make_period


def test_operator_fills_kepala_submits_evaluator_scores_by_keyboard(
    page, live_server, login, world
):
    period = make_period(world.sulbar, 2024, status=Period.Status.SELF_ASSESSMENT)
    base = live_server.url

    # The operator picks level 3 for each indicator; each save answers without a reload.
    login("operator.kominfo")
    page.goto(f"{base}/pemda/76/opd/DISKOMINFO/mandiri/?tahun=2024")
    cards = page.locator(".indicator")
    expect(cards).to_have_count(25)
    page.evaluate("window.__noReload = true")
    for i in range(25):
        card = page.locator(".indicator").nth(i)
        card.get_by_test_id("level-3").check()
        card.get_by_test_id("save").click()
        expect(page.locator(".indicator").nth(i).get_by_test_id("saved")).to_be_visible()
    assert page.evaluate("window.__noReload") is True
    # The OPD's own claim, not yet a figure: no index, zone or rank before evaluation.
    expect(page.get_by_test_id("self-index")).to_contain_text("3,00")
    assert page.get_by_test_id("opd-index").count() == 0
    expect(page.get_by_test_id("progress")).to_have_attribute("data-filled", "25")

    # Only the head of the OPD submits.
    assert page.get_by_test_id("submit-self").count() == 0
    page.context.clear_cookies()
    login("kepala.kominfo")
    page.goto(f"{base}/pemda/76/opd/DISKOMINFO/mandiri/?tahun=2024")
    page.get_by_test_id("submit-self").click()
    page.get_by_test_id("submit-confirm").click()  # the checklist, then confirm
    expect(page.get_by_test_id("self-status")).to_have_attribute("data-status", "diajukan")
    assert page.get_by_test_id("save").count() == 0
    assessment = Assessment.objects.get(period=period, opd=world.kominfo)
    assert assessment.status_mandiri == Assessment.SelfStatus.SUBMITTED

    # The period moves to evaluation; until validated the OPD is in progress, unranked.
    Period.objects.filter(pk=period.pk).update(status=Period.Status.EVALUATION)
    page.context.clear_cookies()
    login("evaluator.sulbar")
    page.goto(f"{base}/pemda/76/opd/?tahun=2024")
    expect(page.locator("tr", has_text="Dinas Komunikasi")).to_contain_text("Dalam proses")

    page.goto(f"{base}/pemda/76/evaluasi/?tahun=2024")
    page.get_by_role("link", name="Dinas Komunikasi dan Informatika").click()
    expect(page.locator("[data-indicator]")).to_have_count(25)
    page.evaluate("window.__noReload = true")
    for i in range(25):
        page.keyboard.press("4")
        page.keyboard.press("Enter")
        expect(page.locator("[data-indicator]").nth(i)).to_have_attribute("data-saved", "1")
    assert page.evaluate("window.__noReload") is True
    expect(page.get_by_test_id("opd-index")).to_have_text("4,00")
    expect(page.get_by_test_id("progress")).to_have_attribute("data-validated", "25")

    assessment.refresh_from_db()
    assert assessment.scores.filter(level_evaluator=4).count() == 25
    page.goto(f"{base}/pemda/76/opd/?tahun=2024")
    expect(page.locator("tr", has_text="Dinas Komunikasi")).to_contain_text("4,00")
