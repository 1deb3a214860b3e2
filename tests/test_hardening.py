"""Regression tests of the penetration test's findings (issue 15): odd input answers
400/404 or a form error (never a 500), downloads are never cached, chart labels are
escaped, nothing leaks at the edges. The spreadsheet bombs are in
test_spreadsheet_bombs.py, the submit/save race in evaluations/test_submit_race.py, the
property-based sweep over every form and URL parameter in test_fuzz.py."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from evaluations import charts
from evaluations.models import Appeal, Job, Period
from opd.models import OPD, TeamMember
from opd.services import team_import, teams
from tests import test_isolation
from tests.factories import THIS_YEAR, make_team, nip
from tests.test_isolation import MATRIX

pytestmark = pytest.mark.django_db

# One of each object a URL names (a 2025 period under evaluation, evidence, an appeal, a
# report job, a team with a member and a certificate), as in the isolation matrix.
objects = test_isolation.objects

YEAR = 2025


def as_user(client, objects, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))


# --- NUL bytes, charsets, per_page ------------------------------------------------------


def nul_urls(objects):
    """Every URL of the matrix with a NUL in each text argument (the pemda or OPD code)."""
    for name, case in sorted(MATRIX.items()):
        kwargs = case.kwargs(objects)
        for key, value in kwargs.items():
            if isinstance(value, str):
                bad = dict(kwargs, **{key: value + "\x00"})
                yield name, case, reverse(name, kwargs=bad) + case.query


def test_a_nul_in_a_pemda_or_opd_code_is_a_404_on_every_url(objects, client):
    problems, count = [], 0
    for name, case, url in nul_urls(objects):
        as_user(client, objects, case.allowed)
        for method in ("get", "post"):
            if getattr(case, method) is None:
                continue
            count += 1
            status = getattr(client, method)(url).status_code
            if status != 404:
                problems.append(f"{name} {method.upper()} {url!r}: {status}")
    assert count > 40 and not problems, problems


@pytest.mark.parametrize(
    "username,url,data",
    [
        # the appeal argument, the appeal decision, the team return reason
        ("kepala.kominfo", "appeal_opd", lambda o: {"score": o.score.pk, "argumen": "a\x00b"}),
        ("evaluator.sulbar", "appeal_decide", lambda o: {"decision": "reject", "alasan": "\x00"}),
        ("admin.sulbar", "team_return", lambda o: {"reason": "Lengkapi\x00"}),
        ("operator.kominfo", "self_assessment_save", lambda o: {"level": "3", "x\x00": "1"}),
    ],
)
def test_a_nul_in_a_form_value_or_name_is_a_400(objects, client, username, url, data):
    case = MATRIX[url]
    as_user(client, objects, username)
    before = Appeal.objects.count(), objects.proposal.state
    response = client.post(reverse(url, kwargs=case.kwargs(objects)) + case.query, data(objects))
    assert response.status_code == 400
    objects.proposal.refresh_from_db()
    assert (Appeal.objects.count(), objects.proposal.state) == before


def test_a_nul_in_a_query_value_or_a_cookie_is_a_400(objects, client):
    as_user(client, objects, "sekprov.sulbar")
    assert client.get("/pemda/76/dasbor/", {"tahun": "2025\x00"}).status_code == 400
    assert client.get("/pemda/76/opd/?q%00=1").status_code == 400
    # A quoted cookie value may carry an octal escape: "\000" is a NUL once parsed.
    cookie = 'sessionid="abc\\000defghijklmnop"'
    assert Client().get("/", HTTP_COOKIE=cookie).status_code == 400


def test_the_admin_autocomplete_with_a_nul_term_is_a_400(world, client):
    client.force_login(world.superadmin)
    url = reverse("admin:autocomplete")
    query = {"term": "a\x00", "app_label": "opd", "model_name": "membership", "field_name": "opd"}
    assert client.get(url, query).status_code == 400
    del query["term"]
    assert client.get(url, query).status_code in (200, 403)


@pytest.mark.parametrize("charset", ["utf-16", "utf-7", "latin-1", "cp500", "no-such-charset"])
def test_a_form_post_in_another_charset_is_a_400_even_anonymous(world, charset):
    body = b"username=operator.kominfo&password=x"
    content_type = f"application/x-www-form-urlencoded; charset={charset}"
    anonymous = Client()
    # generic(): the client's post() would itself try to encode the body in `charset`.
    assert anonymous.generic("POST", "/akun/masuk/", body, content_type).status_code == 400
    signed_in = Client()
    signed_in.force_login(world.admin_sulbar)
    url = reverse("official_index", args=["76"])
    assert signed_in.generic("POST", url, body, content_type).status_code == 400
    multipart = f"multipart/form-data; boundary=x; charset={charset}"
    assert signed_in.generic("POST", url, b"--x--", multipart).status_code == 400
    # UTF-8, said or not, is fine.
    utf8 = "application/x-www-form-urlencoded; charset=UTF-8"
    assert anonymous.generic("POST", "/akun/masuk/", body, utf8).status_code == 200


@pytest.mark.parametrize("name", ["opd_list", "dashboard", "review_queue"])
@pytest.mark.parametrize("per_page", ["-1", "0", "99999999999999999999", "abc", "1"])
def test_per_page_of_any_value_shows_the_list(objects, client, name, per_page):
    case = MATRIX[name]
    as_user(client, objects, case.allowed)
    url = reverse(name, kwargs=case.kwargs(objects)) + case.query + f"&per_page={per_page}"
    assert client.get(url).status_code == 200


# --- Free text: lengths, NUL in imported cells ------------------------------------------


def test_the_team_import_refuses_too_long_values_and_nul_cells_in_the_preview(world):
    """The preview said "ready" and the confirmation failed with a 500: now the preview
    names the problem and nothing is written."""
    teams.ensure_default_roles(world.sulbar)
    long_name = "A" * (TeamMember._meta.get_field("name").max_length + 1)
    content = (
        "peran;nama;nip;status;jabatan\n"
        f"Koordinator;{long_name};{nip()};PNS;Kepala\n"
        "Pengelola Aplikasi;Fajar;;PTT;" + "J" * 151 + "\n"
    )
    raw = team_import.read_rows(SimpleUploadedFile("tim.csv", content.encode()))
    # A NUL cannot be in a CSV (the file is refused as unreadable), but rows kept in the
    # session between preview and confirmation are checked the same way.
    raw.append({"role": "Pengelola Data dan Informasi", "name": "Nu\x00rul", "status": "PTT"})
    with translation.override("en"):
        preview = team_import.preview_import(world.kominfo, THIS_YEAR, raw)
    assert not preview.ok
    assert ["too long" in " ".join(r.errors) for r in preview.rows] == [True, True, False]
    assert "NUL" in " ".join(preview.rows[2].errors)
    with pytest.raises(team_import.ImportRejected):
        team_import.import_members(world.operator_kominfo, world.kominfo, THIS_YEAR, raw)
    assert not TeamMember.objects.exists()
    with pytest.raises(team_import.ImportFileError):
        team_import.read_rows(SimpleUploadedFile("tim.csv", b"peran;nama;status\nK;A\x00;PTT\n"))


def test_free_text_in_forms_has_a_maximum_length(objects, client):
    as_user(client, objects, "kepala.kominfo")
    case = MATRIX["appeal_opd"]
    url = reverse("appeal_opd", kwargs=case.kwargs(objects)) + case.query
    Appeal.objects.all().delete()
    response = client.post(url, {"score": objects.score.pk, "argumen": "x" * 10_001})
    assert response.status_code == 400 and not Appeal.objects.exists()
    as_user(client, objects, "evaluator.sulbar")
    review = reverse("self_assessment_return", args=["76", "DISKOMINFO"]) + case.query
    client.post(review, {"alasan": "x" * 2001})
    objects.score.assessment.refresh_from_db()
    assert objects.score.assessment.status_mandiri != "dikembalikan"


# --- Leaks at the edges ---------------------------------------------------------------


def test_the_team_import_does_not_name_the_opd_a_nip_belongs_to(world):
    teams.ensure_default_roles(world.sulbar)
    other = make_team(world.bappeda, THIS_YEAR)
    TeamMember.objects.create(
        proposal=other, role=other.pemda.team_roles.get(order=1), name="Rosmini", nip=nip(),
        status=TeamMember.Status.PNS,
    )  # fmt: skip
    content = f"peran;nama;nip;status\nKoordinator;Rosmini;{nip()};PNS\n"
    raw = team_import.read_rows(SimpleUploadedFile("tim.csv", content.encode()))
    with translation.override("en"):
        preview = team_import.preview_import(world.kominfo, THIS_YEAR, raw)
    message = " ".join(preview.rows[0].errors)
    assert "already in another team of this pemda" in message
    assert "Bappeda" not in message and "Perencanaan" not in message


def test_province_staff_make_no_report_in_a_kabupaten(world, client):
    from tests.factories import make_period

    make_period(world.polman, YEAR)
    client.force_login(world.sekprov)
    page = client.get(reverse("dashboard", args=["76.02"]) + f"?tahun={YEAR}")
    assert page.status_code == 200 and "report-form" not in page.content.decode()
    response = client.post(
        reverse("report_create", args=["76.02"]), {"kind": "dashboard", "tahun": YEAR}
    )
    assert response.status_code == 404 and not Job.objects.exists()
    # In their own pemda they may.
    make_period(world.sulbar, YEAR)
    own = client.get(reverse("dashboard", args=["76"]) + f"?tahun={YEAR}")
    assert "report-form" in own.content.decode()


def test_refused_roles_on_the_team_pages_are_404_not_403(objects, client):
    for username, name in [
        ("kepala.kominfo", "team_overview"),
        ("sekprov.sulbar", "team_member_add"),
        ("evaluator.sulbar", "team_import"),
    ]:
        as_user(client, objects, username)
        case = MATRIX[name]
        url = reverse(name, kwargs=case.kwargs(objects)) + case.query
        assert client.get(url).status_code == 404, (username, name)


# --- Downloads are never cached -------------------------------------------------------

DOWNLOADS = [
    ("evidence_download", "operator.kominfo", ""),
    ("team_certificate_file", "kepala.kominfo", ""),
    ("report_download", "kepala.kominfo", ""),
    ("results_export", "sekprov.sulbar", "&format=csv"),
    ("results_export", "sekprov.sulbar", "&format=xlsx"),
    ("opd_list", "sekprov.sulbar", "&_export=csv"),
    ("dashboard", "sekprov.sulbar", "&_export=xlsx"),
]


@pytest.mark.parametrize("name,username,extra", DOWNLOADS)
def test_downloads_and_exports_are_private_and_not_stored(objects, client, name, username, extra):
    as_user(client, objects, username)
    case = MATRIX[name]
    response = client.get(reverse(name, kwargs=case.kwargs(objects)) + f"?tahun={YEAR}" + extra)
    assert response.status_code == 200 and response.has_header("Content-Disposition")
    assert response["Cache-Control"] == "private, no-store"


def test_the_import_template_is_private_and_not_stored(world, client):
    client.force_login(world.evaluator_sulbar)
    response = client.get(reverse("import_scores"), {"templat": "1"})
    assert response["Cache-Control"] == "private, no-store"


# --- Markup in chart labels ---------------------------------------------------------------

HOSTILE = '<a href="//evil.example">X</a><b>&amp;'  # fits the acronym's 40


def test_chart_labels_and_hover_texts_are_escaped_in_the_figure_json(objects, client):
    from evaluations.services.recompute import recompute_period

    OPD.objects.filter(pk=objects.world.kominfo.pk).update(nama=HOSTILE, singkatan=HOSTILE)
    period = Period.objects.get(pemda=objects.world.sulbar, tahun=YEAR)
    recompute_period(period.id)
    as_user(client, objects, "sekprov.sulbar")
    pages = [
        client.get(reverse("dashboard", args=["76"]) + f"?tahun={YEAR}"),
        client.get(reverse("scorecard", args=["76", "DISKOMINFO"]) + f"?tahun={YEAR}"),
    ]
    figures = []
    for page in pages:
        assert page.status_code == 200
        for raw in re.findall(
            r'<script id="[^"]+" type="application/json">(.*?)</script>',
            page.content.decode(),
            re.S,
        ):
            figure = json.loads(raw)
            if isinstance(figure, dict) and "data" in figure:
                figures.append(json.dumps(figure))
    assert len(figures) >= 5
    joined = "".join(figures)
    assert "&lt;a href=" in joined  # the name is there, as text
    assert "<a href" not in joined and "<b>" not in joined
    # Our own hover templates keep their markup.
    assert "<extra>" in joined


def test_plain_escapes_what_plotly_would_read_as_markup():
    assert charts.plain("<a href='x'>A & B</a>") == "&lt;a href='x'&gt;A &amp; B&lt;/a&gt;"
    figure = charts.ranking_bars(
        [{"label": HOSTILE, "name": HOSTILE, "index": 3, "zone": "kuning", "rank": 1}], 3.5, 2.6
    )
    assert "<a" not in json.dumps(figure["data"]) and "<a" not in json.dumps(figure["layout"])
    assert figure["layout"]["yaxis"]["categoryarray"] == [charts.plain(HOSTILE)]
