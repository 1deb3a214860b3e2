"""No input produces a 500 (issue 15): a property-based sweep (hypothesis) over every
form and URL parameter of the project.

The targets are found, not listed: every page of the isolation matrix (and the pages
that take no object) is opened as a user who may use it, and every <form> on it (its
action, method and field names) and every query parameter its links use is collected.
Hypothesis then sends each target values drawn from the penetration test's bad-input
corpus and from arbitrary text (NUL, control characters, huge and negative numbers,
overlong strings, markup), in the query, the form and the URL's own arguments; the
answer must never be a server error. The test client re-raises a view's exception, so a
crash fails the test with its traceback.

Examples per target: FUZZ_EXAMPLES (default 5 in `make test`; e.g. FUZZ_EXAMPLES=200 for
a deep run).
"""

import os
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import test_isolation
from tests.test_isolation import MATRIX

pytestmark = pytest.mark.django_db

objects = test_isolation.objects

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))

# The bad-input corpus of the penetration test.
CORPUS = [
    "",
    " ",
    "\x00",
    "76\x00",
    "abc",
    "-1",
    "0",
    "²",
    "1e3",
    "3,5",
    "NaN",
    "99999999999999999999999",
    "-99999999999999999999999",
    "9" * 400,
    "x" * 20_000,
    "<script>alert(1)</script>",
    '<a href="https://evil.example">x</a>',
    "'; DROP TABLE opd_opd; --",
    "%00",
    "../../etc/passwd",
    '=HYPERLINK("http://evil")',
    "\u202e\ufeff\u200b",
    "ﷺ𝕏😀",
    "\r\n\t",
]
VALUES = st.one_of(
    st.sampled_from(CORPUS),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
# Other users' pages too: the staff of the province, its Diskominfo's head and operator.
USERS = ["admin.sulbar", "evaluator.sulbar", "sekprov.sulbar", "kepala.kominfo", "operator.kominfo"]
PAGES_WITHOUT_OBJECT = ["home", "jobs", "import_scores"]
# Signing out would end the sweep's session; it takes no input.
SKIPPED = {"logout"}


class Forms(HTMLParser):
    """The forms of a page (action, method, field names) and the query parameter names
    of its links."""

    def __init__(self):
        super().__init__()
        self.forms, self.links, self._form = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "fields": set(),
            }
            self.forms.append(self._form)
        elif tag in ("input", "select", "textarea", "button") and self._form is not None:
            if attrs.get("name"):
                self._form["fields"].add(attrs["name"])
        elif tag == "a" and "?" in (attrs.get("href") or ""):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def route_of(url, page_url):
    """The URL name of a same-site link or form action (None for another site)."""
    parts = urlsplit(url or page_url)
    if parts.netloc or not (parts.path or urlsplit(page_url).path).startswith("/"):
        return None
    try:
        return resolve(parts.path or urlsplit(page_url).path)
    except Exception:
        return None


def discover(client, objects):
    """{(url name, method): (kwargs, field names)} over every page the users open."""
    users = {u.username: u for u in get_user_model().objects.all()}
    pages = [
        (name, case.kwargs(objects), case.query, case.allowed) for name, case in MATRIX.items()
    ]
    pages += [(name, {}, "", "evaluator.sulbar") for name in PAGES_WITHOUT_OBJECT]
    targets = {}
    for name, kwargs, query, allowed in pages:
        targets.setdefault((name, "get"), (kwargs, set(dict(parse_qsl(query[1:])))))
        if MATRIX.get(name) and MATRIX[name].post is not None:
            targets.setdefault((name, "post"), (kwargs, set()))
        for username in {allowed, *USERS}:
            client.force_login(users[username])
            url = reverse(name, kwargs=kwargs) + query
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = Forms()
            parser.feed(response.content.decode())
            for form in parser.forms:
                match = route_of(form["action"], url)
                if match and match.url_name and match.url_name not in SKIPPED:
                    key = (match.url_name, form["method"])
                    targets.setdefault(key, (match.kwargs, set()))[1].update(form["fields"])
            for link in parser.links:
                match = route_of(link, url)
                if match and match.url_name and match.url_name not in SKIPPED:
                    key = (match.url_name, "get")
                    names = {k for k, _v in parse_qsl(urlsplit(link).query)}
                    targets.setdefault(key, (match.kwargs, set()))[1].update(names)
    return targets


def who_may(name):
    case = MATRIX.get(name)
    return case.allowed if case else "evaluator.sulbar"


def test_no_input_produces_a_server_error(objects, client):
    targets = discover(client, objects)
    # Every page, and the forms and links found on them.
    assert len(targets) > 50, sorted(targets)
    assert sum(len(fields) for _kwargs, fields in targets.values()) > 60
    users = {u.username: u for u in get_user_model().objects.all()}

    for (name, method), (kwargs, fields) in sorted(targets.items(), key=str):
        client.force_login(users[who_may(name)])
        sweep(client, name, method, kwargs, fields)


def sweep(client, name, method, kwargs, fields):
    """Hypothesis on one target: any subset of its fields with any values, and sometimes
    other values in the URL's own arguments."""
    text_args = sorted(k for k, v in kwargs.items() if isinstance(v, str))
    int_args = sorted(k for k, v in kwargs.items() if isinstance(v, int))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        data=st.fixed_dictionaries({}, optional=dict.fromkeys(sorted(fields), VALUES)),
        url_text=st.fixed_dictionaries(dict.fromkeys(text_args, VALUES)),
        url_int=st.fixed_dictionaries(
            dict.fromkeys(int_args, st.integers(min_value=0, max_value=2**70))
        ),
        replace_url=st.booleans(),
    )
    def attempt(data, url_text, url_int, replace_url):
        args = dict(kwargs)
        if replace_url:
            args.update({k: v for k, v in url_text.items() if v and "/" not in v})
            args.update(url_int)
        try:
            url = reverse(name, kwargs=args)
        except NoReverseMatch:
            url = reverse(name, kwargs=kwargs)
        send = client.post if method == "post" else client.get
        response = send(url, data)
        assert response.status_code < 500, (name, method, args, data)

    attempt()


def test_the_corpus_reaches_every_text_field():
    """The corpus holds what the penetration test sent: NUL, overlong, markup, numbers."""
    assert any("\x00" in value for value in CORPUS)
    assert any(len(value) > 10_000 for value in CORPUS)
    assert any(re.search(r"<a href", value) for value in CORPUS)
