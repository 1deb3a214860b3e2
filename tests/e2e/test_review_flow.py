"""Issue 13 in a real browser, at 1366×768 and on a 390×844 phone: an evaluator reviews
a whole OPD in a new stage with the keyboard only (next not reviewed, level, save, next
OPD) and the per-stage counts move; evidence opens in a preview; an operator edits three
indicators, is warned on leaving, saves them all at once, and the head submits through
the checklist. No horizontal scroll, no console error."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from evaluations.models import Assessment, Period, Stage, StageReview
from evaluations.services import evidence as evidence_service
from evaluations.services import scores as svc
from tests.e2e.pagewalk import watch
from tests.factories import PASSWORD, make_period, set_levels

SIZES = [(1366, 768), (390, 844)]
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture(params=SIZES, ids=["1366x768", "390x844"])
def sized(browser, request):
    width, height = request.param
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="id-ID", bypass_csp=True
    )
    context.set_default_timeout(10_000)
    page = watch(context.new_page())  # the page walk's rule for console errors and failures
    yield page
    context.close()


def sign_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/akun/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def own_problems(page):
    return page.problems


def test_evaluator_reviews_a_whole_opd_in_a_new_stage_by_keyboard(
    sized, live_server, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    page, base = sized, live_server.url
    period = make_period(world.sulbar, 2024, status=Period.Status.SELF_ASSESSMENT)
    evaluator = world.evaluator_sulbar
    kominfo = period.assessments.get(opd=world.kominfo)
    evidence_service.add_file(
        world.operator_kominfo,
        kominfo.scores.get(indicator__nomor=1),
        SimpleUploadedFile("sk.pdf", PDF),
        "SK",
    )
    Period.objects.filter(pk=period.pk).update(status=Period.Status.EVALUATION)
    for assessment in period.assessments.all():
        set_levels(assessment, 3, evaluator=False)
        for score in assessment.scores.all():
            svc.save_review(evaluator, score.pk, None, 2, "")
    bappeda = period.assessments.get(opd=world.bappeda)
    svc.end_document_review(evaluator, period.pk)
    # Two indicators of Bappeda are already reviewed in the interview.
    for nomor in (1, 2):
        score = bappeda.scores.get(indicator__nomor=nomor)
        svc.save_review(evaluator, score.pk, None, 3, "")

    sign_in(page, base, "evaluator.sulbar")
    page.goto(f"{base}/pemda/76/evaluasi/?tahun=2024")
    row = page.locator("tr[data-opd=BAPPEDA]")
    expect(row.get_by_test_id("stage-reviewed")).to_have_text("2")
    fits(page)
    page.get_by_role("link", name=world.bappeda.nama).click()
    progress = page.get_by_test_id("stage-progress")
    expect(progress).to_have_attribute("data-reviewed", "2")
    expect(progress).to_contain_text("ditinjau pada tahap Penilaian interviu: 2/25")
    fits(page)
    # Nothing pre-selected from the document review; its level is shown beside.
    third = page.get_by_test_id("indicator-3")
    expect(third.locator("input[name=level]:checked")).to_have_count(0)
    expect(third.get_by_test_id("earlier-stage")).to_contain_text("2")
    # The page starts on the first indicator this stage has not reviewed.
    expect(third).to_be_focused()
    page.evaluate("window.__noReload = true")
    page.keyboard.press("k")  # back to a reviewed one ...
    page.keyboard.press("n")  # ... and on to the next not reviewed
    expect(third).to_be_focused()
    for nomor in range(3, 26):
        page.keyboard.press("4")
        page.keyboard.press("Enter")
        expect(page.get_by_test_id(f"indicator-{nomor}")).to_have_attribute("data-reviewed", "1")
    expect(progress).to_have_attribute("data-reviewed", "25")
    assert page.evaluate("window.__noReload") is True
    assert StageReview.objects.filter(score__assessment=bappeda, tahap=Stage.INTERVIU).count() == 25

    # The next OPD, by keyboard.
    page.keyboard.press("o")
    page.wait_for_url("**/evaluasi/DISKOMINFO/**")
    expect(page.get_by_test_id("stage-progress")).to_have_attribute("data-reviewed", "0")
    expect(page.get_by_test_id("no-next-opd")).to_be_visible()
    # Evidence opens in a preview (a PDF in the browser's viewer), in a new tab.
    with page.expect_popup() as opened:
        page.get_by_test_id("indicator-1").get_by_test_id("evidence-preview-link").click()
    preview = opened.value
    expect(preview.get_by_test_id("evidence-frame")).to_be_visible()
    assert preview.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    preview.close()
    # Take the OPD's level with A for the first one.
    page.get_by_test_id("indicator-1").focus()
    page.keyboard.press("a")
    expect(page.get_by_test_id("indicator-1")).to_have_attribute("data-reviewed", "1")
    expect(page.get_by_test_id("stage-progress")).to_have_attribute("data-reviewed", "1")
    fits(page)
    # Tick two more with X and take the OPD's level for both, after a confirmation.
    for nomor in (2, 3):
        page.get_by_test_id(f"indicator-{nomor}").focus()
        page.keyboard.press("x")
    page.get_by_test_id("adopt-selected").click()
    expect(page.get_by_test_id("adopt-item")).to_have_count(2)
    expect(page.get_by_test_id("adopt-count")).to_contain_text("2 indikator")
    fits(page)
    page.get_by_test_id("adopt-confirm").click()
    expect(page.get_by_test_id("stage-progress")).to_have_attribute("data-reviewed", "3")
    page.goto(f"{base}/pemda/76/evaluasi/?tahun=2024")
    expect(page.locator("tr[data-opd=BAPPEDA]").get_by_test_id("stage-reviewed")).to_have_text("25")
    expect(page.locator("tr[data-opd=DISKOMINFO]").get_by_test_id("stage-reviewed")).to_have_text(
        "3"
    )
    assert own_problems(page) == []


def test_operator_saves_the_page_at_once_warned_on_leaving_head_submits(
    sized, live_server, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    page, base = sized, live_server.url
    period = make_period(world.sulbar, 2024, status=Period.Status.SELF_ASSESSMENT)
    assessment = period.assessments.get(opd=world.kominfo)
    set_levels(assessment, 3, evaluator=False)
    url = f"{base}/pemda/76/opd/DISKOMINFO/mandiri/?tahun=2024"

    sign_in(page, base, "operator.kominfo")
    page.goto(url)
    state = page.get_by_test_id("save-state")
    expect(state).to_have_attribute("data-state", "clean")
    expect(page.get_by_test_id("save-all")).to_be_disabled()
    for nomor, level in ((1, "4"), (2, "5"), (3, "2")):
        card = page.get_by_test_id(f"indicator-{nomor}")
        card.get_by_test_id(f"level-{level}").check()
        card.locator("textarea[name=penjelasan]").fill(f"Penjelasan {nomor}")
    expect(state).to_have_attribute("data-dirty", "3")
    expect(state).to_contain_text("3 indikator memiliki perubahan yang belum disimpan")
    fits(page)

    # Leaving asks first; staying keeps the edits.
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.evaluate("window.__stay = true")
    page.locator("a.navbar-brand").click(no_wait_after=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.evaluate("window.__stay") is True
    expect(state).to_have_attribute("data-dirty", "3")

    # Evidence added to an indicator with unsaved edits keeps them (the indicator is
    # answered again with its evidence; what was typed is put back).
    third = page.get_by_test_id("indicator-3")
    third.get_by_test_id("evidence-file").set_input_files(
        files=[{"name": "sk.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    third.locator("form[enctype] button[type=submit]").click()
    expect(page.get_by_test_id("indicator-3").get_by_test_id("evidence-notice")).to_be_visible()
    third = page.get_by_test_id("indicator-3")
    expect(third.get_by_test_id("level-2")).to_be_checked()
    expect(third.locator("textarea[name=penjelasan]")).to_have_value("Penjelasan 3")
    expect(state).to_have_attribute("data-dirty", "3")

    page.get_by_test_id("save-all").click()
    expect(state).to_have_attribute("data-state", "clean")
    expect(state).to_contain_text("Semua perubahan tersimpan")
    levels = dict(
        assessment.scores.filter(indicator__nomor__in=[1, 2, 3]).values_list(
            "indicator__nomor", "level_mandiri"
        )
    )
    assert levels == {1: 4, 2: 5, 3: 2}
    assert assessment.scores.get(indicator__nomor=2).penjelasan == "Penjelasan 2"
    page.goto(f"{base}/")  # nothing unsaved: no question
    assert dialogs == ["beforeunload"]

    # The head submits through the checklist: every indicator but the third lacks
    # evidence or an explanation.
    sign_in(page, base, "kepala.kominfo")
    page.goto(url)
    page.get_by_test_id("submit-self").click()
    expect(page.get_by_test_id("submit-checklist")).to_be_visible()
    expect(page.get_by_test_id("checklist-item")).to_have_count(24)
    fits(page)
    page.get_by_test_id("submit-confirm").click()
    expect(page.get_by_test_id("self-status")).to_have_attribute("data-status", "diajukan")
    assessment.refresh_from_db()
    assert assessment.status_mandiri == Assessment.SelfStatus.SUBMITTED
    assert own_problems(page) == []


def test_evidence_preview_under_the_real_policy(browser, live_server, world, settings, tmp_path):
    """The preview page under the app's CSP (not bypassed): the PDF loads in its frame,
    sandboxed, and the browser reports no violation."""
    from tests.e2e.test_csp import RECORD_VIOLATIONS

    settings.MEDIA_ROOT = tmp_path
    period = make_period(world.sulbar, 2024, status=Period.Status.SELF_ASSESSMENT)
    score = period.assessments.get(opd=world.kominfo).scores.get(indicator__nomor=1)
    evidence = evidence_service.add_file(
        world.operator_kominfo, score, SimpleUploadedFile("sk.pdf", PDF), "SK"
    )
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.add_init_script(RECORD_VIOLATIONS)
    base = live_server.url
    page.goto(f"{base}/akun/masuk/")
    page.fill("#id_username", "evaluator.sulbar")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    with page.expect_response(lambda r: "tampil=1" in r.url) as framed:
        page.goto(f"{base}/pemda/76/bukti/{evidence.pk}/lihat/")
    response = framed.value
    assert response.status == 200
    assert response.header_value("content-type") == "application/pdf"
    assert "sandbox" in response.header_value("content-security-policy")
    expect(page.get_by_test_id("evidence-frame")).to_be_visible()
    assert page.evaluate("window.__cspViolations") == []
    assert [m for m in console if "favicon" not in m and "404" not in m] == []
    context.close()
