"""The deployment without Docker: the processes docker-compose.yml starts (gunicorn with
whitenoise, a Celery worker, Celery beat with the database scheduler), run here as
subprocesses with production-like settings against the test database and Redis.

Checks that the health endpoint, the login page and a hashed static file are served, that
a saved level reaches the worker and changes the stored zone, and that beat starts.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from evaluations.models import Assessment, Score
from evaluations.queueing import request_recompute
from evaluations.services.recompute import recompute_period
from evaluations.services.scoring import ZONE_GREEN, ZONE_RED
from spbe_dashboard.celery import app
from tests.factories import KabupatenFactory, OPDFactory, ProvinceFactory, make_period, set_levels

pytestmark = [
    pytest.mark.stack,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# The suite's Redis (REDIS_URL), unless STACK_TEST_BROKER_URL names another.
BROKER = os.environ.get("STACK_TEST_BROKER_URL") or settings.REDIS_URL


def database_url():
    db = settings.DATABASES["default"]
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}/{db['NAME']}"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout=20.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def fetch(url):
    """(status, headers, body) of a GET, without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
    except OSError:
        return None, {}, b""


def use_broker(url):
    app.conf.broker_url = url
    app.conf.broker_connection_retry = False
    app.conf.broker_transport_options = {"max_retries": 1}
    app._pool = None
    app.amqp._producer_pool = None


class Stack:
    """Subprocesses with their logs; stop() ends them all, whatever state they are in."""

    def __init__(self, tmp_path, env):
        self.tmp_path = tmp_path
        self.env = env
        self.processes = {}
        self.logs = {}

    def start(self, name, *command):
        log = open(self.tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed in stop)
        self.logs[name] = log
        self.processes[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn's workers end with it
        )

    def log(self, name):
        return (self.tmp_path / f"{name}.log").read_text(errors="replace")

    def logs_text(self):
        return "\n".join(f"--- {name}\n{self.log(name)[-4000:]}" for name in self.processes)

    def stop(self):
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, 15)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()
        for log in self.logs.values():
            log.close()


@pytest.fixture
def stack(tmp_path):
    if not BROKER.startswith("redis"):
        pytest.skip("needs Redis (REDIS_URL) for the worker and beat")
    port = free_port()
    static_root = tmp_path / "static"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "spbe_dashboard.settings",
        "DEBUG": "0",
        "SECRET_KEY": "stack-test-secret-key-" + "s" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(),
        "REDIS_URL": BROKER,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CONN_MAX_AGE": "0",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(tmp_path / "media"),
        # Plain HTTP on 127.0.0.1, as behind a proxy that terminates TLS.
        "SECURE_SSL_REDIRECT": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("STATIC_MANIFEST", None)
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collect.returncode == 0, collect.stdout + collect.stderr

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    use_broker(BROKER)
    running = Stack(tmp_path, env)
    running.url = f"http://127.0.0.1:{port}"
    running.static_root = static_root
    try:
        running.start(
            "web",
            str(BIN / "gunicorn"),
            "spbe_dashboard.wsgi:application",
            "--config",
            "deploy/gunicorn.conf.py",
        )
        running.start(
            "worker",
            str(BIN / "celery"),
            "-A",
            "spbe_dashboard",
            "worker",
            "--pool=solo",
            "--purge",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        )
        running.start(
            "beat",
            str(BIN / "celery"),
            "-A",
            "spbe_dashboard",
            "beat",
            "--scheduler",
            "django_celery_beat.schedulers:DatabaseScheduler",
            "--pidfile=",
            "--loglevel=INFO",
        )
        started = wait_for(
            lambda: (
                fetch(running.url + "/healthz/")[0] == 200 and "ready." in running.log("worker")
            ),
            timeout=60,
        )
        if not started:
            pytest.fail("the stack did not start:\n" + running.logs_text())
        yield running
    finally:
        running.stop()
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


def test_stack_serves_pages_and_static_files_and_recomputes_through_the_worker(stack, period):
    # Health: database and Redis answer.
    status, _headers, body = fetch(stack.url + "/healthz/")
    assert status == 200 and json.loads(body)["checks"] == {"database": "ok", "redis": "ok"}

    # The login page, with the production headers; anonymous pages redirect to it.
    status, headers, body = fetch(stack.url + "/akun/masuk/")
    assert status == 200, stack.logs_text()
    page = body.decode()
    assert 'name="csrfmiddlewaretoken"' in page
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert "Secure" in headers["Set-Cookie"]  # the CSRF cookie is HTTPS-only
    status, headers, _ = fetch(stack.url + "/")
    assert status == 302 and headers["Location"].startswith("/akun/masuk/")

    # Static files: hashed names from collectstatic's manifest, served by whitenoise.
    manifest = json.loads((stack.static_root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/app.css"]
    assert hashed != "css/app.css" and f"/static/{hashed}" in page
    status, headers, body = fetch(f"{stack.url}/static/{hashed}")
    assert status == 200 and b"job-progress-cell" in body
    assert "immutable" in headers["Cache-Control"]
    assert fetch(stack.url + "/static/vendor/plotly/plotly.min.js")[0] == 200

    # A saved level reaches the worker, which recomputes the stored zone and rank.
    low = period.assessments.get(opd__kode="C")
    assert low.zona == ZONE_RED and low.peringkat == 3
    with transaction.atomic():
        Score.objects.filter(assessment=low).update(level_evaluator=5)
        request_recompute([low.pk])
    recomputed = wait_for(lambda: Assessment.objects.get(pk=low.pk).zona == ZONE_GREEN)
    assert recomputed, "the worker did not recompute:\n" + stack.logs_text()
    low.refresh_from_db()
    assert (low.peringkat, low.is_stale) == (1, False)

    # Beat started with the database scheduler and reported no error.
    assert wait_for(lambda: "beat: Starting..." in stack.log("beat"), timeout=15), stack.log("beat")
    time.sleep(1)
    for name in ("web", "worker", "beat"):
        assert stack.processes[name].poll() is None, f"{name} exited:\n" + stack.logs_text()
        log = stack.log(name)
        assert "Traceback" not in log and "ERROR" not in log, f"{name}:\n{log[-4000:]}"
    assert "DatabaseScheduler" in stack.log("beat")
