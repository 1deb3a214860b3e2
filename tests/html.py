"""Reading pages in tests: the visible text of the element with a data-testid."""

from html.parser import HTMLParser

VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area", "base"}


class _Finder(HTMLParser):
    def __init__(self, testid):
        super().__init__(convert_charrefs=True)
        self.testid = testid
        self.depth = 0  # > 0 while inside the element
        self.found = []
        self.current = None
        self.skip = 0  # inside <script>/<style>

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if self.depth:
            if tag not in VOID:
                self.depth += 1
        elif dict(attrs).get("data-testid") == self.testid and tag not in VOID:
            self.depth = 1
            self.current = []

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        if self.depth and tag not in VOID:
            self.depth -= 1
            if not self.depth:
                self.found.append(" ".join("".join(self.current).split()))

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.current.append(data)


def texts(page, testid):
    """The visible text (whitespace collapsed) of every element with this data-testid."""
    finder = _Finder(testid)
    finder.feed(page)
    return finder.found


def text(page, testid):
    """The visible text of the one element with this data-testid (the first if several)."""
    found = texts(page, testid)
    assert found, f"no element with data-testid={testid!r}"
    return found[0]


def visible(page):
    """The page without its scripts and styles (the chart JSON, the CSS)."""
    import re

    return re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
