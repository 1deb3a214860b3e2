"""The Content-Security-Policy in a real browser: the pages carry the header and chromium
reports no violation while they load, draw their Plotly charts and save a level."""

import pytest
from playwright.sync_api import expect

from evaluations.models import Period
from evaluations.services.recompute import recompute_period
from tests.factories import make_period, set_levels

# Runs in every page before its own scripts (Playwright injects it; the CSP does not
# apply to it): collects the browser's securitypolicyviolation events.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    event.effectiveDirective + " [" + event.sample + "] blocked " + (event.blockedURI || "inline") +
    " at " + event.sourceFile + ":" + event.lineNumber
  );
});
"""


@pytest.fixture
def page(browser):
    """A page under the real policy (the shared fixture bypasses it), so no
    wait_for_function here: Playwright evaluates its string, which the policy refuses."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def watched(page):
    """The page, recording CSP violations from events and from the console."""
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)

    def violations():
        return console + page.evaluate("window.__cspViolations || []")

    page.csp_violations = violations
    return page


def open_page(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    header = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in header and "style-src 'self'" in header, header
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    return response


def wait_for_charts(page, count):
    page.wait_for_selector("html[data-charts-ready=yes]", state="attached")
    assert page.locator("[data-chart][data-drawn=yes]").count() == count
    assert page.locator("[data-chart] .main-svg").count() >= count


def test_dashboard_and_scorecard_draw_without_csp_violations(watched, live_server, login, world):
    page = watched
    period = make_period(world.sulbar, 2024, status=Period.Status.FINAL)
    set_levels(period.assessments.get(opd=world.kominfo), 4)
    set_levels(period.assessments.get(opd=world.bappeda), 2)
    recompute_period(period.id)

    login("sekprov.sulbar")
    open_page(page, f"{live_server.url}/pemda/76/dasbor/?tahun=2024")
    wait_for_charts(page, page.locator("[data-chart]").count())
    assert page.locator("[data-chart]").count() >= 4
    # Hovering a bar shows Plotly's tooltip (it styles through the DOM, not inline CSS).
    page.locator("[data-testid=chart-ranking] .nsewdrag").first.hover()
    page.wait_for_timeout(300)
    page.goto(f"{live_server.url}/pemda/76/kabupaten/?tahun=2024")
    page.wait_for_timeout(300)
    assert page.csp_violations() == []

    page.context.clear_cookies()
    login("kepala.kominfo")
    open_page(page, f"{live_server.url}/pemda/76/opd/DISKOMINFO/rapor/?tahun=2024")
    wait_for_charts(page, page.locator("[data-chart]").count())
    assert page.locator("[data-testid=chart-aspects] g.point").count() > 0
    assert page.csp_violations() == []


def test_self_assessment_and_review_work_without_csp_violations(watched, live_server, login, world):
    page = watched
    period = make_period(world.sulbar, 2024, status=Period.Status.SELF_ASSESSMENT)

    login("operator.kominfo")
    open_page(page, f"{live_server.url}/pemda/76/opd/DISKOMINFO/mandiri/?tahun=2024")
    card = page.locator(".indicator").first
    card.get_by_test_id("level-3").check()
    card.get_by_test_id("save").click()
    expect(page.locator(".indicator").first.get_by_test_id("saved")).to_be_visible()
    assert page.csp_violations() == []

    Period.objects.filter(pk=period.pk).update(status=Period.Status.EVALUATION)
    page.context.clear_cookies()
    login("evaluator.sulbar")
    open_page(page, f"{live_server.url}/pemda/76/evaluasi/DISKOMINFO/?tahun=2024")
    expect(page.locator("[data-indicator]")).to_have_count(25)
    page.keyboard.press("4")
    page.keyboard.press("Enter")
    expect(page.locator("[data-indicator]").first).to_have_attribute("data-saved", "1")
    # The navigation's dropdown (Bootstrap's script) still opens.
    page.locator("nav .dropdown-toggle").click()
    expect(page.locator("nav .dropdown-menu")).to_be_visible()
    assert page.csp_violations() == []


def test_admin_pages_work_without_csp_violations(watched, live_server, login, world):
    page = watched
    login("superadmin")
    open_page(page, f"{live_server.url}/admin/")
    open_page(page, f"{live_server.url}/admin/opd/opd/")
    open_page(page, f"{live_server.url}/admin/opd/opd/{world.kominfo.pk}/change/")
    open_page(page, f"{live_server.url}/admin/axes/accessattempt/")
    page.wait_for_timeout(300)
    assert page.csp_violations() == []


def test_other_pages_of_an_administrator_have_no_csp_violations(watched, live_server, login, world):
    from django.urls import reverse

    page = watched
    period = make_period(world.sulbar, 2024, status=Period.Status.EVALUATION)
    set_levels(period.assessments.get(opd=world.kominfo), 3)
    recompute_period(period.id)
    login("admin.sulbar")
    urls = [
        reverse("home"),
        reverse("opd_list", args=["76"]),
        reverse("opd_detail", args=["76", "DISKOMINFO"]),
        reverse("review_queue", args=["76"]),
        reverse("period_admin", args=["76"]),
        reverse("kabupaten", args=["76"]),
        reverse("team_overview", args=["76"]),
        reverse("opd_team", args=["76", "DISKOMINFO"]),
        reverse("appeal_list", args=["76"]),
        reverse("import_scores"),
        reverse("jobs"),
    ]
    for url in urls:
        open_page(page, live_server.url + url)
    page.wait_for_timeout(300)
    assert page.csp_violations() == []


def test_api_docs_token_and_tpp_pages_without_csp_violations(watched, live_server, login, world):
    """Issue 16: the Swagger UI doc page (sidecar assets, its start script a separate
    request), the token page and the TPP page run under the policy."""
    page = watched
    login("admin.sulbar")
    open_page(page, f"{live_server.url}/akun/token/")
    page.click("[data-testid=token-create]")
    key = page.locator("[data-testid=token-key]").inner_text().strip()
    assert len(key) == 40
    open_page(page, f"{live_server.url}/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() >= 9
    open_page(page, f"{live_server.url}/pemda/76/tpp/")
    expect(page.locator("[data-testid=tpp-form]")).to_be_visible()
    assert page.csp_violations() == []
    answer = page.request.get(
        f"{live_server.url}/api/v1/pemda/", headers={"Authorization": f"Token {key}"}
    )
    assert answer.status == 200 and answer.json()["results"][0]["kode"] == "76"
