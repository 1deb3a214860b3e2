"""The recompute through a real Celery worker, on PostgreSQL and Redis.

The worker runs as a subprocess against the test database, so these tests use a
transactional database (the worker only sees committed rows) with a serialized
rollback (the migration-installed instruments come back afterwards). They take a few
seconds each: marked `worker`, kept few.
"""

import os
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from evaluations.models import Assessment, PemdaSummary, Score
from evaluations.queueing import request_recompute
from evaluations.services import recompute
from evaluations.services.recompute import recompute_period, recompute_periods
from evaluations.services.scores import save_review
from evaluations.services.scoring import ZONE_GREEN, ZONE_RED
from evaluations.tasks import sweep_stale_task
from opd.roles import Role
from spbe_dashboard.celery import app
from tests.factories import (
    KabupatenFactory,
    OPDFactory,
    ProvinceFactory,
    make_period,
    make_user,
    set_levels,
)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/3")
DEAD_BROKER = "redis://127.0.0.1:1/0"


def use_broker(url):
    """Point this process's Celery app at `url`, dropping pooled connections."""
    app.conf.broker_url = url
    app.conf.broker_connection_retry = False
    app.conf.broker_transport_options = {"max_retries": 1}
    app._pool = None
    app.amqp._producer_pool = None


def database_url():
    db = settings.DATABASES["default"]
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}/{db['NAME']}"


def wait_for(condition, timeout=20, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


@pytest.fixture
def worker(tmp_path):
    """A real worker (solo pool) consuming the test broker, against the test database."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    use_broker(BROKER)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": BROKER,
        # The coalescing marks must be where this process looks (its REDIS_URL).
        "CACHE_URL": settings.CACHES["default"].get("LOCATION", ""),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "worker-test",
        "CONN_MAX_AGE": "0",
    }
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 (closed at teardown)
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "spbe_dashboard",
            "worker",
            "--pool=solo",
            "-Q",
            "celery",
            "--concurrency",
            "1",
            "--purge",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        if not wait_for(lambda: "ready." in (tmp_path / "worker.log").read_text(), timeout=60):
            pytest.fail("worker did not start:\n" + (tmp_path / "worker.log").read_text())
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        use_broker(settings.CELERY_BROKER_URL)
        app.conf.task_always_eager = eager


@pytest.fixture
def period():
    province = ProvinceFactory(kode="76")
    kabupaten = KabupatenFactory(kode="76.02", parent=province)
    for code in "ABC":
        OPDFactory(pemda=kabupaten, kode=code)
    period = make_period(kabupaten, 2024)
    for assessment, level in zip(period.assessments.order_by("opd__kode"), (4, 3, 1), strict=True):
        set_levels(assessment, level)
    recompute_period(period.pk)
    return period


def save_level(assessment, level):
    """What the scoring screen does: change a level and request the recompute, in one
    transaction (the task is queued when it commits)."""
    with transaction.atomic():
        Score.objects.filter(assessment=assessment).update(level_evaluator=level)
        request_recompute([assessment.pk])


def test_saved_level_changes_the_stored_zone_through_the_worker(worker, period):
    low = period.assessments.get(opd__kode="C")
    assert low.zona == ZONE_RED and low.peringkat == 3

    save_level(low, 5)

    assert wait_for(lambda: Assessment.objects.get(pk=low.pk).zona == ZONE_GREEN), (
        "the worker did not recompute the assessment"
    )
    low.refresh_from_db()
    assert (low.indeks, low.peringkat, low.is_stale) == (Decimal("5.000000"), 1, False)
    assert PemdaSummary.objects.get(period=period).zona_hijau == 2  # A (4.00) and C
    job = low.period.jobs.get(kind="recompute_period")
    assert job.state == "done" and job.progress == 100 and job.finished_at is not None


def test_a_burst_of_25_saves_costs_a_few_recomputes_and_ends_current(worker, period):
    """An evaluator scoring an OPD by keyboard: 25 levels saved through the review
    service, about one every 0.1 s. The recomputes are coalesced per period: a couple of
    runs instead of 25, and at the end every figure is current and equals a recompute
    from scratch."""
    evaluator = make_user(Role.EVALUATOR, period.pemda, username="penilai.burst")
    low = period.assessments.get(opd__kode="C")
    scores = list(low.scores.order_by("indicator__nomor"))
    for score in scores:
        save_review(evaluator, score.pk, score.version, "5", "")
        time.sleep(0.1)

    assert wait_for(lambda: not Assessment.objects.filter(period=period, is_stale=True).exists())
    runs = period.jobs.filter(kind="recompute_period")
    assert 1 <= runs.count() <= 3, list(runs.values_list("state", "detail"))
    assert set(runs.values_list("state", flat=True)) == {"done"}
    low.refresh_from_db()
    assert (low.indeks, low.zona, low.peringkat) == (Decimal("5.000000"), ZONE_GREEN, 1)
    coalesced = snapshot(period)
    recompute_period(period.pk)
    assert snapshot(period) == coalesced


def test_a_save_racing_a_recompute_stays_outdated_until_its_own_run(period):
    """A level saved after a recompute read the period, but committed before that
    recompute writes, leaves the assessment marked outdated (its figures do not count the
    new level yet) instead of being marked current with old figures."""
    low = period.assessments.get(opd__kode="C")
    read = threading.Event()
    saved = threading.Event()
    original = recompute._write_figures

    def slow_write(*args, **kwargs):
        read.set()  # the figures are computed from the levels read
        saved.wait(timeout=10)  # the save commits here, before they are written
        return original(*args, **kwargs)

    Assessment.objects.filter(pk=low.pk).update(is_stale=True)
    errors = []

    def run():
        try:
            recompute.recompute_outdated(period.pk)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    with mock.patch.object(recompute, "_write_figures", slow_write):
        thread = threading.Thread(target=run)
        thread.start()
        assert read.wait(timeout=10)
        with transaction.atomic():
            Score.objects.filter(assessment=low).update(level_evaluator=5)
            Assessment.objects.filter(pk=low.pk).update(revisi=F("revisi") + 1, is_stale=True)
        saved.set()
        thread.join(timeout=30)
    assert not errors
    low.refresh_from_db()
    assert low.is_stale and low.zona == ZONE_RED  # figures of the levels it read
    recompute.recompute_outdated(period.pk)
    low.refresh_from_db()
    assert (low.is_stale, low.zona) == (False, ZONE_GREEN)


def test_broker_down_keeps_the_save_and_the_sweep_recomputes_later(worker, period):
    low = period.assessments.get(opd__kode="C")

    use_broker(DEAD_BROKER)
    try:
        save_level(low, 5)  # does not raise
    finally:
        use_broker(BROKER)

    low.refresh_from_db()
    assert set(low.scores.values_list("level_evaluator", flat=True)) == {5}  # the save stands
    assert low.is_stale and low.zona == ZONE_RED  # old figures, marked outdated
    time.sleep(1)
    assert Assessment.objects.get(pk=low.pk).is_stale  # nothing reached the worker

    sweep_stale_task.delay()  # what beat sends every five minutes

    assert wait_for(lambda: not Assessment.objects.get(pk=low.pk).is_stale)
    low.refresh_from_db()
    assert (low.zona, low.peringkat) == (ZONE_GREEN, 1)
    assert period.jobs.filter(kind="sweep_stale").exists() is False  # sweep job has no period
    assert Assessment.objects.filter(is_stale=True).count() == 0


def snapshot(period):
    return (
        sorted(
            Assessment.objects.filter(period=period).values_list(
                "opd__kode",
                "indeks",
                "predikat",
                "zona",
                "peringkat",
                "indeks_aspek",
                "indeks_domain",
                "status_nilai",
                "tervalidasi",
                "is_stale",
            )
        ),
        list(
            PemdaSummary.objects.filter(period=period).values_list(
                "opd_count",
                "rata_rata",
                "zona_merah",
                "zona_kuning",
                "zona_hijau",
                "peringkat_provinsi",
            )
        ),
    )


def test_concurrent_period_recomputes_give_the_figures_of_one(period):
    Score.objects.filter(assessment__period=period, indicator__nomor__lte=5).update(
        level_evaluator=2
    )
    Assessment.objects.filter(period=period).update(is_stale=True)
    barrier = threading.Barrier(2)
    errors = []

    def run(recompute):
        try:
            barrier.wait()
            recompute()
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(lambda: recompute_period(period.pk),)),
        threading.Thread(target=run, args=(lambda: recompute_periods([period.pk]),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    concurrent = snapshot(period)

    recompute_period(period.pk)
    assert snapshot(period) == concurrent
    assert not Assessment.objects.filter(period=period, is_stale=True).exists()
