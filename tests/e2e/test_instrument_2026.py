"""The 2026 instrument in a real browser: the province's administrator clones PermenPANRB
8/2026 into a draft, a weight that breaks the sum is refused with the reason, the fix is
saved, items are added to I1 and the version is published; on a period using it the
evaluator scores I1's items and sees the indicator value and the OPD's index follow."""

from decimal import Decimal

from playwright.sync_api import expect

from evaluations.models import Instrument, Period
from evaluations.services.periods import open_period
from tests.factories import instrument_2026


def test_clone_edit_publish_and_score_items(page, live_server, login, world):
    instrument_2026()  # a browser test's database is flushed after each test
    base = live_server.url
    login("admin.sulbar")
    page.goto(f"{base}/instrumen/permenpanrb-8-2026/")
    page.fill("#clone-name", "Instrumen OPD Sulbar 2026")
    page.get_by_test_id("clone").click()
    expect(page.get_by_test_id("instrument-status")).to_have_attribute("data-status", "draf")
    draft = Instrument.objects.get(nama="Instrumen OPD Sulbar 2026")

    # I1 from 5 to 4: the weights add up to 99, the page refuses and says why.
    page.get_by_test_id("edit-structure").click()
    page.get_by_test_id("weight-1").fill("4")
    page.get_by_test_id("save-structure").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("99")
    assert draft.indicators.get(kode="I1").bobot == Decimal("5")
    # I2 from 5 to 6 as well: saved.
    page.get_by_test_id("weight-2").fill("6")
    page.get_by_test_id("save-structure").click()
    expect(page.get_by_test_id("instrument-ready")).to_be_visible()

    # Three items for I1.
    page.get_by_test_id("edit-indicator-1").click()
    for n, name in enumerate(("Kebijakan ditetapkan", "Peran ditetapkan", "Reviu berkala"), 1):
        page.get_by_test_id(f"new-item-{n}").fill(name)
    page.get_by_test_id("save-indicator").click()
    expect(page.locator("[data-testid=indicator-row][data-nomor='1']")).to_contain_text("3 butir")
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("instrument-status")).to_have_attribute("data-status", "terbit")

    # A period on the published version; every indicator but I1 validated at 3,00.
    draft.refresh_from_db()
    period = open_period(world.sulbar, 2026, draft, status=Period.Status.EVALUATION)
    kominfo = period.assessments.get(opd=world.kominfo)
    kominfo.scores.exclude(indicator__kode="I1").update(level_evaluator=Decimal("3"))

    page.context.clear_cookies()
    login("evaluator.sulbar")
    page.goto(f"{base}/pemda/76/evaluasi/DISKOMINFO/?tahun=2026")
    card = page.get_by_test_id("indicator-1")
    expect(card.get_by_test_id("items")).to_be_visible()
    for item, level in ((1, 4), (2, 4), (3, 2)):
        card.locator(f"label[for$='-{level}']").nth(item - 1).click()
    card.get_by_test_id("save").click()
    card = page.get_by_test_id("indicator-1")
    expect(card.get_by_test_id("saved")).to_be_visible()
    # (4 + 4 + 2) / 3 = 3,33; index = 3 + (3,3333 − 3) × 4 / 100 = 3,01.
    expect(card.get_by_test_id("item-value")).to_contain_text("3,33")
    expect(page.get_by_test_id("opd-index")).to_have_text("3,01")
    expect(page.get_by_test_id("progress")).to_have_attribute("data-validated", "20")
