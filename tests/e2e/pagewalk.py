"""Walking every page a user can reach, in a real browser (issue 13, "Done means").

`collect(context, base)` follows the links of the signed-in user's pages (same site,
GET, HTML answers only) and keeps one URL per page kind (Django URL name), so a walk
stays short however many OPDs the data has. `check(page, url)` opens one URL and returns
what is wrong with it: a failed request or error status, a console error or uncaught
exception, a page wider than the window (horizontal scroll), "---------" in a choice.

Used by tests/e2e/test_page_walk.py and scripts/screenshots.py.
"""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

from django.urls import Resolver404, resolve

# Never followed: signing out, the Django admin (the superuser's own tool), language
# switching (a POST), files and the API's machine pages.
SKIP_PREFIXES = ("/akun/keluar/", "/admin/", "/i18n/", "/static/", "/media/", "/api/")
MAX_PAGES = 80


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href") and "download" not in attrs:
            self.links.append(attrs["href"])


def links_of(html):
    parser = _Links()
    parser.feed(html)
    return parser.links


def page_kind(path):
    """The Django URL name of a path (None when it is not one of ours)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def collect(context, base, start="/", max_pages=MAX_PAGES):
    """[(kind, url)] of the pages the context's user reaches from `start`, one per kind,
    breadth first. Requests go through the context (its cookies), without a browser
    page, so collecting is quick."""
    host = urlsplit(base).netloc
    queue, seen_urls, kinds = [urljoin(base, start)], set(), {}
    while queue and len(kinds) < max_pages:
        url = queue.pop(0)
        parts = urlsplit(url)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
        if url in seen_urls or parts.netloc != host or parts.path.startswith(SKIP_PREFIXES):
            continue
        seen_urls.add(url)
        kind = page_kind(parts.path)
        if kind is None or kind in kinds:
            continue
        response = context.request.get(url, max_redirects=0)
        if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        kinds[kind] = url
        queue.extend(urljoin(url, href) for href in links_of(response.text()))
    return list(kinds.items())


def watch(page):
    """Record console errors, uncaught exceptions and failed requests of `page` into
    page.problems (a list the caller empties between URLs)."""
    page.problems = []

    def on_console(message):
        if message.type == "error":
            page.problems.append(f"console error: {message.text}")

    def on_response(response):
        if response.status >= 400:
            page.problems.append(f"{response.status} for {response.url}")

    def on_failed(request):
        # ERR_ABORTED: the browser dropped the request itself, as it does with a page's
        # icon or an unfinished fetch when the walk moves on to the next page.
        if "ERR_ABORTED" not in (request.failure or ""):
            page.problems.append(f"request failed: {request.url} {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    return page


HORIZONTAL_OVERFLOW = """() => {
  const root = document.documentElement;
  return Math.max(root.scrollWidth, document.body.scrollWidth) - window.innerWidth;
}"""


def check(page, url):
    """What is wrong with `url` in `page` (a watched page): a list of problems."""
    page.problems.clear()
    response = page.goto(url, wait_until="load")
    problems = []
    if response is None or response.status != 200:
        problems.append(f"status {response.status if response else 'none'}")
    if page.locator("[data-chart]").count():
        page.wait_for_selector("html[data-charts-ready]", state="attached", timeout=15_000)
    overflow = page.evaluate(HORIZONTAL_OVERFLOW)
    if overflow > 1:
        problems.append(f"horizontal scroll: {overflow} px wider than the window")
    if "---------" in page.inner_text("body"):
        problems.append('"---------" on the page')
    return problems + list(page.problems)
