"""The tenant-isolation matrix (issue 7, part 3).

Every URL pattern of the project is either in MATRIX (it takes an object: a pemda, an
OPD, an evidence, appeal, job, team member, certificate, team version...) or in
NO_OBJECT with the reason it takes none. A new URL name in neither fails
`test_every_url_pattern_is_covered`.

For each MATRIX entry the URL is built for an object of Provinsi Sulawesi Barat (76)
or, where the object is OPD-specific, of its Diskominfo, and requested:

- as every user who must not see it: the pemda's staff of a kabupaten of the province
  (evaluator.polman, bupati.polman, admin.polman), another province's staff (admin.sulsel,
  evaluator.gowa), a user without a role and, for OPD-specific objects, the head of
  another OPD of the same pemda (kepala.bappeda): always 404, like a row that does not
  exist (no 403 anywhere across tenants: every view resolves its objects through
  `visible_or_404` / `visible_to` before it checks any role);
- anonymously: 302 to the login page;
- as one user who may use it: the status in the table (so the matrix cannot pass by
  answering 404 to everyone).

GET for pages, POST (with a harmless payload) for state changes; forms that are both
are requested both ways.

`test_province_staff_see_their_kabupaten_read_only` then checks the one cross-tenant
visibility the design allows: the province's staff see a kabupaten's rows but every
change they attempt is refused and changes nothing (404, like everywhere: read-only
means no writes, report jobs included).
"""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from evaluations.models import Appeal, Assessment, Job, Period, Stage
from evaluations.services import appeals as appeal_service
from evaluations.services import evidence as evidence_service
from evaluations.services import instrument_versions
from opd.models import TeamCertificate, TeamProposal
from tests.factories import (
    THIS_YEAR,
    NotificationFactory,
    Role,
    add_member,
    make_period,
    make_team,
    make_user,
    opd_template,
    set_levels,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
YEAR = 2025
# The SPBE teams are of the current year (a past year's team is read-only).
TEAM_YEAR = THIS_YEAR
TEAM = f"?tahun={TEAM_YEAR}"

# --- What the matrix does not cover, and why ---------------------------------------

# Namespaces and URL prefixes that are not ours or take no tenant object.
SKIPPED_PREFIXES = ("admin/", "i18n/", "static/", "media/", "__debug__/")
NO_OBJECT = {
    "instrument_list": "lists Instrument.objects.visible_to(user) only; no object in the URL",
    "login": "the login form itself",
    "logout": "signing out",
    "home": "the start page of the signed-in user's own pemda/OPD (no object in the URL)",
    "jobs": "lists Job.objects.visible_to(user) only; no object in the URL",
    "import_scores": "the file names the rows; services.imports checks each through "
    "editable_by (tests/evaluations/test_imports.py)",
    # The person's own pages (issue 14): they name no object and show only the user's own
    # rows; anonymous is sent to log in (test_own_pages_need_a_login).
    "notifications": "lists Notification.objects.visible_to(user): the user's own only",
    "notification_read_all": "marks the user's own notifications read; no object in the URL",
    "profile": "the signed-in user's own e-mail, language and e-mail choices",
    "api_token": "the signed-in account's own API token; the URL names nothing "
    "(tests/opd/test_api_tokens.py)",
}
# Pages for people who are not logged in: "lupa kata sandi" (Django's password reset).
# The confirm link carries a signed token for one account, not a tenant object
# (tests/opd/test_people.py covers them).
PUBLIC = {
    "favicon": "/favicon.ico, asked for by every browser: a redirect to the static icon",
    "password_reset": "asks for an e-mail address (or says e-mail is not set up)",
    "password_reset_done": "says the link is on its way",
    "password_reset_confirm": "the e-mailed link: a signed token for one account",
    "password_reset_complete": "says the password is set",
}

# --- The matrix -----------------------------------------------------------------------

PEMDA = "pemda"  # the object is the province's (every user of it may see it)
OPD = "opd"  # the object is Diskominfo's (another OPD of the province may not see it)


@dataclass(frozen=True)
class Case:
    """How to reach one URL: its kwargs from the objects `o`, the scope of the object,
    the user who may use it and what they get for GET and/or POST (None: not asked)."""

    kwargs: object  # callable(o) -> dict
    scope: str
    allowed: str
    get: int | None = None
    post: int | None = None
    data: object = None  # callable(o) -> dict: the harmless POST payload (default: empty)
    query: str = f"?tahun={YEAR}"


def P(o):
    return {"pemda": "76"}


def INSTRUMENT(o):
    return {"kode": o.instrument.kode}


def PO(o):
    return {"pemda": "76", "opd": "DISKOMINFO"}


def member(o):
    return {**PO(o), "member_id": o.member.pk}


def certificate(o):
    return {**PO(o), "certificate_id": o.certificate.pk}


def proposal(o):
    return {**PO(o), "proposal_id": o.proposal.pk}


def score(o):
    return {**PO(o), "score": o.score.pk}


def pemda_score(o):
    return {**P(o), "score": o.score.pk}


def evidence(o):
    return {**P(o), "pk": o.evidence.pk}


def job(o):
    return {**P(o), "job": o.job.pk}


def appeal(o):
    return {**P(o), "appeal": o.appeal.pk}


def account(o):
    return {**P(o), "account_id": o.world.operator_kominfo.pk}


def notification(o):
    return {"pk": o.notification.pk}


# fmt: off
MATRIX = {
    # SPBE teams (opd/urls.py)
    "team_overview":           Case(P, PEMDA, "admin.sulbar", get=200, query=TEAM),
    "opd_team":                Case(PO, OPD, "kepala.kominfo", get=200, query=TEAM),
    "team_member_add":         Case(PO, OPD, "operator.kominfo", get=200, post=200, query=TEAM),
    "team_member_edit":        Case(member, OPD, "operator.kominfo", get=200, post=200, query=TEAM),
    "team_member_remove":      Case(member, OPD, "operator.kominfo", post=302, query=TEAM),
    "team_certificate_add":    Case(member, OPD, "operator.kominfo", get=200, post=200, query=TEAM),
    "team_certificate_file":   Case(certificate, OPD, "kepala.kominfo", get=200, query=TEAM),
    "team_certificate_remove": Case(certificate, OPD, "operator.kominfo", post=302, query=TEAM),
    "team_propose":            Case(proposal, OPD, "kepala.kominfo", post=302, query=TEAM),
    "team_approve":            Case(proposal, OPD, "admin.sulbar", post=302, query=TEAM),
    "team_return":             Case(proposal, OPD, "admin.sulbar", post=302, query=TEAM),
    "team_revise":             Case(proposal, OPD, "kepala.kominfo", post=302, query=TEAM),
    "team_import":             Case(PO, OPD, "operator.kominfo", get=200, post=200, query=TEAM),
    # The team already has a member: refused with a message.
    "team_copy":               Case(PO, OPD, "operator.kominfo", post=302, query=TEAM),
    # Lists, dashboards, scorecards (evaluations/urls.py)
    "pemda_jobs":              Case(P, PEMDA, "admin.sulbar", get=200),
    "opd_list":                Case(P, PEMDA, "sekprov.sulbar", get=200),
    "opd_detail":              Case(PO, OPD, "kepala.kominfo", get=200),
    "dashboard":               Case(P, PEMDA, "sekprov.sulbar", get=200),
    "kabupaten":               Case(P, PEMDA, "sekprov.sulbar", get=200, query=""),
    "scorecard":               Case(PO, OPD, "kepala.kominfo", get=200),
    # The evaluation worksheet (LKE, issue 16): for whoever sees the scorecard.
    "lke":                     Case(PO, OPD, "kepala.kominfo", get=200),
    # The what-if page and its projection (nothing is saved).
    "simulation":              Case(PO, OPD, "kepala.kominfo", get=200, post=200,
                                    data=lambda o: {"nilai-1": "3"}),
    # Instrument versions: the province's own draft.
    "instrument_detail":       Case(INSTRUMENT, PEMDA, "evaluator.sulbar", get=200, query=""),
    "instrument_action":       Case(INSTRUMENT, PEMDA, "admin.sulbar", post=302, query="",
                                    data=lambda o: {"action": "nothing"}),
    "instrument_structure":    Case(INSTRUMENT, PEMDA, "admin.sulbar", get=200, query=""),
    "instrument_indicator":    Case(lambda o: {**INSTRUMENT(o), "nomor": 1}, PEMDA,
                                    "admin.sulbar", get=200, query=""),
    "instrument_levels":       Case(INSTRUMENT, PEMDA, "admin.sulbar", get=200, query=""),
    "instrument_bands":        Case(INSTRUMENT, PEMDA, "admin.sulbar", get=200, query=""),
    "instrument_crosswalk":    Case(INSTRUMENT, PEMDA, "admin.sulbar", get=200, query=""),
    "results_export":          Case(P, PEMDA, "sekprov.sulbar", get=200,
                                    query=f"?tahun={YEAR}&format=csv"),
    # Self-assessment and evidence
    "self_assessment":         Case(PO, OPD, "operator.kominfo", get=200),
    "self_assessment_save":    Case(score, OPD, "operator.kominfo", post=302,
                                    data=lambda o: {"level": "5", "penjelasan": "x"}),
    "self_assessment_submit":  Case(PO, OPD, "kepala.kominfo", get=200, post=302),
    "evidence_add":            Case(pemda_score, OPD, "operator.kominfo", post=302,
                                    data=lambda o: {"jenis": "link",
                                                    "tautan": "https://example.org/x"}),
    "evidence_remove":         Case(evidence, OPD, "operator.kominfo", post=302),
    "evidence_download":       Case(evidence, OPD, "operator.kominfo", get=200),
    "evidence_preview":        Case(evidence, OPD, "evaluator.sulbar", get=200),
    # Review and period administration
    "review_queue":            Case(P, PEMDA, "evaluator.sulbar", get=200),
    "review":                  Case(PO, OPD, "evaluator.sulbar", get=200),
    "review_save":             Case(score, OPD, "evaluator.sulbar", post=302,
                                    data=lambda o: {"level": "", "catatan": ""}),
    "self_assessment_return":  Case(PO, OPD, "evaluator.sulbar", post=302),
    # GET: the selection to confirm; POST: an empty selection is refused and sent back.
    "review_adopt":            Case(PO, OPD, "evaluator.sulbar", get=200, post=302),
    # Refused (the indicator is not scored from another index) and sent back.
    "external_value":          Case(score, OPD, "evaluator.sulbar", post=302,
                                    data=lambda o: {"nilai": "2", "tanggal": "2025-10-01"}),
    "period_admin":            Case(P, PEMDA, "admin.sulbar", get=200),
    # An empty selection saves no assignment and goes back to the page.
    "review_assignments":      Case(P, PEMDA, "admin.sulbar", get=200, post=302),
    # GET: what the step does (to confirm); POST: the step (an unknown one changes nothing).
    "period_action":           Case(P, PEMDA, "admin.sulbar", get=200, post=302,
                                    data=lambda o: {"action": "nothing"},
                                    query=f"?tahun={YEAR}&action=finalise"),
    # Invalid forms come back (200), nothing created or saved.
    "period_new":              Case(P, PEMDA, "admin.sulbar", get=200, post=200,
                                    data=lambda o: {"tahun": "20x"}),
    "period_schedule":         Case(P, PEMDA, "admin.sulbar", get=200, post=200,
                                    data=lambda o: {"jendela_sanggahan_hari": "0"}),
    # The preview step of a threshold change: shown (200), nothing saved.
    "period_thresholds":       Case(P, PEMDA, "admin.sulbar", get=200, post=200,
                                    data=lambda o: {"hijau": "3,50", "kuning": "2,60"}),
    # An invalid official index comes back as a form (200), nothing recorded.
    "official_index":          Case(P, PEMDA, "admin.sulbar", get=200, post=200,
                                    data=lambda o: {"pemda": "", "tahun": "2024"}),
    # The SPBE component of the TPP (issue 16): the rule (an invalid one comes back, 200,
    # nothing saved) and the download (no rule set yet: sent back to the rule page).
    "tpp":                     Case(P, PEMDA, "admin.sulbar", get=200, post=200, query="",
                                    data=lambda o: {"cara": "pita", "pita": "x",
                                                    "bagian_spbe": "30"}),
    "tpp_export":              Case(P, PEMDA, "sekprov.sulbar", get=302,
                                    query=f"?tahun={YEAR}&format=csv"),
    # Reports
    "report_create":           Case(P, OPD, "kepala.kominfo", post=302,
                                    data=lambda o: {"kind": "scorecard", "opd": "DISKOMINFO",
                                                    "tahun": str(YEAR)}),
    "report_status":           Case(job, OPD, "kepala.kominfo", get=200),
    "report_download":         Case(job, OPD, "kepala.kominfo", get=200),
    # The pemda's people, OPD registry and team rules (issue 12): the administrator of the
    # pemda itself; invalid forms come back (200) and change nothing.
    "people":                  Case(P, PEMDA, "admin.sulbar", get=200),
    "account_new":             Case(P, PEMDA, "admin.sulbar", get=200, post=200, query=""),
    "account":                 Case(account, PEMDA, "admin.sulbar", get=200, post=200,
                                    data=lambda o: {"action": "save", "role": "x"}, query=""),
    "registry_list":           Case(P, PEMDA, "admin.sulbar", get=200, query=""),
    "registry_add":            Case(P, PEMDA, "admin.sulbar", get=200, post=200, query=""),
    "registry_merge":          Case(P, PEMDA, "admin.sulbar", get=200, post=200, query=""),
    "registry_opd":            Case(PO, PEMDA, "admin.sulbar", get=200, post=200,
                                    data=lambda o: {"action": "save"}, query=""),
    "registry_split":          Case(PO, PEMDA, "admin.sulbar", get=200, post=200, query=""),
    # The team size is already 8: saved, nothing changes.
    "team_rules":              Case(P, PEMDA, "admin.sulbar", get=200, post=302,
                                    data=lambda o: {"action": "size", "max_team_size": "8"},
                                    query=""),
    # Appeals
    "appeal_list":             Case(P, PEMDA, "evaluator.sulbar", get=200),
    "appeal_decide":           Case(appeal, OPD, "evaluator.sulbar", post=302,
                                    data=lambda o: {"decision": ""}),
    # A second appeal on the same indicator is refused (the form comes back, 400).
    "appeal_opd":              Case(PO, OPD, "kepala.kominfo", get=200, post=400,
                                    data=lambda o: {"score": o.score.pk, "argumen": "lagi"}),
    # Notifications (issue 14): one of Diskominfo's head; anyone else's is a 404.
    "notification_read":       Case(notification, OPD, "kepala.kominfo", post=302, query=""),
}
# fmt: on

# The REST API (issue 16): the same rule, except that an anonymous caller gets 401 (the
# API has no login page to send it to).
API_NO_OBJECT = {
    "api_schema": "the OpenAPI schema: describes the API, no tenant data",
    "api_docs": "the doc page (Swagger UI) of the schema",
    "api_pemda_list": "lists Pemda.objects.visible_to(user) only (tests/evaluations/test_api.py)",
    "api_instruments": "lists Instrument.objects.visible_to(user) only",
}


def _external_value(o):
    return {
        "kode_opd": "DISKOMINFO",
        "tahun": str(YEAR),
        "kode_indikator": "1",
        "nilai": "2",
        "tanggal": "2025-10-01",
    }


# fmt: off
API_MATRIX = {
    "api_pemda":               Case(P, PEMDA, "kepala.kominfo", get=200, query=""),
    "api_periods":             Case(P, PEMDA, "kepala.kominfo", get=200, query=""),
    "api_results":             Case(P, PEMDA, "sekprov.sulbar", get=200),
    "api_kabupaten":           Case(P, PEMDA, "sekprov.sulbar", get=200, query=""),
    "api_assessments":         Case(PO, OPD, "kepala.kominfo", get=200),
    "api_instrument":          Case(INSTRUMENT, PEMDA,
                                    "evaluator.sulbar", get=200, query=""),
    # Refused (the OPD template has no indicator scored from another index): 400.
    "api_external_values":     Case(P, OPD, "evaluator.sulbar", post=400, query="",
                                    data=_external_value),
}
# fmt: on

# Who must not see or change an object of the province (PEMDA) or of its Diskominfo (OPD).
DENIED = {
    PEMDA: [
        "evaluator.polman",
        "bupati.polman",
        "admin.polman",
        "admin.sulsel",
        "evaluator.gowa",
        "tanpa.peran",
    ],
}
DENIED[OPD] = ["kepala.bappeda", *DENIED[PEMDA]]


# --- Enumerating the project's URLs ------------------------------------------------


def url_names(patterns=None, prefix=""):
    """(route, name) of every named URL pattern, walking includes recursively."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            found += url_names(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            found.append((route, entry.name))
    return found


def test_every_url_pattern_is_covered():
    names = url_names()
    assert len(names) > 30, names
    unnamed = [route for route, name in names if not name]
    assert not unnamed, f"name these URL patterns so the matrix can cover them: {unnamed}"
    covered = set(MATRIX) | set(NO_OBJECT) | set(PUBLIC) | set(API_MATRIX) | set(API_NO_OBJECT)
    missing = sorted(f"{name} ({route})" for route, name in names if name not in covered)
    assert not missing, (
        "URL patterns without a tenant-isolation entry: add each to MATRIX in "
        "tests/test_isolation.py (or, if it takes no object, to NO_OBJECT with the reason; "
        f"a page for anonymous people to PUBLIC): "
        f"{missing}"
    )
    stale = sorted(covered - {name for _route, name in names})
    assert not stale, f"entries for URL names that no longer exist: {stale}"
    takes_object = [name for route, name in names if "<" in route]
    assert not set(takes_object) & set(NO_OBJECT), "a URL with an object must be in MATRIX"
    assert not set(takes_object) & set(API_NO_OBJECT), "an API URL with an object: API_MATRIX"


def test_every_api_url_is_in_the_api_matrix():
    """The API answers anonymous callers 401, not the login redirect: its URLs are
    covered by API_MATRIX (or API_NO_OBJECT), never by the pages' MATRIX."""
    api = {name for route, name in url_names() if route.startswith("api/")}
    assert {"api_results", "api_external_values", "api_assessments"} <= api
    assert api == set(API_MATRIX) | set(API_NO_OBJECT), (
        "API URL patterns without a tenant-isolation entry: add each to API_MATRIX in "
        f"tests/test_isolation.py: {sorted(api - set(API_MATRIX) - set(API_NO_OBJECT))}"
    )
    assert not api & (set(MATRIX) | set(NO_OBJECT))


# --- The objects -----------------------------------------------------------------------


@pytest.fixture
def objects(world, settings, tmp_path):
    """A 2025 period of the province under evaluation with the appeal window open, and
    one of each object a URL can name, all of Diskominfo."""
    settings.MEDIA_ROOT = tmp_path / "media"
    make_user(Role.KEPALA_OPD, world.sulbar, world.bappeda, username="kepala.bappeda")
    o = SimpleNamespace(world=world)

    period = make_period(world.sulbar, YEAR, status=Period.Status.SELF_ASSESSMENT)
    assessment = Assessment.objects.get(period=period, opd=world.kominfo)
    set_levels(assessment, 3, evaluator=False)
    o.score = assessment.scores.order_by("indicator__nomor").first()
    o.evidence = evidence_service.add_file(
        world.operator_kominfo, o.score, SimpleUploadedFile("bukti.pdf", PDF), "Bukti"
    )
    for other in period.assessments.exclude(pk=assessment.pk):
        set_levels(other, 3)
    set_levels(assessment, 3)
    Period.objects.filter(pk=period.pk).update(
        status=Period.Status.EVALUATION, tahap=Stage.INTERVIU, sanggahan_dibuka=timezone.now()
    )
    Assessment.objects.filter(period=period).update(status_mandiri=Assessment.SelfStatus.SUBMITTED)
    o.appeal = appeal_service.file_appeal(world.kepala_kominfo, o.score.pk, "Sudah ada SOP", 4)

    reports = settings.MEDIA_ROOT / "reports" / "76"
    reports.mkdir(parents=True)
    (reports / "rapor.pdf").write_bytes(PDF)
    o.job = Job.objects.create(
        kind=Job.Kind.REPORT,
        state=Job.State.DONE,
        pemda=world.sulbar,
        period=period,
        detail="scorecard:DISKOMINFO",
        requested_by=world.kepala_kominfo,
        result_file="reports/76/rapor.pdf",
    )

    o.notification = NotificationFactory(recipient=world.kepala_kominfo)
    o.instrument = instrument_versions.clone(
        world.admin_sulbar, opd_template().pk, "Instrumen OPD Sulbar"
    )
    o.proposal = make_team(world.kominfo, TEAM_YEAR)
    o.member = add_member(o.proposal, 1, name="Andi")
    o.certificate = TeamCertificate(
        member=o.member,
        name="Sertifikat Keamanan Informasi",
        issuer=TeamCertificate.Issuer.BNSP,
        issued_on=datetime.date(YEAR, 1, 10),
        file_name="sertifikat.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    o.certificate.file.save("sertifikat.pdf", ContentFile(PDF), save=True)
    return o


def request(client, method, url, data):
    if method == "get":
        return client.get(url)
    return client.post(url, data)


def login_url(response):
    return urlsplit(response["Location"]).path


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_isolation(name, objects, client):
    from django.contrib.auth import get_user_model

    case = MATRIX[name]
    url = reverse(name, kwargs=case.kwargs(objects)) + case.query
    methods = [m for m in ("get", "post") if getattr(case, m) is not None]
    assert methods, f"{name}: give the status of GET or POST for the allowed user"
    data = case.data(objects) if case.data else {}
    users = {u.username: u for u in get_user_model().objects.all()}
    problems = []

    for method in methods:
        client.logout()
        response = request(client, method, url, data)
        if response.status_code != 302 or login_url(response) != reverse("login"):
            problems.append(f"anonymous {method.upper()}: {response.status_code}, not 302 → login")
        for username in DENIED[case.scope]:
            client.force_login(users[username])
            response = request(client, method, url, data)
            if response.status_code != 404:
                problems.append(f"{username} {method.upper()}: {response.status_code}, not 404")

    # Last, as state changes by the allowed user could hide an object from the others.
    for method in methods:
        client.force_login(users[case.allowed])
        response = request(client, method, url, data)
        expected = getattr(case, method)
        if response.status_code != expected:
            problems.append(
                f"allowed {case.allowed} {method.upper()}: {response.status_code}, "
                f"expected {expected}"
            )
    assert not problems, f"{name} {url}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("name", ["notifications", "profile"])
def test_own_pages_need_a_login(name, client, world):
    response = client.get(reverse(name))
    assert response.status_code == 302 and login_url(response) == reverse("login")
    response = client.post(reverse("notification_read_all"))
    assert response.status_code == 302 and login_url(response) == reverse("login")


@pytest.mark.parametrize("name", sorted(API_MATRIX))
def test_api_isolation(name, objects, client):
    """Every API endpoint per role and tenant: anonymous 401, every user who may not see
    the object 404 (session and token alike), the allowed user the status given."""
    from django.contrib.auth import get_user_model

    from opd.services.api_tokens import create_token

    case = API_MATRIX[name]
    url = reverse(name, kwargs=case.kwargs(objects)) + case.query
    methods = [m for m in ("get", "post") if getattr(case, m) is not None]
    data = case.data(objects) if case.data else {}
    users = {u.username: u for u in get_user_model().objects.all()}
    problems = []
    for method in methods:
        client.logout()
        response = request(client, method, url, data)
        if response.status_code != 401:
            problems.append(f"anonymous {method.upper()}: {response.status_code}, not 401")
        for username in DENIED[case.scope]:
            client.force_login(users[username])
            response = request(client, method, url, data)
            if response.status_code != 404:
                problems.append(f"{username} {method.upper()}: {response.status_code}, not 404")
        client.logout()
        # With a token instead of the session: the same answer.
        key = create_token(users[DENIED[case.scope][0]])
        response = getattr(client, method)(url, data, HTTP_AUTHORIZATION=f"Token {key}")
        if response.status_code != 404:
            problems.append(f"token of {DENIED[case.scope][0]}: {response.status_code}")
    for method in methods:
        key = create_token(users[case.allowed])
        response = getattr(client, method)(url, data, HTTP_AUTHORIZATION=f"Token {key}")
        if response.status_code != getattr(case, method):
            problems.append(
                f"allowed {case.allowed} {method.upper()}: {response.status_code}, "
                f"expected {getattr(case, method)}: {response.content[:200]!r}"
            )
    assert not problems, f"{name} {url}:\n  " + "\n  ".join(problems)


def test_api_lists_without_an_object_need_an_account(client, world):
    for name in API_NO_OBJECT:
        assert client.get(reverse(name)).status_code == 401, name


def test_the_matrix_is_not_empty():
    """The figures the report quotes: URL patterns covered and requests made."""
    requests = 0
    for case in MATRIX.values():
        methods = [m for m in ("get", "post") if getattr(case, m) is not None]
        requests += len(methods) * (len(DENIED[case.scope]) + 2)
    assert len(MATRIX) >= 50 and requests > 400
    assert settings.LOGIN_URL in ("login", "/akun/masuk/")


# --- A province sees its kabupaten read-only -------------------------------------------

# (URL name, province user, POST payload, status): each asks to change an object of
# Kabupaten Polewali Mandar that the province's staff may see. Every one is refused with
# a 404 (the province's staff change only their own pemda; a refused role is a 404 on
# every page, the SPBE team pages included) and changes nothing; no report job either.
READ_ONLY = [
    ("period_action", "admin.sulbar", {"action": "finalise"}, 404),
    ("period_action", "evaluator.sulbar", {"action": "stage"}, 404),
    ("review_save", "evaluator.sulbar", {"level": "5", "catatan": "x"}, 404),
    ("self_assessment_return", "evaluator.sulbar", {"alasan": "Lengkapi"}, 404),
    ("self_assessment_save", "admin.sulbar", {"level": "5"}, 404),
    ("evidence_add", "admin.sulbar", {"jenis": "link", "tautan": "https://example.org/"}, 404),
    ("appeal_decide", "evaluator.sulbar", {"decision": "accept", "level": "5"}, 404),
    ("team_approve", "admin.sulbar", {"sk_number": "1/2025", "sk_date": "2025-02-01"}, 404),
    ("team_return", "admin.sulbar", {"reason": "Lengkapi"}, 404),
    ("report_create", "sekprov.sulbar", {"kind": "dashboard", "tahun": str(YEAR)}, 404),
    ("report_create", "admin.sulbar", {"kind": "scorecard", "opd": "DINKES"}, 404),
]


@pytest.fixture
def kabupaten(world):
    """Polman's 2025 period under evaluation (appeal window open), one submitted
    assessment with an open appeal, and a proposed SPBE team."""
    o = SimpleNamespace()
    o.period = make_period(world.polman, YEAR)
    assessment = o.period.assessments.get(opd=world.polman_dinkes)
    set_levels(assessment, 3, evaluator=False)
    set_levels(assessment, 3)
    Period.objects.filter(pk=o.period.pk).update(
        tahap=Stage.INTERVIU, sanggahan_dibuka=timezone.now()
    )
    Assessment.objects.filter(pk=assessment.pk).update(
        status_mandiri=Assessment.SelfStatus.SUBMITTED
    )
    o.score = assessment.scores.order_by("indicator__nomor").first()
    o.appeal = appeal_service.file_appeal(world.kepala_polman_dinkes, o.score.pk, "SOP ada", 4)
    o.proposal = make_team(world.polman_dinkes, TEAM_YEAR, state=TeamProposal.State.PROPOSED)
    add_member(o.proposal, 1)
    return o


def snapshot(o):
    from evaluations.models import ChangeLog

    o.period.refresh_from_db()
    o.appeal.refresh_from_db()
    o.proposal.refresh_from_db()
    o.score.refresh_from_db()
    return (
        o.period.status,
        o.period.tahap,
        o.appeal.status,
        o.proposal.state,
        o.score.version,
        o.score.evidence.count(),
        ChangeLog.objects.filter(period=o.period).count(),
        Job.objects.filter(pemda=o.period.pemda).count(),
    )


def test_province_staff_see_their_kabupaten_read_only(kabupaten, world, client):
    from django.contrib.auth import get_user_model

    o = kabupaten
    polman = {"pemda": "76.02"}
    kwargs = {
        "period_action": polman,
        "review_save": {**polman, "opd": "DINKES", "score": o.score.pk},
        "self_assessment_return": {**polman, "opd": "DINKES"},
        "self_assessment_save": {**polman, "opd": "DINKES", "score": o.score.pk},
        "evidence_add": {**polman, "score": o.score.pk},
        "appeal_decide": {**polman, "appeal": o.appeal.pk},
        "team_approve": {**polman, "opd": "DINKES", "proposal_id": o.proposal.pk},
        "team_return": {**polman, "opd": "DINKES", "proposal_id": o.proposal.pk},
        "report_create": polman,
    }
    users = {u.username: u for u in get_user_model().objects.all()}
    before = snapshot(o)
    problems = []
    for name, username, data, expected in READ_ONLY:
        # They may see it...
        client.force_login(users[username])
        assert client.get(f"/pemda/76.02/dasbor/?tahun={YEAR}").status_code == 200
        # ...but not change it.
        url = reverse(name, kwargs=kwargs[name]) + f"?tahun={YEAR}"
        status = client.post(url, {**data, "version": o.score.version}).status_code
        if status != expected:
            problems.append(f"{name} as {username}: {status}, expected {expected}")
    assert not problems, "\n".join(problems)
    assert snapshot(o) == before

    # The kabupaten's own staff may: the same appeal decision goes through.
    client.force_login(users["evaluator.polman"])
    response = client.post(
        reverse("appeal_decide", kwargs=kwargs["appeal_decide"]) + f"?tahun={YEAR}",
        {"decision": "accept", "level": "4"},
    )
    assert response.status_code == 302
    o.appeal.refresh_from_db()
    assert o.appeal.status == Appeal.State.ACCEPTED
