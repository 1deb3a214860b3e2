"""Notifications (issue 14): each hand-off tells exactly the people of its tenant and OPD
it concerns, in the app and by e-mail through a real SMTP server on 127.0.0.1; a mail
server that refuses connections never undoes the action, and the resend delivers later;
the person's e-mail choices (off per kind, daily digest) hold; the bell counts right."""

import datetime
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from evaluations import notifications
from evaluations.models import Assessment, Notification, Period, Stage
from evaluations.services import appeals as appeal_service
from evaluations.services import scores
from opd.models import Profile
from opd.services import teams
from tests.conftest import free_port, use_smtp
from tests.factories import (
    THIS_YEAR,
    NotificationFactory,
    Role,
    add_member,
    give_emails,
    make_period,
    make_team,
    make_user,
    set_levels,
)

pytestmark = pytest.mark.django_db
YEAR = 2025
Kind = Notification.Kind


@pytest.fixture
def everyone(world):
    """Every user of every tenant has an e-mail address, and Bappeda has a head."""
    world.kepala_bappeda = make_user(
        Role.KEPALA_OPD, world.sulbar, world.bappeda, username="kepala.bappeda"
    )
    give_emails(*get_user_model().objects.all())
    for user in vars(world).values():
        if isinstance(user, get_user_model()):
            user.refresh_from_db()
    return world


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...`: the action's after-commit work (the e-mails) runs."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def told(kind):
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    )


def mailed(inbox):
    return [address.split("@")[0] for address in inbox.recipients()]


@pytest.fixture
def filled(everyone):
    """The province's 2025 period open for self-assessment, Diskominfo's levels filled."""
    period = make_period(everyone.sulbar, YEAR, status=Period.Status.SELF_ASSESSMENT)
    assessment = Assessment.objects.get(period=period, opd=everyone.kominfo)
    set_levels(assessment, 3, evaluator=False)
    return assessment


@pytest.fixture
def under_review(everyone):
    """The period after document review: every level set, the appeal window open."""
    period = make_period(everyone.sulbar, YEAR, status=Period.Status.SELF_ASSESSMENT)
    for assessment in period.assessments.all():
        set_levels(assessment, 3, evaluator=False)
        set_levels(assessment, 3)
    Period.objects.filter(pk=period.pk).update(
        status=Period.Status.EVALUATION, tahap=Stage.INTERVIU, sanggahan_dibuka=timezone.now()
    )
    Assessment.objects.filter(period=period).update(status_mandiri=Assessment.SelfStatus.SUBMITTED)
    period.refresh_from_db()
    return period


def first_score(assessment):
    return assessment.scores.order_by("indicator__nomor").first()


# --- Who is told ----------------------------------------------------------------------


def test_submission_tells_the_evaluators_of_the_pemda_by_mail(
    client, filled, everyone, smtp_server, committed
):
    client.force_login(everyone.kepala_kominfo)
    url = reverse("self_assessment_submit", args=["76", "DISKOMINFO"]) + f"?tahun={YEAR}"
    with committed():
        assert client.post(url).status_code == 302

    assert told(Kind.SUBMITTED) == ["admin.sulbar", "evaluator.sulbar"]
    assert mailed(smtp_server) == ["admin.sulbar", "evaluator.sulbar"]
    message = smtp_server.messages[0]
    assert (
        message["Subject"]
        == f"Dinas Komunikasi dan Informatika mengajukan penilaian mandiri {YEAR}"
    )
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = f"https://spbe.example.go.id/pemda/76/evaluasi/DISKOMINFO/?tahun={YEAR}"
    assert link in text and f'href="{link}"' in html
    assert "Halo" in text and "Buka" in text
    assert Notification.objects.filter(mail=Notification.Mail.SENT).count() == 2


def test_a_return_tells_the_opd_itself_and_nobody_else(filled, everyone, smtp_server, committed):
    scores.submit_self_assessment(everyone.kepala_kominfo, filled.pk)
    with committed():
        scores.return_self_assessment(everyone.evaluator_sulbar, filled.pk, "Lengkapi bukti SOP")
    assert told(Kind.RETURNED) == ["kepala.kominfo", "operator.kominfo"]
    returned = [m for m in smtp_server.messages if "dikembalikan" in m["Subject"]]
    assert sorted(a for m in returned for a in m.rcpt) == [
        "kepala.kominfo@example.go.id",
        "operator.kominfo@example.go.id",
    ]
    body = Notification.objects.filter(kind=Kind.RETURNED).first().body
    assert "Lengkapi bukti SOP" in body


def test_appeals_tell_the_evaluators_then_the_opd(under_review, everyone, smtp_server):
    assessment = Assessment.objects.get(period=under_review, opd=everyone.kominfo)
    appeal = appeal_service.file_appeal(
        everyone.kepala_kominfo, first_score(assessment).pk, "SOP sudah ada", 4
    )
    assert told(Kind.APPEAL_FILED) == ["admin.sulbar", "evaluator.sulbar"]
    appeal_service.reject_appeal(everyone.evaluator_sulbar, appeal.pk, "Bukti tidak memadai")
    assert told(Kind.APPEAL_DECIDED) == ["kepala.kominfo", "operator.kominfo"]
    decided = Notification.objects.filter(kind=Kind.APPEAL_DECIDED).first()
    assert "ditolak" in decided.title and "Bukti tidak memadai" in decided.body
    assert decided.link == f"/pemda/76/opd/DISKOMINFO/sanggahan/?tahun={YEAR}"


def test_the_end_of_document_review_opens_the_appeal_window_for_each_opd(everyone):
    period = make_period(everyone.sulbar, YEAR)
    scores.end_document_review(everyone.evaluator_sulbar, period.pk)
    windows = Notification.objects.filter(kind=Kind.STAGE, title__startswith="Jendela sanggahan")
    assert sorted(windows.values_list("recipient__username", flat=True)) == [
        "kepala.bappeda",
        "kepala.kominfo",
        "operator.kominfo",
    ]
    assert all(n.title.endswith("WITA") for n in windows)
    by_user = {n.recipient.username: n.link for n in windows}
    assert by_user["kepala.bappeda"].startswith("/pemda/76/opd/BAPPEDA/sanggahan/")
    # The kabupaten's and the other province's people hear nothing of it; the evaluator
    # who ended it is not told what they did, the administrator is.
    assert not Notification.objects.exclude(pemda=everyone.sulbar).exists()
    stage = Notification.objects.filter(kind=Kind.STAGE, title__contains="interviu")
    assert [n.recipient.username for n in stage] == ["admin.sulbar"]


def test_a_new_period_tells_every_opd_to_fill_its_self_assessment(client, everyone):
    make_period(everyone.sulbar, YEAR, status=Period.Status.FINAL)
    client.force_login(everyone.admin_sulbar)
    data = {
        "tahun": str(YEAR + 1),
        "triwulan": "",
        "instrument": str(Period.objects.get(pemda=everyone.sulbar).instrument_id),
        "hijau": "3,50",
        "kuning": "2,60",
        "jendela_sanggahan_hari": "3",
        "batas_mandiri": f"{YEAR + 1}-05-31",
    }
    response = client.post(reverse("period_new", args=["76"]) + f"?tahun={YEAR}", data)
    assert response.status_code == 302
    opened = Notification.objects.filter(kind=Kind.STAGE)
    assert sorted(opened.values_list("recipient__username", flat=True)) == [
        "kepala.bappeda",
        "kepala.kominfo",
        "operator.kominfo",
    ]
    first = opened.get(recipient=everyone.kepala_kominfo)
    assert first.title == f"Penilaian mandiri {YEAR + 1} dibuka"
    assert first.body == f"Terbuka sampai akhir 31 Mei {YEAR + 1}."


def test_team_hand_offs(everyone, smtp_server, committed):
    # This year's team: a past year's team is read-only (opd.services.teams).
    proposal = make_team(everyone.kominfo, THIS_YEAR)
    add_member(proposal, 1, name="Andi")
    with committed():
        teams.propose(everyone.kepala_kominfo, proposal.pk)
    assert mailed(smtp_server) == ["admin.sulbar"]
    assert told(Kind.TEAM_PROPOSED) == ["admin.sulbar"]
    teams.return_proposal(everyone.admin_sulbar, proposal.pk, "Lengkapi SK")
    assert told(Kind.TEAM_DECIDED) == ["kepala.kominfo", "operator.kominfo"]
    teams.propose(everyone.kepala_kominfo, proposal.pk)
    teams.approve(everyone.admin_sulbar, proposal.pk, "188/1", datetime.date(THIS_YEAR, 3, 1))
    assert told(Kind.TEAM_DECIDED) == ["kepala.kominfo"] * 2 + ["operator.kominfo"] * 2
    assert "kepala.bappeda" not in mailed(smtp_server)


def test_notify_never_reaches_another_tenant(everyone):
    """Even a caller that passes the wrong people cannot reach them."""
    users = get_user_model().objects.all()
    notifications.notify(Kind.STAGE, users, everyone.polman, "Uji")
    assert sorted(told(Kind.STAGE)) == [
        "admin.polman",
        "bupati.polman",
        "evaluator.polman",
        "kepala.dinkes.polman",
    ]
    assert (
        notifications.recipients(
            everyone.polman, notifications.OPD_PEOPLE, [everyone.kominfo]
        ).count()
        == 0
    )


def test_inactive_accounts_are_not_told(filled, everyone):
    everyone.evaluator_sulbar.is_active = False
    everyone.evaluator_sulbar.save()
    scores.submit_self_assessment(everyone.kepala_kominfo, filled.pk)
    assert told(Kind.SUBMITTED) == ["admin.sulbar"]


# --- A mail server that fails -----------------------------------------------------------


def test_a_refusing_mail_server_leaves_the_action_done_and_the_resend_delivers_later(
    client, filled, everyone, settings, committed
):
    use_smtp(settings, free_port())  # nobody listens there: connection refused
    client.force_login(everyone.kepala_kominfo)
    url = reverse("self_assessment_submit", args=["76", "DISKOMINFO"]) + f"?tahun={YEAR}"
    with committed():
        assert client.post(url).status_code == 302

    filled.refresh_from_db()
    assert filled.status_mandiri == Assessment.SelfStatus.SUBMITTED
    waiting = Notification.objects.filter(kind=Kind.SUBMITTED)
    assert waiting.count() == 2
    assert set(waiting.values_list("mail", flat=True)) == {Notification.Mail.FAILED}
    # In-process the task tries once; a worker retries with backoff, bounded.
    assert all(n.mail_attempts == 1 for n in waiting)
    from evaluations.tasks import send_notification_mail_task as task

    assert task.max_retries == 5 and task.retry_backoff and OSError in task.autoretry_for
    client.force_login(everyone.evaluator_sulbar)
    assert 'data-unread="1"' in client.get("/").content.decode()

    # The server is back: the resend sweep (a beat row) delivers, once.
    from aiosmtpd.controller import Controller

    from tests.conftest import SMTPInbox

    inbox = SMTPInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    controller.start()
    try:
        assert notifications.resend_unsent(min_age=timedelta(0)) == 2
        assert notifications.resend_unsent(min_age=timedelta(0)) == 0
    finally:
        controller.stop()
    assert mailed(inbox) == ["admin.sulbar", "evaluator.sulbar"]
    assert set(waiting.values_list("mail", flat=True)) == {Notification.Mail.SENT}


def test_the_resend_leaves_recent_mails_to_the_tasks_own_retries(
    filled, everyone, settings, committed
):
    use_smtp(settings, free_port())
    with committed():
        scores.submit_self_assessment(everyone.kepala_kominfo, filled.pk)
    assert notifications.resend_unsent() == 0  # younger than 20 minutes


# --- The person's choices ---------------------------------------------------------------


def test_no_mail_for_a_kind_turned_off_and_a_daily_digest(filled, everyone, smtp_server, committed):
    Profile.objects.create(user=everyone.evaluator_sulbar, email_muted=[Kind.SUBMITTED])
    Profile.objects.create(user=everyone.admin_sulbar, email_digest=True)
    with committed():
        scores.submit_self_assessment(everyone.kepala_kominfo, filled.pk)
    assert smtp_server.messages == []
    assert told(Kind.SUBMITTED) == ["admin.sulbar", "evaluator.sulbar"]  # in the app all the same
    notifications.notify(
        Kind.STAGE, notifications.evaluators(everyone.sulbar), everyone.sulbar, "Tahap baru"
    )

    assert notifications.send_digests() == 1
    digest = [m for m in smtp_server.messages if m.rcpt == ["admin.sulbar@example.go.id"]]
    assert len(digest) == 1
    assert digest[0]["Subject"] == "Dasbor SPBE: 2 notifikasi baru"
    assert "Tahap baru" in digest[0].get_body(("plain",)).get_content()
    assert notifications.send_digests() == 0


def test_no_address_no_mail(filled, everyone, smtp_server, committed):
    get_user_model().objects.filter(username="evaluator.sulbar").update(email="")
    with committed():
        scores.submit_self_assessment(everyone.kepala_kominfo, filled.pk)
    assert mailed(smtp_server) == ["admin.sulbar"]
    assert Notification.objects.get(recipient__username="evaluator.sulbar").mail == "none"


def test_an_english_speaker_gets_english(filled, everyone, smtp_server, committed):
    Profile.objects.create(user=everyone.evaluator_sulbar, language="en")
    with committed():
        scores.submit_self_assessment(everyone.kepala_kominfo, filled.pk)
    mine = Notification.objects.get(recipient=everyone.evaluator_sulbar)
    assert mine.title == f"Dinas Komunikasi dan Informatika submitted its self-assessment {YEAR}"
    [message] = [m for m in smtp_server.messages if m.rcpt == ["evaluator.sulbar@example.go.id"]]
    assert "Hello" in message.get_body(("plain",)).get_content()


# --- In the app -------------------------------------------------------------------------


def bell(client):
    page = client.get(reverse("notifications")).content.decode()
    return int(re.search(r'data-testid="bell" data-unread="(\d+)"', page).group(1))


def test_the_bell_counts_the_unread_and_marking_read_moves_it(client, everyone):
    mine = [NotificationFactory(recipient=everyone.kepala_kominfo) for _ in range(3)]
    NotificationFactory(recipient=everyone.operator_kominfo)
    client.force_login(everyone.kepala_kominfo)
    assert bell(client) == 3
    page = client.get(reverse("notifications")).content.decode()
    assert page.count('data-testid="notification"') == 3 and mine[0].title in page

    response = client.post(reverse("notification_read", args=[mine[0].pk]))
    assert response.status_code == 302 and bell(client) == 2
    unread_page = client.get(reverse("notifications") + "?tampil=belum").content.decode()
    assert unread_page.count('data-testid="notification"') == 2
    client.post(reverse("notification_read_all"))
    assert bell(client) == 0
    client.force_login(everyone.operator_kominfo)
    assert bell(client) == 1  # someone else's reading changes nothing of theirs


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, everyone):
    n = NotificationFactory(recipient=everyone.kepala_kominfo, link="/pemda/76/opd/DISKOMINFO/")
    client.force_login(everyone.kepala_kominfo)
    response = client.post(reverse("notification_read", args=[n.pk]), {"buka": "1"})
    assert response["Location"] == "/pemda/76/opd/DISKOMINFO/"
    n.refresh_from_db()
    assert n.is_read


def test_someone_elses_notification_is_a_404(client, everyone):
    n = NotificationFactory(recipient=everyone.kepala_kominfo)
    for other in (everyone.operator_kominfo, everyone.admin_sulbar, everyone.admin_sulsel):
        client.force_login(other)
        assert client.post(reverse("notification_read", args=[n.pk])).status_code == 404
    n.refresh_from_db()
    assert not n.is_read


def test_the_notification_pages_need_a_login(client):
    for name in ("notifications", "notification_read_all", "profile"):
        response = client.post(reverse(name)) if name.endswith("all") else client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("notification_read_all")).status_code in (302, 405)
