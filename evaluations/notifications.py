"""Notifications: each hand-off and deadline tells exactly the people it concerns, in the
app (the bell, /notifikasi/) and by e-mail (issue 14).

- `recipients(pemda, roles, opds)` is the one place that says who is told: active
  accounts holding one of the roles in that pemda itself (never its province's or its
  kabupaten's people, never another tenant's), for the OPD roles only in those OPDs.
  The audiences below name it for each event.
- `notify(kind, users, pemda, title, body, link, **params)` stores one Notification per
  person (title and text in the person's language) and asks queueing.py for the e-mail
  once the transaction commits. The services call the `on_*` functions here inside their
  transaction: when the change is rolled back, so are its notifications.
- E-mail: `send_mail(notification_id)` (the Celery task's work; it raises on an SMTP
  error so that the task retries with backoff), `resend_unsent()` (a beat row: what the
  task's retries did not deliver), `send_digests()` (a beat row: one e-mail a day for the
  people who chose the digest). Whether a notification is e-mailed at all follows from
  the person's address and choices (`mail_state`).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from opd.models import Profile
from opd.roles import Role
from spbe_dashboard import dates

from . import queueing
from .links import period_query
from .models import Notification

logger = logging.getLogger(__name__)

Kind = Notification.Kind
Mail = Notification.Mail

OPD_PEOPLE = (Role.KEPALA_OPD, Role.OPERATOR_OPD)
EVALUATORS = (Role.EVALUATOR, Role.ADMIN_KOMINFO)
ADMINISTRATORS = (Role.ADMIN_KOMINFO,)

# An e-mail that neither the task's retries nor this many sweeps delivered is given up.
MAX_MAIL_ATTEMPTS = 12
RESEND_WITHIN = timedelta(days=3)


# --- Who is told ------------------------------------------------------------------------


def recipients(pemda, roles, opds=None):
    """The active accounts holding one of `roles` in `pemda` itself; with `opds`, the OPD
    roles only in those of them that belong to `pemda`."""
    users = get_user_model().objects.filter(
        is_active=True, membership__pemda=pemda, membership__role__in=list(roles)
    )
    if opds is not None:
        opd_ids = [opd.pk for opd in opds if opd.pemda_id == pemda.pk]
        users = users.filter(membership__opd_id__in=opd_ids)
    return users.order_by("pk")


def opd_people(opd):
    """The head and the operators of one OPD."""
    return recipients(opd.pemda, OPD_PEOPLE, [opd])


def evaluators(pemda):
    """The evaluators and the Kominfo administrator of the pemda."""
    return recipients(pemda, EVALUATORS)


def administrators(pemda):
    return recipients(pemda, ADMINISTRATORS)


# The kinds each role can receive (the account page offers e-mail choices for these).
KINDS_BY_ROLE = {
    Role.ADMIN_KOMINFO: [Kind.SUBMITTED, Kind.APPEAL_FILED, Kind.TEAM_PROPOSED, Kind.STAGE],
    Role.EVALUATOR: [Kind.SUBMITTED, Kind.APPEAL_FILED, Kind.STAGE],
    Role.PIMPINAN: [],
    Role.KEPALA_OPD: [
        Kind.RETURNED,
        Kind.APPEAL_DECIDED,
        Kind.TEAM_DECIDED,
        Kind.STAGE,
        Kind.DEADLINE,
        Kind.CERTIFICATE,
    ],
}
KINDS_BY_ROLE[Role.OPERATOR_OPD] = KINDS_BY_ROLE[Role.KEPALA_OPD]


def kinds_for(user):
    """The kinds of notification `user` can receive, by their role."""
    from opd.querysets import membership_of

    membership = membership_of(user)
    return [] if membership is None else list(KINDS_BY_ROLE.get(membership.role, []))


# --- Storing them -----------------------------------------------------------------------


def mail_state(user, kind, profile):
    """How the notification reaches `user` by e-mail: not at all (no address, e-mail not
    set up, or this kind turned off), in the daily digest, or at once."""
    if not settings.EMAIL_ENABLED or not user.email:
        return Mail.NONE
    if kind in (profile.email_muted or []):
        return Mail.NONE
    return Mail.DIGEST if profile.email_digest else Mail.PENDING


def _profiles(users):
    saved = {p.user_id: p for p in Profile.objects.filter(user__in=[u.pk for u in users])}
    return {user.pk: saved.get(user.pk) or Profile(user=user) for user in users}


def _render(text, params):
    """`text` formatted with `params` in the active language; a callable param (a date
    to format) is called then, so each person gets it in their language."""
    values = {key: value() if callable(value) else value for key, value in params.items()}
    return str(text) % values if values else str(text)


def local_date(day):
    """A date param, formatted in the recipient's language (26 November 2026)."""
    return lambda: dates.day(day)


def local_time(moment, pemda):
    """A date-and-time param in the pemda's time zone, with the zone (… 14.00 WITA)."""
    return lambda: dates.moment(moment, pemda)


def notify(kind, users, pemda, title, body="", link="", actor=None, **params):
    """One notification per person of `users` who belongs to `pemda` (anyone else is
    dropped: a caller cannot reach another tenant), in their language, except `actor`,
    who did it; their e-mails are queued after commit. `title` and `body` are lazy texts
    formatted with `params`."""
    users = users.filter(membership__pemda=pemda, is_active=True).distinct()
    if actor is not None:
        users = users.exclude(pk=actor.pk)
    users = list(users)
    if not users:
        return []
    profiles = _profiles(users)
    rows = []
    for user in users:
        profile = profiles[user.pk]
        with translation.override(profile.language or settings.LANGUAGE_CODE):
            rows.append(
                Notification(
                    pemda=pemda,
                    recipient=user,
                    kind=kind,
                    title=_render(title, params)[:200],
                    body=_render(body, params),
                    link=link,
                    mail=mail_state(user, kind, profile),
                )
            )
    created = Notification.objects.bulk_create(rows)
    queueing.request_notification_mail([n.pk for n in created if n.mail == Mail.PENDING])
    return created


def unread_count(user):
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.visible_to(user).unread().count()


@transaction.atomic
def mark_read(user, notification_id=None):
    """Mark one of the user's notifications read (Notification.DoesNotExist, a 404, for
    anyone else's), or all of them; returns how many changed."""
    mine = Notification.objects.visible_to(user).unread()
    if notification_id is not None:
        Notification.objects.visible_to(user).get(pk=notification_id)
        mine = mine.filter(pk=notification_id)
    return mine.update(read_at=timezone.now())


# --- The events -------------------------------------------------------------------------


def _self_assessment_link(assessment):
    opd, period = assessment.opd, assessment.period
    return reverse("self_assessment", args=[opd.pemda.kode, opd.kode]) + period_query(period)


def _review_link(assessment):
    opd, period = assessment.opd, assessment.period
    return reverse("review", args=[opd.pemda.kode, opd.kode]) + period_query(period)


def _names(assessment):
    return {"opd": assessment.opd.nama, "period": assessment.period.label}


def on_submitted(assessment):
    """The head submitted the self-assessment: the evaluators review it."""
    notify(
        Kind.SUBMITTED,
        evaluators(assessment.pemda),
        assessment.pemda,
        _("%(opd)s submitted its self-assessment %(period)s"),
        _("The self-assessment is ready for review."),
        _review_link(assessment),
        **_names(assessment),
    )


def on_returned(assessment, reason):
    """An evaluator returned the self-assessment: the OPD corrects it."""
    notify(
        Kind.RETURNED,
        opd_people(assessment.opd),
        assessment.pemda,
        _("Self-assessment %(period)s returned"),
        _("The evaluator returned the self-assessment of %(opd)s: %(reason)s"),
        _self_assessment_link(assessment),
        reason=reason,
        **_names(assessment),
    )


def on_appeal_filed(appeal, score):
    assessment = score.assessment
    notify(
        Kind.APPEAL_FILED,
        evaluators(assessment.pemda),
        assessment.pemda,
        _("%(opd)s filed an appeal on indicator %(indicator)s"),
        _("An appeal of period %(period)s waits for a decision."),
        reverse("appeal_list", args=[assessment.pemda.kode]) + period_query(assessment.period),
        indicator=score.indicator.kode or score.indicator.nomor,
        **_names(assessment),
    )


def on_appeal_decided(appeal, score):
    assessment = score.assessment
    accepted = appeal.status == appeal.State.ACCEPTED
    notify(
        Kind.APPEAL_DECIDED,
        opd_people(assessment.opd),
        assessment.pemda,
        _("Appeal on indicator %(indicator)s accepted")
        if accepted
        else _("Appeal on indicator %(indicator)s rejected"),
        _("The evaluator decided the appeal of %(opd)s (period %(period)s). %(reason)s"),
        reverse("appeal_opd", args=[assessment.pemda.kode, assessment.opd.kode])
        + period_query(assessment.period),
        indicator=score.indicator.kode or score.indicator.nomor,
        reason=appeal.alasan,
        **_names(assessment),
    )


def _opds_of(period):
    from opd.models import OPD

    return list(OPD.objects.filter(assessments__period=period).select_related("pemda"))


def on_self_assessment_opened(period):
    """A new period: every OPD of it fills its self-assessment (until its last day)."""
    pemda = period.pemda
    body = (
        _("It is open until the end of %(date)s.")
        if period.batas_mandiri
        else _("Fill every indicator with its evidence; the head submits it.")
    )
    for opd in _opds_of(period):
        notify(
            Kind.STAGE,
            opd_people(opd),
            pemda,
            _("Self-assessment %(period)s is open"),
            body,
            reverse("self_assessment", args=[pemda.kode, opd.kode]) + period_query(period),
            period=period.label,
            date=local_date(period.batas_mandiri) if period.batas_mandiri else "",
        )


def on_evaluation_started(period, actor=None):
    """Self-assessment closed: the evaluators start document review."""
    notify(
        Kind.STAGE,
        evaluators(period.pemda),
        period.pemda,
        _("Period %(period)s is under evaluation"),
        _("Self-assessment is closed; document review has started."),
        reverse("review_queue", args=[period.pemda.kode]) + period_query(period),
        actor=actor,
        period=period.label,
    )


def on_stage_opened(period, actor=None):
    """A new stage of the review; when document review ends the OPDs may appeal."""
    pemda = period.pemda
    params = {"period": period.label, "stage": str(period.get_tahap_display())}
    notify(
        Kind.STAGE,
        evaluators(pemda),
        pemda,
        _("Period %(period)s: %(stage)s has started"),
        "",
        reverse("review_queue", args=[pemda.kode]) + period_query(period),
        actor=actor,
        **params,
    )
    if period.sanggahan_dibuka is not None and period.tahap == "interviu":
        from .services.scores import appeal_deadline

        deadline = local_time(appeal_deadline(period), pemda)
        for opd in _opds_of(period):
            notify(
                Kind.STAGE,
                opd_people(opd),
                pemda,
                _("Appeal window open until %(deadline)s"),
                _(
                    "Document review of period %(period)s has ended: the provisional levels "
                    "are shown and may be contested until %(deadline)s."
                ),
                reverse("appeal_opd", args=[pemda.kode, opd.kode]) + period_query(period),
                deadline=deadline,
                **params,
            )


def on_finalised(period):
    pemda = period.pemda
    for opd in _opds_of(period):
        notify(
            Kind.STAGE,
            opd_people(opd),
            pemda,
            _("The results of period %(period)s are final"),
            "",
            reverse("scorecard", args=[pemda.kode, opd.kode]) + period_query(period),
            period=period.label,
        )


def on_team_decided(sender, proposal, action, user=None, **kwargs):
    """opd.signals.team_decided: a team proposed (Kominfo decides) or approved or
    returned (the OPD hears)."""
    opd = proposal.opd
    link = reverse("opd_team", args=[opd.pemda.kode, opd.kode]) + f"?tahun={proposal.year}"
    params = {"opd": opd.nama, "year": proposal.year, "reason": proposal.reason}
    if action == "proposed":
        notify(
            Kind.TEAM_PROPOSED,
            administrators(opd.pemda),
            opd.pemda,
            _("%(opd)s proposed its SPBE team %(year)s"),
            _("The team waits for approval."),
            link,
            **params,
        )
    elif action == "approved":
        notify(
            Kind.TEAM_DECIDED,
            opd_people(opd),
            opd.pemda,
            _("SPBE team %(year)s approved"),
            _("Dinas Kominfo approved the SPBE team of %(opd)s."),
            link,
            **params,
        )
    elif action == "returned":
        notify(
            Kind.TEAM_DECIDED,
            opd_people(opd),
            opd.pemda,
            _("SPBE team %(year)s returned"),
            _("Dinas Kominfo returned the SPBE team of %(opd)s: %(reason)s"),
            link,
            **params,
        )


# --- E-mail -----------------------------------------------------------------------------


def _absolute(link):
    return settings.SITE_URL.rstrip("/") + link if link else settings.SITE_URL


def _message(user, notifications, digest=False):
    """The e-mail (plain text and HTML, in the person's language) for `notifications`."""
    language = Profile.objects.filter(user=user).values_list("language", flat=True).first()
    with translation.override(language or settings.LANGUAGE_CODE):
        if digest:
            subject = ngettext(
                "SPBE Dashboard: %(count)d new notification",
                "SPBE Dashboard: %(count)d new notifications",
                len(notifications),
            ) % {"count": len(notifications)}
        else:
            subject = notifications[0].title
        context = {
            "user": user,
            "items": [(n, _absolute(n.link)) for n in notifications],
            "digest": digest,
            "list_url": _absolute(reverse("notifications")),
            "profile_url": _absolute(reverse("profile")),
        }
        text = render_to_string("evaluations/email/notification.txt", context)
        html = render_to_string("evaluations/email/notification.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:200],
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(html, "text/html")
    return message


def send_mail(notification_id):
    """E-mail one notification (once). An SMTP error is raised (the task retries); the
    notification stays in the app whatever happens here."""
    notification = (
        Notification.objects.select_related("recipient")
        .filter(pk=notification_id, mail__in=[Mail.PENDING, Mail.FAILED])
        .first()
    )
    if notification is None or not notification.recipient.email:
        return False
    Notification.objects.filter(pk=notification.pk).update(mail_attempts=F("mail_attempts") + 1)
    try:
        _message(notification.recipient, [notification]).send()
    except Exception:
        Notification.objects.filter(pk=notification.pk).update(mail=Mail.FAILED)
        raise
    Notification.objects.filter(pk=notification.pk).update(
        mail=Mail.SENT, emailed_at=timezone.now()
    )
    return True


def resend_unsent(min_age=timedelta(minutes=20), now=None):
    """Deliver what the task's retries did not (the mail server was down): e-mails of the
    last three days still waiting or failed, older than `min_age` (the task's own retries
    are over by then). Returns how many were sent."""
    now = now or timezone.now()
    waiting = Notification.objects.filter(
        mail__in=[Mail.PENDING, Mail.FAILED],
        mail_attempts__lt=MAX_MAIL_ATTEMPTS,
        created__lte=now - min_age,
        created__gte=now - RESEND_WITHIN,
    ).values_list("pk", flat=True)
    sent = 0
    for notification_id in list(waiting):
        try:
            sent += bool(send_mail(notification_id))
        except Exception as exc:  # the server is still down: the next sweep tries again
            logger.warning("Notification e-mail %s not sent: %s", notification_id, exc)
            break
    return sent


def send_digests():
    """One e-mail per person who chose the daily digest, with what arrived since the
    last one. Returns how many e-mails were sent."""
    waiting = Notification.objects.filter(mail=Mail.DIGEST).select_related("recipient")
    by_user = {}
    for notification in waiting.order_by("created", "pk"):
        by_user.setdefault(notification.recipient, []).append(notification)
    sent = 0
    for user, notifications in by_user.items():
        ids = [n.pk for n in notifications]
        if not user.email:
            Notification.objects.filter(pk__in=ids).update(mail=Mail.NONE)
            continue
        try:
            _message(user, notifications, digest=True).send()
        except Exception as exc:
            logger.warning("Digest for %s not sent: %s", user.pk, exc)
            continue  # still DIGEST: tomorrow's digest carries them
        Notification.objects.filter(pk__in=ids).update(mail=Mail.SENT, emailed_at=timezone.now())
        sent += 1
    return sent
