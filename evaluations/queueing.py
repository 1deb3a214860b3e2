"""Asking for background work: the one place that sends tasks to the queue.

Services call these functions inside their transaction; the work is queued once the
transaction commits. Tasks are sent by name (`app.signature`), so this module imports
no task and no service: the tasks import the services, the services import this, and
nothing imports back.

Recomputes are coalesced per period. A change marks its assessments outdated
(`is_stale`, and one more in `revisi`) and, after commit, notes in the cache that the
period has changed; only the first change of a burst queues a task, which waits until
the period has been quiet for `QUIET` seconds (at most `MAX_WAIT`) and then recomputes
every outdated assessment of the period at once, re-ranking it once. Twenty-five saves
in ten seconds cost one or two recomputes, not twenty-five.

Nothing here can leave a figure outdated for good: a change committed after the task
started queues a new task (the task forgets the pending mark before it reads), the
recompute clears `is_stale` only for assessments whose `revisi` it read (so a change
racing it stays marked), and if the cache or the broker cannot be reached the change
still stands, marked outdated, for the sweep every five minutes (or `recompute_zones`).
"""

import contextlib
import logging
import time
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from spbe_dashboard.celery import app

from . import jobs
from .models import Assessment, Job

logger = logging.getLogger(__name__)

RECOMPUTE_TASK = "evaluations.tasks.recompute_period_task"
REPORT_TASK = "evaluations.tasks.make_report_task"
MAIL_TASK = "evaluations.tasks.send_notification_mail_task"

QUIET = 1.0  # seconds without a change before a period's recompute runs
MAX_WAIT = 10.0  # ... but never later than this after the first change of a burst
# How long a pending mark lives: beyond any queue delay worth waiting for. Should a
# queued task be lost, the next change after this queues a new one.
MARK_TTL = 120

UNREACHABLE = (BrokerError, RedisError, ConnectionError, OSError)


def _send(task_name, args, **options):
    """Send a task by its name (in-process when tasks run eagerly)."""
    return app.signature(task_name, args=args).apply_async(**options)


def _pending_key(period_id):
    return f"recompute:pending:{period_id}"


def _changed_key(period_id):
    return f"recompute:changed:{period_id}"


def request_recompute(assessment_ids, user=None):
    """Mark assessments outdated and queue the recompute of their periods once the
    transaction commits (after a level or a value changed)."""
    ids = list(assessment_ids)
    if not ids:
        return
    Assessment.objects.filter(pk__in=ids).update(is_stale=True, revisi=F("revisi") + 1)
    period_ids = sorted(
        set(Assessment.objects.filter(pk__in=ids).values_list("period_id", flat=True))
    )
    transaction.on_commit(lambda: _queue_periods(period_ids, user, delay=QUIET))


def request_period_recompute(period_ids, user=None):
    """Mark every assessment of the periods outdated and queue their recompute once the
    transaction commits (after a change of weights, thresholds, status or OPDs)."""
    ids = sorted(set(period_ids))
    if not ids:
        return
    Assessment.objects.filter(period_id__in=ids).update(is_stale=True, revisi=F("revisi") + 1)
    transaction.on_commit(lambda: _queue_periods(ids, user, delay=0))


def _queue_periods(period_ids, user, delay):
    for period_id in period_ids:
        if not _queue_period(period_id, user, delay):
            return  # the broker is down: the sweep takes over


def _queue_period(period_id, user, delay):
    """Queue one coalesced recompute of the period unless one is already pending.
    Returns False when the broker cannot be reached."""
    now = time.time()
    try:
        cache.set(_changed_key(period_id), now, MARK_TTL)
        if not cache.add(_pending_key(period_id), now, MARK_TTL):
            return True  # a recompute is pending and will see this change
    except UNREACHABLE as exc:
        # Without the cache there is no coalescing: queue anyway, at worst twice.
        logger.warning(
            "Cache unreachable (%s); recompute of period %s queued directly", exc, period_id
        )
    task_id = str(uuid.uuid4())
    job = jobs.queued(Job.Kind.RECOMPUTE_PERIOD, task_id, period_id=period_id, user=user)
    try:
        _send(RECOMPUTE_TASK, (period_id,), task_id=task_id, countdown=delay or None)
    except UNREACHABLE as exc:
        logger.warning("Broker unreachable; period %s left stale", period_id)
        jobs.fail(job, f"Broker unreachable: {exc}")
        forget_pending(period_id)
        return False
    return True


def postpone_for(period_id):
    """Seconds the recompute of a period should still wait for the burst of changes to
    end (0: run now). Called by the task when it starts."""
    keys = (_changed_key(period_id), _pending_key(period_id))
    try:
        marks = cache.get_many(keys)  # one round trip
    except UNREACHABLE:
        return 0
    changed, first = (marks.get(key) for key in keys)
    now = time.time()
    if changed is None or now - changed >= QUIET:
        return 0
    if first is not None and now - first >= MAX_WAIT:
        return 0
    return QUIET - (now - changed)


def forget_pending(period_id):
    """The recompute of the period is starting (or could not be queued): from now on a
    change queues a new one. Called before the recompute reads anything."""
    with contextlib.suppress(*UNREACHABLE):
        cache.delete(_pending_key(period_id))


def request_report(job, language):
    """Queue the PDF a report Job asks for once the transaction commits; if the broker
    cannot be reached the job says so (its status page stops waiting)."""

    def queue():
        try:
            _send(REPORT_TASK, (job.id, language))
        except UNREACHABLE as exc:
            jobs.fail(job, f"Broker unreachable: {exc}")

    transaction.on_commit(queue)


def request_notification_mail(notification_ids):
    """Queue the e-mail of each notification once the transaction commits. Whatever
    goes wrong here (broker down; with tasks in-process, the mail server refusing after
    the task's retries) the action and its notifications stand: the e-mail is left
    waiting for the resend sweep (notifications.resend_unsent)."""
    ids = list(notification_ids)
    if not ids:
        return

    def queue():
        for notification_id in ids:
            try:
                _send(MAIL_TASK, (notification_id,))
            except Exception as exc:
                logger.warning(
                    "Notification e-mail %s not queued or sent: %s", notification_id, exc
                )

    transaction.on_commit(queue)
