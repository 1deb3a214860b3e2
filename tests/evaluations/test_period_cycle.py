"""The Kominfo administrator runs the year in the app: the next period created from the
previous one (instrument, thresholds, appeal window and schedule carried over, or a
quarter instead), its schedule shown as deadlines, and every stage transition shown
with its consequences before it is confirmed, then recorded."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Assessment, ChangeLog, Instrument, Period, Stage
from evaluations.services import scores
from spbe_dashboard import dates
from tests.factories import make_period, opd_template, set_levels
from tests.html import text, texts

pytestmark = pytest.mark.django_db
D = datetime.date


def url(name, query="", kode="76"):
    return reverse(name, args=[kode]) + query


@pytest.fixture
def year_2026(world):
    return make_period(
        world.sulbar,
        2026,
        status=Period.Status.FINAL,
        zona_hijau_dari=Decimal("3.75"),
        zona_kuning_dari=Decimal("2.80"),
        jendela_sanggahan_hari=5,
        batas_mandiri=D(2026, 5, 31),
        batas_dokumen=D(2026, 7, 31),
        batas_final=D(2026, 12, 15),
    )


def new_period_form(**values):
    data = {
        "tahun": "2027",
        "triwulan": "",
        "instrument": str(opd_template().pk),
        "hijau": "3,80",
        "kuning": "2,80",
        "jendela_sanggahan_hari": "5",
        "batas_mandiri": "2027-05-31",
        "batas_dokumen": "2027-07-31",
        "batas_interviu": "",
        "batas_visitasi": "",
        "batas_final": "2027-12-15",
    }
    return data | values


def test_the_form_proposes_the_next_period_with_everything_carried_over(client, world, year_2026):
    client.force_login(world.admin_sulbar)
    form = client.get(url("period_new", "?tahun=2026")).context["form"]
    assert {
        name: form[name].value() for name in ("tahun", "hijau", "kuning", "jendela_sanggahan_hari")
    } == {
        "tahun": 2027,
        "hijau": "3,75",  # shown with the decimal comma
        "kuning": "2,80",
        "jendela_sanggahan_hari": 5,
    }
    assert form["batas_mandiri"].value() == D(2027, 5, 31)
    assert form["batas_final"].value() == D(2027, 12, 15)
    assert form["batas_interviu"].value() is None
    assert form["instrument"].value() == opd_template().pk


def test_creating_the_period_opens_its_assessments_and_is_recorded(client, world, year_2026):
    client.force_login(world.admin_sulbar)
    response = client.post(url("period_new", "?tahun=2026"), new_period_form())
    period = Period.objects.get(pemda=world.sulbar, tahun=2027, triwulan=None)
    assert response.status_code == 302 and response.url == url("period_admin", "?tahun=2027")
    assert period.status == Period.Status.SELF_ASSESSMENT
    assert (period.zona_hijau_dari, period.zona_kuning_dari) == (Decimal("3.80"), Decimal("2.80"))
    assert (period.batas_mandiri, period.jendela_sanggahan_hari) == (D(2027, 5, 31), 5)
    assert set(period.assessments.values_list("opd__kode", flat=True)) == {"DISKOMINFO", "BAPPEDA"}
    page = client.get(url("period_admin", "?tahun=2027")).content.decode()
    assert (
        "Status periode: — → Penilaian mandiri dibuka · alasan: dibuka setelah 2026"
        in texts(page, "period-change")[0]
    )
    assert "31 Mei 2027" in text(page, "schedule")

    # Once is enough: the same period again is refused, nothing else is created.
    response = client.post(url("period_new", "?tahun=2026"), new_period_form())
    assert "sudah ada" in text(response.content.decode(), "form-error")
    assert Period.objects.filter(pemda=world.sulbar).count() == 2


def test_a_quarterly_period_and_bad_input(client, world, year_2026):
    client.force_login(world.admin_sulbar)
    quarter = {
        "batas_mandiri": "2027-02-15",
        "batas_dokumen": "2027-03-10",
        "batas_final": "2027-03-31",
    }
    client.post(url("period_new"), new_period_form(triwulan="1", **quarter))
    assert Period.objects.get(pemda=world.sulbar, tahun=2027, triwulan=1).label == "2027 TW1"
    # The period switcher names the quarter; its pages open on it.
    page = client.get(url("period_admin", "?tahun=2027-1")).content.decode()
    assert '<option value="2027-1" selected>' in page and "Sulawesi Barat · 2027 TW1" in page

    for values, field in (
        ({"hijau": "2,50"}, None),  # yellow not below green
        ({"hijau": "4.000,5"}, "hijau"),
        ({"batas_dokumen": "2027-04-30"}, "batas_dokumen"),  # before self-assessment ends
        ({"instrument": "999999"}, "instrument"),
    ):
        response = client.post(url("period_new"), new_period_form(tahun="2028", **values))
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert (field in errors) if field else errors, values
    assert not Period.objects.filter(tahun=2028).exists()


def test_another_pemdas_instrument_is_not_offered_nor_accepted(client, world, year_2026):
    theirs = Instrument.objects.create(
        kode="polman-2027", nama="Instrumen Polman", pemda=world.polman
    )
    client.force_login(world.admin_sulbar)
    page = client.get(url("period_new")).content.decode()
    assert "Instrumen Polman" not in page
    response = client.post(url("period_new"), new_period_form(instrument=str(theirs.pk)))
    assert "instrument" in response.context["form"].errors
    assert not Period.objects.filter(tahun=2027).exists()


def test_a_province_administrator_creates_no_period_for_its_kabupaten(client, world):
    make_period(world.polman, 2026, status=Period.Status.FINAL)
    client.force_login(world.admin_sulbar)
    for path in (url("period_new", kode="76.02"), url("period_schedule", "?tahun=2026", "76.02")):
        assert client.get(path).status_code == 404
        assert client.post(path, new_period_form()).status_code == 404
    assert not Period.objects.filter(pemda=world.polman, tahun=2027).exists()


def test_the_schedule_is_checked_recorded_and_shown_as_deadlines(client, world):
    period = make_period(world.sulbar, 2027, status=Period.Status.SELF_ASSESSMENT)
    client.force_login(world.admin_sulbar)
    schedule = {
        "batas_mandiri": "2027-05-31",
        "batas_dokumen": "2027-05-01",
        "jendela_sanggahan_hari": "3",
        "alasan": "Rapat koordinasi 12 Januari",
    }
    response = client.post(url("period_schedule", "?tahun=2027"), schedule)
    assert response.context["form"].errors["batas_dokumen"] == [
        "Penilaian dokumen tidak dapat berakhir sebelum Penilaian mandiri berakhir."
    ]
    client.post(url("period_schedule", "?tahun=2027"), schedule | {"batas_dokumen": "2027-07-31"})
    period.refresh_from_db()
    assert (period.batas_mandiri, period.batas_dokumen) == (D(2027, 5, 31), D(2027, 7, 31))
    change = ChangeLog.objects.get(period=period, field="batas_mandiri")
    assert change.reason == "Rapat koordinasi 12 Januari" and change.user == world.admin_sulbar
    history = texts(
        client.get(url("period_admin", "?tahun=2027")).content.decode(), "period-change"
    )
    assert any("Penilaian mandiri sampai: — → 31 Mei 2027" in line for line in history)

    # The OPD sees its deadline, the evaluators theirs once the evaluation runs.
    client.force_login(world.operator_kominfo)
    page = client.get(reverse("self_assessment", args=["76", "DISKOMINFO"])).content.decode()
    assert text(page, "deadline") == "Penilaian mandiri sampai 31 Mei 2027"
    scores.start_evaluation(world.admin_sulbar, period.pk)
    client.force_login(world.evaluator_sulbar)
    page = client.get(url("review_queue", "?tahun=2027")).content.decode()
    assert text(page, "deadline").startswith("Penilaian dokumen sampai 31 Juli 2027")


@pytest.fixture
def running(world):
    """2027 open for self-assessment; Diskominfo has submitted, Bappeda not."""
    period = make_period(
        world.sulbar, 2027, status=Period.Status.SELF_ASSESSMENT, jendela_sanggahan_hari=4
    )
    Assessment.objects.filter(period=period, opd=world.kominfo).update(
        status_mandiri=Assessment.SelfStatus.SUBMITTED
    )
    return period


def confirm_page(client, action):
    response = client.get(url("period_action", f"?tahun=2027&action={action}"))
    assert response.status_code == 200
    return response.content.decode()


def test_closing_self_assessment_says_who_has_not_submitted(client, world, running):
    client.force_login(world.admin_sulbar)
    page = confirm_page(client, "start")
    assert text(page, "not-submitted").startswith("1 dari 2 OPD belum mengajukan")
    assert "Badan Perencanaan" in text(page, "consequences")
    assert "Dinas Komunikasi" not in text(page, "consequences")
    running.refresh_from_db()
    assert running.status == Period.Status.SELF_ASSESSMENT  # showing changes nothing

    client.post(url("period_action", "?tahun=2027"), {"action": "start"})
    running.refresh_from_db()
    assert running.status == Period.Status.EVALUATION
    assert ChangeLog.objects.filter(
        period=running, field="status", user=world.admin_sulbar
    ).exists()


def test_ending_document_review_says_until_when_appeals_are_open(client, world, running):
    scores.start_evaluation(world.admin_sulbar, running.pk)
    client.force_login(world.evaluator_sulbar)
    page = confirm_page(client, "stage")
    until = timezone.localtime(timezone.now() + datetime.timedelta(days=4))
    # A moment is shown with its zone (spbe_dashboard.dates): "6 Des. 2026, 13.26 WITA".
    assert f"sanggahan sampai {dates.day(until)}, " in text(page, "appeal-until")
    assert " WITA (4 hari)" in text(page, "appeal-until")
    assert "(4 hari)" in text(page, "appeal-until")
    client.post(url("period_action", "?tahun=2027"), {"action": "stage", "tahap": "dokumen"})
    running.refresh_from_db()
    assert running.tahap == Stage.INTERVIU and running.sanggahan_dibuka is not None


def test_finalising_lists_each_missing_indicator_with_its_link(client, world, running):
    scores.start_evaluation(world.admin_sulbar, running.pk)
    set_levels(running.assessments.get(opd=world.kominfo), 3)
    bappeda = running.assessments.get(opd=world.bappeda)
    set_levels(bappeda, dict.fromkeys(range(1, 24), 3))
    client.force_login(world.admin_sulbar)
    page = confirm_page(client, "finalise")
    links = re.findall(r'href="([^"]+)" data-testid="missing-indicator"', page)
    missing = bappeda.scores.filter(indicator__nomor__in=[24, 25]).order_by("indicator__nomor")
    expected = reverse("review", args=["76", "BAPPEDA"]) + "?tahun=2027"
    assert links == [f"{expected}#score-{score.pk}" for score in missing]
    assert 'data-testid="confirm"' not in page  # nothing to confirm yet

    set_levels(bappeda, 3)
    page = confirm_page(client, "finalise")
    assert 'data-testid="confirm"' in page
    client.post(url("period_action", "?tahun=2027"), {"action": "finalise"})
    running.refresh_from_db()
    assert running.is_final


def test_reopening_asks_for_a_reason(client, world, running):
    Period.objects.filter(pk=running.pk).update(status=Period.Status.FINAL)
    client.force_login(world.admin_sulbar)
    assert 'data-testid="reopen-reason"' in confirm_page(client, "reopen")
    client.post(url("period_action", "?tahun=2027"), {"action": "reopen", "alasan": ""})
    running.refresh_from_db()
    assert running.is_final
    client.post(
        url("period_action", "?tahun=2027"), {"action": "reopen", "alasan": "Sanggahan Bappeda"}
    )
    running.refresh_from_db()
    assert running.status == Period.Status.EVALUATION
    assert ChangeLog.objects.get(period=running, field="status").reason == "Sanggahan Bappeda"


def test_a_pemda_without_periods_starts_with_the_first(client, world):
    client.force_login(world.admin_polman)
    page = client.get(url("period_admin", kode="76.02")).content.decode()
    assert 'data-testid="create-period"' in page
    client.post(url("period_new", kode="76.02"), new_period_form(tahun="2027"))
    period = Period.objects.get(pemda=world.polman)
    assert set(period.assessments.values_list("opd__kode", flat=True)) == {"DINKES"}
    assert ChangeLog.objects.get(period=period).reason == "periode pertama"
