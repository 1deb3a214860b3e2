"""Reminders on a schedule (a beat row runs `send_due` every hour), each sent once:

- self-assessment closing in 3 days and in 1 day, to the OPDs that have not submitted;
- the appeal window closing within 24 hours, to the OPDs with provisional levels;
- a certificate of a current SPBE team expiring within 90 and within 30 days, to the
  OPD (once per certificate and threshold, also when a new team version copies it).

A SentReminder row with a unique key is written in the same transaction as the
notifications, so a run that repeats (or two at once) sends nothing twice. Days are
counted in the pemda's own time zone.
"""

import hashlib
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opd.models import TeamCertificate

from .links import period_query
from .models import Assessment, Notification, Period, SentReminder
from .notifications import local_date, local_time, notify, opd_people
from .services.scores import appeal_deadline

SELF_ASSESSMENT_DAYS = (1, 3)  # the smallest that applies is sent
CERTIFICATE_DAYS = (30, 90)
APPEAL_HOURS = 24


def send_due(now=None):
    """Every reminder due at `now`; returns how many were sent."""
    now = now or timezone.now()
    return self_assessment_closing(now) + appeal_closing(now) + certificates_expiring(now)


def _once(pemda, key, send):
    """Run `send()` unless the reminder `key` was sent already; True when it ran."""
    try:
        with transaction.atomic():
            SentReminder.objects.create(pemda=pemda, key=key)
            send()
    except IntegrityError:
        return False
    return True


def _threshold(days_left, thresholds):
    return next((limit for limit in thresholds if 0 <= days_left <= limit), None)


def _remind_opds(period, assessments, key, title, body, page, **params):
    """A deadline reminder to the people of each assessment's OPD, once per `key`
    (formatted with the assessment's id); `page` names the page to act on."""
    sent = 0
    for assessment in assessments.select_related("opd__pemda"):
        opd = assessment.opd

        def send(opd=opd):
            notify(
                Notification.Kind.DEADLINE,
                opd_people(opd),
                period.pemda,
                title,
                body,
                reverse(page, args=[period.pemda.kode, opd.kode]) + period_query(period),
                period=period.label,
                opd=opd.nama,
                **params,
            )

        sent += _once(period.pemda, key.format(assessment.pk), send)
    return sent


def self_assessment_closing(now):
    sent = 0
    periods = Period.objects.filter(
        status=Period.Status.SELF_ASSESSMENT, batas_mandiri__isnull=False
    ).select_related("pemda")
    for period in periods:
        today = timezone.localtime(now, period.pemda.tzinfo).date()
        days = _threshold((period.batas_mandiri - today).days, SELF_ASSESSMENT_DAYS)
        if days is None:
            continue
        sent += _remind_opds(
            period,
            Assessment.objects.filter(period=period).exclude(
                status_mandiri=Assessment.SelfStatus.SUBMITTED
            ),
            f"mandiri:{days}:{{}}",
            _("Self-assessment %(period)s closes on %(date)s"),
            _(
                "The self-assessment of %(opd)s is not submitted yet; it closes at "
                "the end of %(date)s."
            ),
            "self_assessment",
            date=local_date(period.batas_mandiri),
        )
    return sent


def appeal_closing(now):
    sent = 0
    periods = Period.objects.filter(sanggahan_dibuka__isnull=False).exclude(
        status=Period.Status.FINAL
    )
    for period in periods.select_related("pemda"):
        deadline = appeal_deadline(period)
        if not (now < deadline <= now + timedelta(hours=APPEAL_HOURS)):
            continue
        sent += _remind_opds(
            period,
            Assessment.objects.filter(
                period=period, scores__level_evaluator__isnull=False
            ).distinct(),
            f"sanggahan:{{}}:{period.sanggahan_dibuka:%Y%m%d%H%M%S}",
            _("The appeal window closes on %(deadline)s"),
            _(
                "The provisional levels of %(opd)s (period %(period)s) may be "
                "contested until %(deadline)s."
            ),
            "appeal_opd",
            deadline=local_time(deadline, period.pemda),
        )
    return sent


def _certificate_key(certificate, days):
    """The same certificate in a later version of the team (a copy) has the same key."""
    member = certificate.member
    who = member.nip or member.name
    what = f"{who}|{certificate.name}|{certificate.number}|{certificate.expires_on}"
    digest = hashlib.sha256(what.encode()).hexdigest()[:24]
    return f"sertifikat:{days}:{member.proposal.opd_id}:{digest}"


def certificates_expiring(now):
    sent = 0
    today = timezone.localtime(now).date()
    certificates = TeamCertificate.objects.filter(
        member__proposal__is_current=True,
        expires_on__gte=today - timedelta(days=1),
        expires_on__lte=today + timedelta(days=max(CERTIFICATE_DAYS) + 1),
    ).select_related("member__proposal__opd__pemda")
    for certificate in certificates:
        proposal = certificate.member.proposal
        opd, pemda = proposal.opd, proposal.opd.pemda
        local_today = timezone.localtime(now, pemda.tzinfo).date()
        days = _threshold((certificate.expires_on - local_today).days, CERTIFICATE_DAYS)
        if days is None:
            continue

        def send(certificate=certificate, opd=opd, pemda=pemda, proposal=proposal):
            notify(
                Notification.Kind.CERTIFICATE,
                opd_people(opd),
                pemda,
                _("Certificate of %(member)s expires on %(date)s"),
                _("%(certificate)s of %(member)s (SPBE team of %(opd)s) expires on %(date)s."),
                reverse("opd_team", args=[pemda.kode, opd.kode]) + f"?tahun={proposal.year}",
                member=certificate.member.name,
                certificate=certificate.name,
                opd=opd.nama,
                date=local_date(certificate.expires_on),
            )

        sent += _once(pemda, _certificate_key(certificate, days), send)
    return sent
