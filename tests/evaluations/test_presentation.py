"""Presentation rules, each written once (issue 13, point 4): one date format per kind
with the time zone named, weights as the regulation writes them, filters that say
"Semua …", and a jobs page in words."""

import datetime
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from evaluations.filters import AssessmentFilter, ReviewQueueFilter
from evaluations.models import Assessment, Job
from opd.forms import AccountForm, MemberForm
from spbe_dashboard import dates
from spbe_dashboard.numbers import weight_text
from tests.factories import make_period
from tests.html import text

MOMENT = datetime.datetime(2026, 3, 9, 6, 5, tzinfo=datetime.UTC)  # 14.05 in Makassar


@pytest.mark.parametrize(
    "zone, shown",
    [
        ("Asia/Makassar", "9 Maret 2026, 14.05 WITA"),
        ("Asia/Jakarta", "9 Maret 2026, 13.05 WIB"),
        ("Asia/Jayapura", "9 Maret 2026, 15.05 WIT"),
    ],
)
def test_a_moment_shows_the_date_time_and_the_zone(zone, shown):
    with translation.override("id"), timezone.override(zoneinfo.ZoneInfo(zone)):
        assert dates.moment(MOMENT) == shown


def test_a_day_has_one_format_and_empty_values_a_dash():
    with translation.override("id"), timezone.override(zoneinfo.ZoneInfo("Asia/Makassar")):
        assert dates.day(datetime.date(2026, 12, 2)) == "2 Des. 2026"
        # A moment shown as a day is the local day (00.30 WITA is still 2 Dec).
        late = datetime.datetime(2026, 12, 1, 16, 30, tzinfo=datetime.UTC)
        assert dates.day(late) == "2 Des. 2026"
        assert dates.day(None) == dates.moment(None) == "—"
        rendered = Template("{% load dates %}{{ d|day }} · {{ m|moment }}").render(
            Context({"d": datetime.date(2026, 1, 5), "m": MOMENT})
        )
        assert rendered == "5 Jan. 2026 · 9 Maret 2026, 14.05 WITA"
    with translation.override("en"):
        assert dates.day(datetime.date(2026, 12, 2)) == "Dec. 2, 2026"


@pytest.mark.parametrize(
    "stored, shown_id, shown_en",
    [
        ("1.300", "1,3\u00a0%", "1.3\u00a0%"),
        ("2.000", "2\u00a0%", "2\u00a0%"),
        ("0.625", "0,625\u00a0%", "0.625\u00a0%"),
        ("12.50", "12,5\u00a0%", "12.5\u00a0%"),
        ("100", "100\u00a0%", "100\u00a0%"),
        (None, "—", "—"),
    ],
)
def test_weights_are_shown_as_the_regulation_writes_them(stored, shown_id, shown_en):
    value = Decimal(stored) if stored else None
    with translation.override("id"):
        assert weight_text(value) == shown_id
        assert Template("{% load values %}{{ w|weight }}").render(Context({"w": value})) == (
            shown_id
        )
    with translation.override("en"):
        assert weight_text(value) == shown_en


@pytest.mark.django_db
def test_no_filter_or_choice_says_dashes(world):
    forms = [
        AssessmentFilter(data={}, queryset=Assessment.objects.none()).form,
        ReviewQueueFilter(data={}, queryset=Assessment.objects.none()).form,
        MemberForm(pemda=world.sulbar),
        AccountForm(pemda=world.sulbar),
    ]
    with translation.override("id"):
        html = "".join(str(form) for form in forms)
    assert "---------" not in html
    for label in ("Semua zona", "Semua predikat", "Semua jenis", "Semua status", "Pilih peran"):
        assert label in html, label


@pytest.mark.django_db
def test_the_jobs_page_says_in_words_what_ran(client, world):
    period = make_period(world.sulbar, 2025)
    started = timezone.now() - datetime.timedelta(minutes=5)
    Job.objects.create(
        kind=Job.Kind.RECOMPUTE_PERIOD,
        state=Job.State.DONE,
        pemda=world.sulbar,
        period=period,
        detail="42 asesmen dihitung ulang",
        started_at=started,
        finished_at=started + datetime.timedelta(seconds=75),
        progress=100,
    )
    Job.objects.create(
        kind=Job.Kind.REPORT,
        state=Job.State.DONE,
        pemda=world.sulbar,
        period=period,
        detail="scorecard:DISKOMINFO",
        requested_by=world.kepala_kominfo,
        result_file="reports/76/x.pdf",
    )
    Job.objects.create(
        kind=Job.Kind.SWEEP_STALE,
        state=Job.State.FAILED,
        pemda=world.sulbar,
        error="OperationalError: server closed the connection",
    )
    client.force_login(world.admin_sulbar)
    page = client.get(reverse("jobs")).content.decode()
    assert "scorecard:" not in page and "recompute_period" not in page
    outcomes = text(page, "job-list")
    assert "Periode 2025 · Provinsi Sulawesi Barat" in outcomes
    assert "42 asesmen dihitung ulang" in outcomes
    assert "lama 1 menit 15 detik" in outcomes
    assert "Rapor OPD DISKOMINFO" in outcomes and "PDF sudah siap." in outcomes
    assert "Terhenti karena galat" in outcomes
    assert "WITA" in outcomes  # moments carry their zone
    assert "Rincian teknis galat" in page  # the raw error only behind a summary


@pytest.mark.django_db
def test_the_favicon_and_app_icons_are_answered(client, world):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/static/icons/favicon.ico")
    static = Path(__file__).resolve().parents[2] / "static" / "icons"
    icon = (static / "favicon.ico").read_bytes()
    assert icon[:4] == b"\x00\x00\x01\x00"  # an .ico
    client.force_login(world.sekprov)
    page = client.get("/").content.decode()
    for name in ("favicon.ico", "icon.svg", "apple-touch-icon.png", "manifest.json"):
        assert f"/static/icons/{name}" in page
        assert (static / name).exists()


@pytest.mark.django_db
def test_a_moment_is_shown_in_the_pemdas_time_zone(world):
    world.gowa.zona_waktu = "Asia/Jayapura"  # as if Gowa were in Papua
    with translation.override("id"), timezone.override(zoneinfo.ZoneInfo("Asia/Makassar")):
        assert dates.moment(MOMENT, world.gowa) == "9 Maret 2026, 15.05 WIT"
        assert dates.moment(MOMENT, world.sulbar) == "9 Maret 2026, 14.05 WITA"
        assert dates.moment(MOMENT, "76") == "9 Maret 2026, 14.05 WITA"  # not a zone
        rendered = Template("{% load dates %}{{ m|moment:pemda }}").render(
            Context({"m": MOMENT, "pemda": world.gowa})
        )
        assert rendered == "9 Maret 2026, 15.05 WIT"
