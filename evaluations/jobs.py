"""Job records: what the background tasks are doing, for admins to see.

Every task run fills one `Job` row, found again by its Celery task id, so a retried or
redelivered task updates the same record. The writes are single-row updates made
outside the recompute's own transaction, so that progress shows while it runs.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from .models import Job, Period

ACTIVE = (Job.State.QUEUED, Job.State.RUNNING)
ERROR_LENGTH = 2000


def _scope(period_id=None, pemda_id=None):
    if period_id is not None and pemda_id is None:
        pemda_id = Period.objects.filter(pk=period_id).values_list("pemda_id", flat=True).first()
        if pemda_id is None:  # the period was deleted meanwhile: the record stays, unscoped
            period_id = None
    return {"period_id": period_id, "pemda_id": pemda_id}


def queued(kind, task_id, period_id=None, pemda_id=None, user=None):
    """Record a job as queued before its task is sent."""
    return Job.objects.create(
        kind=kind, task_id=task_id, requested_by=user, **_scope(period_id, pemda_id)
    )


def start(kind, task_id, period_id=None, pemda_id=None, save=True):
    """Mark the job of this task id running (creating the record if the task was sent
    without one); a retry or a redelivery starts the same record again. `save=False`
    for a run inside one transaction with its work: nobody could see the running state
    before the commit, so nothing is read or written now and `finish` writes once."""
    now = timezone.now()
    if not save:
        return Job(
            kind=kind,
            task_id=task_id or "",
            state=Job.State.RUNNING,
            started_at=now,
            period_id=period_id,
            pemda_id=pemda_id,
        )
    job = Job.objects.filter(task_id=task_id).first() if task_id else None
    if job is None:
        job = Job(kind=kind, task_id=task_id or "", **_scope(period_id, pemda_id))
    job.state = Job.State.RUNNING
    job.started_at = now
    job.finished_at = None
    job.progress = 0
    job.error = ""
    job.save()
    return job


def progress(job, done, total, detail=""):
    job.progress = min(100, int(done * 100 / total)) if total else 100
    job.detail = detail[:250]
    Job.objects.filter(pk=job.pk).update(progress=job.progress, detail=job.detail)


def finish(job, detail=""):
    job.state, job.progress, job.finished_at = Job.State.DONE, 100, timezone.now()
    job.detail = detail[:250]
    if job.pk is None and job.task_id:  # started with save=False: one write now
        done = {"state": job.state, "progress": 100, "started_at": job.started_at}
        done.update(finished_at=job.finished_at, detail=job.detail, error="")
        if Job.objects.filter(task_id=job.task_id).update(**done):
            return
    if job.pk is None:
        scope = _scope(job.period_id, job.pemda_id)
        job.period_id, job.pemda_id = scope["period_id"], scope["pemda_id"]
    job.save()


def fail(job, error):
    job.state, job.finished_at, job.error = Job.State.FAILED, timezone.now(), str(error)
    Job.objects.filter(pk=job.pk).update(
        state=job.state, finished_at=job.finished_at, error=job.error[:ERROR_LENGTH]
    )


def active_for_period(period):
    """The queued or running recompute jobs that cover `period`: its own, its pemda's and
    the installation-wide ones, newest first."""
    return Job.objects.filter(state__in=ACTIVE).filter(
        Q(period=period)
        | Q(period__isnull=True, pemda_id=period.pemda_id)
        | Q(period__isnull=True, pemda__isnull=True, kind=Job.Kind.RECOMPUTE_ALL)
    )


# How long finished recompute jobs are kept: long enough to see what ran lately and to
# look into a failure; reports stay (their status page is the user's link to the PDF).
KEEP_DONE_DAYS = 30
KEEP_FAILED_DAYS = 90


def prune(now=None):
    """Delete the recompute job rows finished before the retention period; returns how
    many. Queued and running jobs, and report jobs, are never deleted."""
    now = now or timezone.now()
    finished = Job.objects.exclude(kind=Job.Kind.REPORT).filter(finished_at__isnull=False)
    old = Q(state=Job.State.DONE, finished_at__lt=now - timedelta(days=KEEP_DONE_DAYS)) | Q(
        state=Job.State.FAILED, finished_at__lt=now - timedelta(days=KEEP_FAILED_DAYS)
    )
    deleted, _ = finished.filter(old).delete()
    return deleted
