"""Celery tasks: thin wrappers that take ids and call services. Safe to run twice.

Each run is recorded in a `Job` (jobs.py); the work is asked for through queueing.py. Tasks are acknowledged late and
redelivered when their worker dies, so a killed recompute runs again; the recompute
itself is one transaction per period, so until then the old figures stand. Transient
database or broker errors are retried with exponential backoff.
"""

import contextlib
import logging
import smtplib

from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from kombu.exceptions import OperationalError as BrokerError

from opd.models import Pemda

from . import jobs, notifications, queueing, reminders
from .models import Assessment, Job
from .services import recompute

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError, BrokerError)
COMMON = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


def _run(task, kind, work, period_id=None, pemda_id=None, atomic=False):
    """Run `work(job)` recorded in the task's Job row. `atomic`: the job's start, the
    work and its finish in one transaction (one commit for a short run; a long run
    records its start and progress as it goes, so that they show meanwhile)."""
    scope = {"period_id": period_id, "pemda_id": pemda_id}
    try:
        with transaction.atomic() if atomic else contextlib.nullcontext():
            job = jobs.start(kind, task.request.id, save=not atomic, **scope)
            detail = work(job)
            jobs.finish(job, detail or "")
    except Exception as exc:
        try:  # outside the failed transaction, which took the job's start with it
            jobs.fail(jobs.start(kind, task.request.id, **scope), f"{type(exc).__name__}: {exc}")
        except Exception:  # the database itself may be what failed
            logger.exception("Could not record the failure of task %s", task.request.id)
        raise
    return detail


@shared_task(**COMMON, soft_time_limit=240, time_limit=300)
def recompute_period_task(self, period_id):
    """Recompute the outdated assessments of a period, once: queued by the first change
    of a burst (queueing.py), it waits until the changes stop, then forgets the pending
    mark (a later change queues a new run) and recomputes."""
    if not self.request.is_eager:
        wait = queueing.postpone_for(period_id)
        if wait > 0:
            # The same task id, so the same Job row; a new message, so the retry budget
            # stays for real errors.
            self.apply_async((period_id,), task_id=self.request.id, countdown=wait)
            return "postponed"
    queueing.forget_pending(period_id)

    def work(job):
        count = recompute.recompute_outdated(period_id)
        if not count:  # an earlier run (or the sweep) got there first
            return _("Nothing to recompute: the figures were already current")
        return ngettext(
            "%(count)d assessment recomputed", "%(count)d assessments recomputed", count
        ) % {"count": count}

    # The job row was made when the task was queued; its pemda is looked up only when it
    # was not (jobs.start), one query less per run.
    return _run(self, Job.Kind.RECOMPUTE_PERIOD, work, period_id=period_id, atomic=True)


@shared_task(**COMMON, soft_time_limit=240, time_limit=300)
def recompute_assessment_task(self, assessment_id):
    """Messages queued before recomputes were coalesced per period: recompute the
    outdated assessments of the assessment's period."""
    period_id = (
        Assessment.objects.filter(pk=assessment_id).values_list("period_id", flat=True).first()
    )
    if period_id is not None:
        recompute.recompute_outdated(period_id)


@shared_task(**COMMON, soft_time_limit=3300, time_limit=3600)
def recompute_all_task(self, pemda_id=None, tahun=None):
    """Recompute every period (of one pemda and/or year when given), period by period,
    recording the progress."""
    kode = Pemda.objects.get(pk=pemda_id).kode if pemda_id else None

    def work(job):
        period_ids = recompute.periods_to_recompute(kode, tahun)
        count = recompute.recompute_periods(
            period_ids, on_progress=lambda done, total: _progress(job, done, total)
        )
        return _periods_done(len(period_ids), count)

    return _run(self, Job.Kind.RECOMPUTE_ALL, work, pemda_id=pemda_id)


@shared_task(**COMMON, soft_time_limit=540, time_limit=600)
def sweep_stale_task(self):
    """Recompute the periods that hold stale assessments (a task that could not be
    queued, a worker that died): the safety net behind every change."""
    period_ids = recompute.periods_to_recompute(stale_only=True)
    if not period_ids:
        return "0 periods"

    def work(job):
        count = recompute.recompute_periods(
            period_ids, on_progress=lambda done, total: _progress(job, done, total)
        )
        return _periods_done(len(period_ids), count)

    return _run(self, Job.Kind.SWEEP_STALE, work)


def _periods_done(periods, assessments):
    return _("%(periods)d periods, %(assessments)d assessments recomputed") % {
        "periods": periods,
        "assessments": assessments,
    }


def _progress(job, done, total):
    jobs.progress(
        job, done, total, _("%(done)d of %(total)d periods") % {"done": done, "total": total}
    )


@shared_task(bind=True, acks_late=True, soft_time_limit=240, time_limit=300)
def make_report_task(self, job_id, language=None):
    """Make the PDF report a Job (kind "report") asks for; the view created the Job."""
    from .services import reports

    Job.objects.filter(pk=job_id, task_id="").update(task_id=self.request.id or "")
    return reports.run_report_job(job_id, language)


@shared_task(bind=True, acks_late=True, soft_time_limit=240, time_limit=300)
def prune_jobs_task(self):
    """Delete old finished recompute job rows (jobs.prune); beat runs it every night."""
    return _("%(count)d old job records deleted") % {"count": jobs.prune()}


# E-mail: an SMTP error or an unreachable server is retried with backoff (30 s, 1, 2, 4,
# 8 min), then left to the resend sweep; the notification is in the app meanwhile.
MAIL_ERRORS = (smtplib.SMTPException, OSError)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=MAIL_ERRORS,
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def send_notification_mail_task(self, notification_id):
    """E-mail one notification (queued by queueing.request_notification_mail)."""
    return notifications.send_mail(notification_id)


@shared_task(bind=True, acks_late=True, soft_time_limit=540, time_limit=600)
def resend_notification_mail_task(self):
    """E-mails the retries did not deliver; beat runs it every 15 minutes."""
    return _("%(count)d e-mails sent") % {"count": notifications.resend_unsent()}


@shared_task(bind=True, acks_late=True, soft_time_limit=540, time_limit=600)
def send_digests_task(self):
    """The daily digest e-mails; beat runs it every morning."""
    return _("%(count)d e-mails sent") % {"count": notifications.send_digests()}


@shared_task(bind=True, acks_late=True, soft_time_limit=540, time_limit=600)
def send_reminders_task(self):
    """The deadline and certificate reminders that are due (each once); beat runs it
    every hour."""
    return _("%(count)d reminders sent") % {"count": reminders.send_due()}
