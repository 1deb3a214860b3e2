"""Every page of every role, at 1366×768 and on a 390×844 phone (issue 13, "Done
means"): no horizontal scroll, no console error, no failed request, no "---------".

The demo data (seed_demo) gives every role its real pages; tests/e2e/pagewalk.py
follows each user's links and keeps one URL per page kind, so the walk takes a few
minutes. One browser context per role and size."""

import pytest

from evaluations.services.demo import demo_password, seed_demo
from tests.e2e import pagewalk
from tests.factories import opd_template

# The demo logins (README "Demo logins"): every role of a province and a kabupaten.
USERS = [
    "admin.sulbar",
    "evaluator.sulbar",
    "sekprov.sulbar",
    "kepala.kominfo",
    "operator.kominfo",
    "admin.polman",
    "evaluator.polman",
    "bupati.polman",
    "superadmin",
]
SIZES = [(1366, 768), (390, 844)]
# Pages every role must reach (so a broken link cannot shorten the walk unnoticed).
EXPECTED = {
    "admin.sulbar": {"dashboard", "opd_list", "review_queue", "jobs", "team_overview"},
    "sekprov.sulbar": {"dashboard", "opd_list", "kabupaten"},
    "kepala.kominfo": {"self_assessment", "opd_team", "scorecard", "appeal_opd"},
    "evaluator.sulbar": {"review_queue", "review"},
}


@pytest.fixture
def demo(db):
    opd_template()  # the shipped instruments, gone after an earlier browser test's flush
    seed_demo()
    return demo_password()


def sign_in(page, base, username, password):
    page.goto(f"{base}/akun/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_every_page_of_every_role_fits_and_loads_cleanly(browser, live_server, demo):
    base = live_server.url
    problems, walked = [], {}
    for username in USERS:
        urls = None
        for width, height in SIZES:
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale="id-ID"
            )
            context.set_default_timeout(15_000)
            page = pagewalk.watch(context.new_page())
            sign_in(page, base, username, demo)
            # The same pages at both sizes: collected once per role.
            urls = urls or pagewalk.collect(context, base)
            for _kind, url in urls:
                for problem in pagewalk.check(page, url):
                    problems.append(f"{username} {width}px {url.removeprefix(base)}: {problem}")
            context.close()
        walked[username] = {kind for kind, _url in urls}
    for username, kinds in EXPECTED.items():
        assert kinds <= walked[username], f"{username} did not reach {kinds - walked[username]}"
    assert sum(len(kinds) for kinds in walked.values()) >= 100
    assert not problems, "\n".join(problems)
