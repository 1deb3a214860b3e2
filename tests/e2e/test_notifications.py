"""The bell and the notification list in the browser (issue 14): an evaluator sees the
count, opens the notification (read, and on the page it links to), the count drops; an
English browser gets the pages in Indonesian; on a phone the bell stays in sight."""

import pytest
from playwright.sync_api import expect

from tests.factories import NotificationFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_notifications(world):
    first = NotificationFactory(
        recipient=world.evaluator_sulbar,
        title="Diskominfo mengajukan penilaian mandiri 2026",
        link="/pemda/76/opd/",
    )
    NotificationFactory(recipient=world.evaluator_sulbar, title="Periode 2026 dalam evaluasi")
    return first


def test_the_bell_counts_and_opening_a_notification_reads_it(
    page, live_server, login, world, two_notifications
):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login("evaluator.sulbar")
    expect(page.get_by_test_id("bell-count")).to_have_text("2")
    page.get_by_test_id("bell").click()
    expect(page.get_by_test_id("notification")).to_have_count(2)
    item = page.get_by_test_id("notification").filter(has_text="Diskominfo mengajukan")
    item.get_by_test_id("notification-open").click()
    page.wait_for_url(f"{live_server.url}/pemda/76/opd/")
    expect(page.get_by_test_id("bell-count")).to_have_text("1")
    page.get_by_test_id("bell").click()
    page.get_by_test_id("read-all").click()
    expect(page.get_by_test_id("bell-count")).to_have_count(0)
    expect(page.locator("html")).to_have_attribute("lang", "id")  # the browser asks id-ID
    assert [e for e in errors if "favicon" not in e and "404" not in e] == []


def test_on_a_phone_the_bell_stays_outside_the_menu(browser, live_server, world, two_notifications):
    from tests.factories import PASSWORD

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", bypass_csp=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/akun/masuk/")
    page.fill("#id_username", "evaluator.sulbar")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_test_id("bell")).to_be_visible()
    expect(page.get_by_test_id("nav-items")).to_be_hidden()
    assert "Beranda" in page.content()  # an English browser still gets Indonesian
    page.get_by_test_id("bell").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
