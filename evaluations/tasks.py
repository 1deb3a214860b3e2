"""Celery tasks: thin wrappers that take ids and call services. Safe to run twice.

Each run is recorded in a `Job` (services.jobs). Tasks are acknowledged late and
redelivered when their worker dies, so a killed recompute runs again; the recompute
itself is one transaction per period, so until then the old figures stand. Transient
database or broker errors are retried with exponential backoff.
"""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from opd.models import Pemda

from .models import Assessment, Job
from .services import jobs, recompute

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


def _run(task, kind, work, period_id=None, pemda_id=None):
    job = jobs.start(kind, task.request.id, period_id=period_id, pemda_id=pemda_id)
    try:
        detail = work(job)
    except Exception as exc:
        try:
            jobs.fail(job, f"{type(exc).__name__}: {exc}")
        except Exception:  # the database itself may be what failed
            logger.exception("Could not record the failure of job %s", job.pk)
        raise
    jobs.finish(job, detail or "")
    return detail


@shared_task(**COMMON, soft_time_limit=50, time_limit=60)
def recompute_assessment_task(self, assessment_id):
    """Recompute one assessment, then the ranks and summary of its period."""
    period_id = (
        Assessment.objects.filter(pk=assessment_id).values_list("period_id", flat=True).first()
    )
    if period_id is None:  # deleted meanwhile: nothing to do
        return None

    def work(job):
        assessment = recompute.recompute_assessment(assessment_id)
        return f"{assessment.opd_id}: {assessment.indeks} {assessment.zona}"

    return _run(self, Job.Kind.RECOMPUTE_ASSESSMENT, work, period_id=period_id)


@shared_task(**COMMON, soft_time_limit=240, time_limit=300)
def recompute_period_task(self, period_id):
    """Recompute a whole period set-based (weights, thresholds, status or OPDs changed)."""

    def work(job):
        count = recompute.recompute_periods([period_id])
        return f"{count} assessments"

    return _run(self, Job.Kind.RECOMPUTE_PERIOD, work, period_id=period_id)


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
        return f"{len(period_ids)} periods, {count} assessments"

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
        return f"{len(period_ids)} periods, {count} assessments"

    return _run(self, Job.Kind.SWEEP_STALE, work)


def _progress(job, done, total):
    # One write every ~2% is plenty for a progress bar.
    if done == total or done % max(1, total // 50) == 0:
        jobs.progress(job, done, total, f"{done}/{total} periods")


@shared_task(bind=True, acks_late=True, soft_time_limit=240, time_limit=300)
def make_report_task(self, job_id, language=None):
    """Make the PDF report a Job (kind "report") asks for; the view created the Job."""
    from .services import reports

    Job.objects.filter(pk=job_id, task_id="").update(task_id=self.request.id or "")
    return reports.run_report_job(job_id, language)
