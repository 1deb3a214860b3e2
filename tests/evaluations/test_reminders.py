"""Reminders on a schedule (issue 14, point 4): self-assessment closing in 3 and 1 days
for the OPDs that have not submitted, the appeal window closing within 24 hours for the
OPDs with provisional levels, certificates expiring within 90 days; each sent once, also
when the run repeats; installed as editable beat rows."""

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from evaluations import reminders
from evaluations.models import Assessment, Notification, Period, SentReminder, Stage
from opd.models import TeamCertificate
from opd.services import teams
from tests.factories import Role, add_member, make_period, make_team, make_user, set_levels

pytestmark = pytest.mark.django_db
WITA = datetime.timezone(timedelta(hours=8))


def at(day, hour=9):
    """A moment in WITA (the province's time zone)."""
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=WITA)


def told(kind=Notification.Kind.DEADLINE):
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    )


@pytest.fixture
def bappeda_head(world):
    return make_user(Role.KEPALA_OPD, world.sulbar, world.bappeda, username="kepala.bappeda")


@pytest.fixture
def closing(world, bappeda_head):
    """Self-assessment of 2025 closes on 10 March; Bappeda has submitted."""
    period = make_period(
        world.sulbar,
        2025,
        status=Period.Status.SELF_ASSESSMENT,
        batas_mandiri=datetime.date(2025, 3, 10),
    )
    Assessment.objects.filter(period=period, opd=world.bappeda).update(
        status_mandiri=Assessment.SelfStatus.SUBMITTED
    )
    make_period(world.polman, 2025, status=Period.Status.SELF_ASSESSMENT)  # no schedule
    return period


def test_self_assessment_closing_in_3_days_then_1_day_once_each(closing, world):
    assert reminders.send_due(at(datetime.date(2025, 3, 6))) == 0  # 4 days left
    assert reminders.send_due(at(datetime.date(2025, 3, 7))) == 1
    assert told() == ["kepala.kominfo", "operator.kominfo"]  # not Bappeda: it submitted
    title = Notification.objects.filter(kind="deadline").first().title
    assert title == "Penilaian mandiri 2025 ditutup pada 10 Maret 2025"
    # Again the same day and the next: nothing new (the 3-day reminder is sent).
    assert reminders.send_due(at(datetime.date(2025, 3, 7), 15)) == 0
    assert reminders.send_due(at(datetime.date(2025, 3, 8))) == 0
    assert reminders.send_due(at(datetime.date(2025, 3, 9))) == 1  # the 1-day one
    assert reminders.send_due(at(datetime.date(2025, 3, 9), 20)) == 0
    assert len(told()) == 4
    assert not Notification.objects.exclude(pemda=world.sulbar).exists()


def test_the_day_is_counted_in_the_pemdas_time_zone(closing):
    # 16.30 UTC is still 6 March in WIB (23.30) but 7 March in WITA (00.30): 3 days left.
    late = datetime.datetime(2025, 3, 6, 16, 30, tzinfo=datetime.UTC)
    assert reminders.send_due(late) == 1


def test_reminders_are_recorded_once_even_when_two_runs_race(closing):
    now = at(datetime.date(2025, 3, 7))
    assert reminders.send_due(now) == 1
    assert SentReminder.objects.count() == 1
    # A second worker that did not see the first one's row: the unique key refuses it.
    key = SentReminder.objects.get().key
    assert reminders._once(closing.pemda, key, lambda: pytest.fail("sent twice")) is False


def test_appeal_window_closing_within_24_hours(world, bappeda_head):
    period = make_period(world.sulbar, 2025)
    kominfo = Assessment.objects.get(period=period, opd=world.kominfo)
    set_levels(kominfo, 3)  # provisional levels: Bappeda has none
    opened = timezone.now() - timedelta(days=2, hours=1)
    Period.objects.filter(pk=period.pk).update(tahap=Stage.INTERVIU, sanggahan_dibuka=opened)
    assert reminders.send_due(opened + timedelta(days=1)) == 0  # 2 days left
    assert reminders.send_due(timezone.now()) == 1  # 23 hours left
    assert told() == ["kepala.kominfo", "operator.kominfo"]
    assert Notification.objects.first().title.endswith("WITA")
    assert reminders.send_due(timezone.now()) == 0
    assert reminders.send_due(opened + timedelta(days=4)) == 0  # closed


def test_certificates_expiring_within_90_days_once_per_certificate_and_threshold(world):
    today = timezone.localdate()
    proposal = make_team(world.kominfo, today.year)
    member = add_member(proposal, 1, name="Andi")
    TeamCertificate.objects.create(
        member=member,
        name="Sertifikat Keamanan Informasi",
        issuer=TeamCertificate.Issuer.BNSP,
        issued_on=today - timedelta(days=700),
        expires_on=today + timedelta(days=60),
    )
    TeamCertificate.objects.create(
        member=member,
        name="Sertifikat Jaringan",
        issuer=TeamCertificate.Issuer.BNSP,
        issued_on=today - timedelta(days=700),
        expires_on=today + timedelta(days=200),
    )
    kind = Notification.Kind.CERTIFICATE
    assert reminders.send_due() == 1
    assert told(kind) == ["kepala.kominfo", "operator.kominfo"]
    assert reminders.send_due() == 0
    # A new version of the team copies the certificate: still no second reminder.
    teams.propose(world.kepala_kominfo, proposal.pk)
    teams.approve(world.admin_sulbar, proposal.pk, "188/2", today)
    teams.start_revision(world.kepala_kominfo, proposal.pk)
    assert reminders.send_due() == 0
    # Within 30 days: the next threshold, once.
    later = timezone.now() + timedelta(days=31)
    assert reminders.send_due(later) == 1
    assert reminders.send_due(later) == 0


def test_the_schedules_are_beat_rows():
    rows = {
        task.task: task
        for task in PeriodicTask.objects.filter(task__startswith="evaluations.tasks.send")
    }
    assert {
        "evaluations.tasks.send_reminders_task",
        "evaluations.tasks.send_digests_task",
    } <= set(rows)
    assert PeriodicTask.objects.filter(
        task="evaluations.tasks.resend_notification_mail_task", enabled=True
    ).exists()
    assert rows["evaluations.tasks.send_reminders_task"].crontab.hour == "*"
