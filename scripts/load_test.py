"""Load test (issue 7, part 5): simulated users against gunicorn on 127.0.0.1 only.

A benchmark, not a pass/fail test: it prints the requests made, the errors and the
p50/p95 latency per kind of request and overall (target: no errors, p95 < 500 ms).

Three steps, each optional:

1. ``--prepare``: against DATABASE_URL (a dedicated PostgreSQL database, e.g. spbe_load):
   migrate, ``seed_demo`` (Provinsi Sulawesi Barat and its six kabupaten, 2019–2025),
   a 2027 period of the province open for self-assessment, and the load users (one
   operator and one head per OPD of the province, one pimpinan per pemda, all with the
   demo password); then ``collectstatic`` into --static-root.
2. ``--start``: gunicorn (``--workers``) on 127.0.0.1:``--port`` with the production
   settings (DEBUG off; plain HTTP, so the HTTPS-only switches are turned off through
   the environment) and a Celery worker for the recomputes the saves queue; both are
   stopped at the end.
3. The run: ``--users`` simulated users, started evenly over ``--ramp`` seconds, for
   ``--duration`` seconds. Each signs in through the login form (CSRF token from the
   form), then repeats its task with ``--think`` seconds (± 50 %) between requests:

   - dashboard (30 %): a pimpinan (sekprov or bupati type) opens the zone dashboard of
     their pemda for a random year 2019–2025;
   - scorecard (30 %): the head of an OPD opens the OPD's scorecard for a random year;
   - save (40 %): the operator of an OPD (each simulated operator its own OPD) saves a
     random level of a random indicator of the 2027 self-assessment through the htmx
     endpoint (X-CSRFToken, HX-Request, the version read from the page / last answer).

Typical use (what ``make load`` runs)::

    createdb -h 127.0.0.1 -U postgres spbe_load
    SECRET_KEY=load-only DATABASE_URL=postgres://postgres@127.0.0.1:5432/spbe_load \\
    REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python scripts/load_test.py --prepare --start --workers 3

Against a server you started yourself: ``scripts/load_test.py --base http://127.0.0.1:8000``.
"""

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PROVINCE = "76"
# The demo ends with 2026 under evaluation; the load gets a year of its own to fill.
SELF_YEAR = 2027
YEARS = range(2019, 2026)
MIX = (("dashboard", 0.3), ("scorecard", 0.3), ("save", 0.4))
# An indicator of the self-assessment page: its score id and version (other attributes
# may stand between them).
SCORE_RE = re.compile(r'<div [^>]*\bid="score-(\d+)"[^>]*\bdata-version="(\d+)"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- Preparing the database (in-process Django) --------------------------------------


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spbe_dashboard.settings")
    import django

    django.setup()


def create_database():
    """CREATE DATABASE for DATABASE_URL when it does not exist yet."""
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"created database {config['NAME']}")
    connection.close()


def prepare(static_root):
    """Demo data, the 2027 self-assessment period and the load users. Idempotent."""
    create_database()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from evaluations.models import Instrument, Period
    from evaluations.services.demo import demo_password, seed_demo
    from evaluations.services.periods import open_period
    from opd.models import OPD, Membership, Pemda
    from opd.roles import Role

    call_command("migrate", "--noinput", verbosity=0)
    started = time.monotonic()
    seed_demo()
    print(f"seed_demo: {time.monotonic() - started:.1f} s")
    province = Pemda.objects.get(kode=PROVINCE)
    if not Period.objects.filter(pemda=province, tahun=SELF_YEAR, triwulan=None).exists():
        open_period(
            province,
            SELF_YEAR,
            Instrument.objects.get(kode="opd-25-template"),
            status=Period.Status.SELF_ASSESSMENT,
        )
    # One hash for every load user: hashing is slow on purpose.
    password = make_password(demo_password())
    User = get_user_model()

    def user(username, role, pemda, opd=None):
        account, _ = User.objects.update_or_create(
            username=username, defaults={"password": password, "is_active": True}
        )
        Membership.objects.update_or_create(
            user=account, defaults={"pemda": pemda, "role": role, "opd": opd}
        )

    for opd in OPD.objects.filter(pemda=province).active_in(SELF_YEAR).order_by("kode"):
        user(f"load.operator.{opd.kode.lower()}", Role.OPERATOR_OPD, province, opd)
        user(f"load.kepala.{opd.kode.lower()}", Role.KEPALA_OPD, province, opd)
    for pemda in Pemda.objects.filter(kode__startswith=PROVINCE).order_by("kode"):
        user(f"load.pimpinan.{pemda.kode}", Role.PIMPINAN, pemda)
    call_command("collectstatic", "--noinput", verbosity=0)
    print(f"prepared: static files in {static_root}")


def load_accounts():
    """(dashboard users, scorecard users, operators) as (username, pemda, opd, years)
    tuples; `years` are those with a finished or evaluated assessment of the OPD (or of
    the pemda), the self-assessment year left out."""
    setup_django()
    from evaluations.models import Assessment
    from opd.models import Membership
    from opd.roles import Role

    years = defaultdict(set)
    rows = Assessment.objects.filter(period__triwulan=None, period__tahun__in=YEARS)
    for pemda, opd, year in rows.values_list("pemda__kode", "opd__kode", "period__tahun"):
        years[pemda, opd].add(year)
        years[pemda, None].add(year)
    memberships = Membership.objects.filter(user__username__startswith="load.").select_related(
        "pemda", "opd", "user"
    )
    found = defaultdict(list)
    for m in memberships.order_by("user__username"):
        opd = m.opd.kode if m.opd else None
        found[m.role].append((m.user.username, m.pemda.kode, opd, sorted(years[m.pemda.kode, opd])))
    if not found[Role.OPERATOR_OPD]:
        sys.exit("no load users in this database: run with --prepare first")
    return found[Role.PIMPINAN], found[Role.KEPALA_OPD], found[Role.OPERATOR_OPD]


# --- Starting the servers --------------------------------------------------------------


def server_env(static_root):
    """The production settings, with plain HTTP on the loopback; without REDIS_URL the
    recomputes run inside the web requests (Celery eager)."""
    return {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on the loopback: the HTTPS-only switches of production are off.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(static_root),
    }


def start_servers(port, workers, static_root, with_worker, logdir):
    env = server_env(static_root)
    bin_dir = Path(sys.executable).parent
    processes = []
    gunicorn = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "spbe_dashboard.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--access-logfile=-",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(logdir / "gunicorn-access.log", "w"),  # noqa: SIM115
        stderr=open(logdir / "gunicorn.log", "w"),  # noqa: SIM115
    )
    processes.append(gunicorn)
    if with_worker and os.environ.get("REDIS_URL"):
        worker = subprocess.Popen(
            [
                str(bin_dir / "celery"),
                "-A",
                "spbe_dashboard",
                "worker",
                "--pool=solo",
                "--purge",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=open(logdir / "worker.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        processes.append(worker)
    return processes


def stop(processes):
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(base, timeout=60):
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/akun/masuk/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    sys.exit(f"{base} did not answer within {timeout} s")


# --- The simulated users ---------------------------------------------------------------


class Stats:
    """Latencies per kind of request; `steady` keeps those of the requests sent after the
    ramp (every user signed in), when the mix runs at its full rate."""

    def __init__(self, steady_from):
        self.lock = threading.Lock()
        self.steady_from = steady_from
        self.times = defaultdict(list)
        self.steady = defaultdict(list)
        self.errors = defaultdict(list)

    def add(self, kind, sent_at, seconds, error=None):
        with self.lock:
            self.times[kind].append(seconds)
            if sent_at >= self.steady_from:
                self.steady[kind].append(seconds)
            if error:
                self.errors[kind].append(error)

    def error(self, kind, message):
        with self.lock:
            self.errors[kind].append(message)


class User(threading.Thread):
    def __init__(self, base, password, kind, account, stats, stop_at, think, start_delay):
        super().__init__(daemon=True)
        import requests

        self.session = requests.Session()
        self.base, self.password, self.kind = base, password, kind
        self.username, self.pemda, self.opd, self.years = account
        self.stats, self.stop_at, self.think, self.start_delay = stats, stop_at, think, start_delay
        self.random = random.Random(self.username + kind)
        self.versions = {}

    def request(self, kind, method, path, expect=200, **kwargs):
        sent_at, started = time.time(), time.perf_counter()
        error = None
        try:
            response = self.session.request(
                method, self.base + path, allow_redirects=False, timeout=30, **kwargs
            )
            if response.status_code != expect:
                error = f"{method} {path}: {response.status_code}"
        except Exception as exc:  # a refused connection, a timeout: an error, not a crash
            response, error = None, f"{method} {path}: {exc.__class__.__name__}"
        self.stats.add(kind, sent_at, time.perf_counter() - started, error)
        return None if error else response

    def login(self):
        page = self.request("login_form", "GET", "/akun/masuk/")
        token = CSRF_RE.search(page.text).group(1) if page is not None else ""
        answer = self.request(
            "login",
            "POST",
            "/akun/masuk/",
            expect=302,
            data={
                "username": self.username,
                "password": self.password,
                "csrfmiddlewaretoken": token,
            },
        )
        return answer is not None

    def sleep(self):
        time.sleep(
            min(self.think * self.random.uniform(0.5, 1.5), max(0, self.stop_at - time.time()))
        )

    def run(self):
        time.sleep(self.start_delay)
        if not self.login():
            return
        if self.kind == "save" and not self.open_self_assessment():
            return
        while time.time() < self.stop_at:
            getattr(self, f"do_{self.kind}")()
            self.sleep()

    def do_dashboard(self):
        year = self.random.choice(self.years)
        self.request("dashboard", "GET", f"/pemda/{self.pemda}/dasbor/?tahun={year}")

    def do_scorecard(self):
        year = self.random.choice(self.years)
        self.request("scorecard", "GET", f"/pemda/{self.pemda}/opd/{self.opd}/rapor/?tahun={year}")

    def open_self_assessment(self):
        page = self.request(
            "self_assessment",
            "GET",
            f"/pemda/{self.pemda}/opd/{self.opd}/mandiri/?tahun={SELF_YEAR}",
        )
        if page is None:
            return False
        self.versions = {int(pk): int(v) for pk, v in SCORE_RE.findall(page.text)}
        if not self.versions:  # the page's markup changed: say so rather than not saving
            self.stats.error("self_assessment", "no indicator found on the page")
        return bool(self.versions)

    def do_save(self):
        score = self.random.choice(list(self.versions))
        path = f"/pemda/{self.pemda}/opd/{self.opd}/mandiri/skor/{score}/?tahun={SELF_YEAR}"
        token = self.session.cookies.get("csrftoken", "")
        answer = self.request(
            "save",
            "POST",
            path,
            data={
                "level": str(self.random.randint(1, 5)),
                "penjelasan": "Uji beban",
                "version": str(self.versions[score]),
                "csrfmiddlewaretoken": token,
            },
            headers={"HX-Request": "true", "X-CSRFToken": token, "Referer": self.base + path},
        )
        if answer is not None:
            found = re.search(rf'\bid="score-{score}"[^>]*\bdata-version="(\d+)"', answer.text)
            if found:
                self.versions[score] = int(found.group(1))


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def table(title, times_by_kind, errors_by_kind):
    kinds = sorted(times_by_kind)
    every = [t for kind in kinds for t in times_by_kind[kind]]
    print(f"\n{title}")
    print(f"{'kind':<16}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for kind in [*kinds, "overall"]:
        times = every if kind == "overall" else times_by_kind[kind]
        if not times:
            continue
        failed = (
            sum(map(len, errors_by_kind.values()))
            if kind == "overall"
            else len(errors_by_kind.get(kind, ()))
        )
        print(
            f"{kind:<16}{len(times):>9}{failed:>8}{percentile(times, 0.5) * 1000:>9.0f}"
            f"{percentile(times, 0.95) * 1000:>9.0f}{max(times) * 1000:>9.0f}"
        )
    return every


def report(stats, elapsed):
    every = table("All requests (ramp included)", stats.times, stats.errors)
    table("Steady state (requests sent after the ramp; errors counted above)", stats.steady, {})
    errors = sum(len(e) for e in stats.errors.values())
    print(
        f"\n{len(every)} requests in {elapsed:.1f} s ({len(every) / elapsed:.1f}/s), {errors} errors"
    )
    for kind, messages in stats.errors.items():
        for message in sorted(set(messages))[:5]:
            print(f"  error {kind}: {message} (×{messages.count(message)})")
    p95 = percentile(every, 0.95) * 1000
    met = "met" if not errors and p95 < 500 else "NOT met"
    print(f"target (no errors, p95 < 500 ms over all requests): {met}")
    return errors


def simulate(base, password, accounts, users, duration, ramp, think):
    dashboards, heads, operators = accounts
    counts = {kind: round(users * share) for kind, share in MIX}
    counts["save"] = users - counts["dashboard"] - counts["scorecard"]
    if counts["save"] > len(operators):
        sys.exit(f"{counts['save']} operators asked for, {len(operators)} OPDs have one")
    pools = {"dashboard": dashboards, "scorecard": heads, "save": operators}
    plan = [
        (kind, pools[kind][i % len(pools[kind])]) for kind in counts for i in range(counts[kind])
    ]
    random.Random(1).shuffle(plan)
    started = time.time()
    stats = Stats(steady_from=started + ramp)
    stop_at = started + ramp + duration
    threads = [
        User(base, password, kind, account, stats, stop_at, think, ramp * i / len(plan))
        for i, (kind, account) in enumerate(plan)
    ]
    print(
        f"{users} users ({', '.join(f'{n} {k}' for k, n in counts.items())}), "
        f"ramp {ramp:.0f} s + {duration:.0f} s, think {think} s ± 50 % → {base}"
    )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1, stop_at - time.time() + 35))
    return report(stats, time.time() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", help="a server already running (127.0.0.1 only)")
    parser.add_argument("--prepare", action="store_true", help="seed the database first")
    parser.add_argument("--start", action="store_true", help="start gunicorn and a worker")
    parser.add_argument("--no-worker", action="store_true", help="no Celery worker with --start")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--ramp", type=float, default=20, help="seconds to start every user")
    parser.add_argument("--think", type=float, default=3.0, help="seconds between requests")
    parser.add_argument(
        "--static-root", default=os.path.join(tempfile.gettempdir(), "spbe_load_static")
    )
    options = parser.parse_args()

    import requests  # noqa: F401  (fail early: pip install -e ".[dev]")

    base = (options.base or f"http://127.0.0.1:{options.port}").rstrip("/")
    if urlsplit(base).hostname not in LOOPBACK:
        sys.exit(f"refusing {base}: the load test only runs against 127.0.0.1")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to the load database (PostgreSQL), e.g. .../spbe_load")
    os.environ.setdefault("SECRET_KEY", "load-test-only")
    os.environ["STATIC_ROOT"] = options.static_root
    if options.prepare:
        prepare(options.static_root)
    accounts = load_accounts()
    from evaluations.services.demo import demo_password

    processes = []
    logdir = Path(tempfile.mkdtemp(prefix="spbe_load_"))
    try:
        if options.start:
            if options.base:
                sys.exit("--start serves on --port; leave out --base")
            processes = start_servers(
                options.port, options.workers, options.static_root, not options.no_worker, logdir
            )
            print(f"gunicorn ({options.workers} workers) on {base}; logs in {logdir}")
            wait_until_up(base)
        simulate(
            base,
            demo_password(),
            accounts,
            options.users,
            options.duration,
            options.ramp,
            options.think,
        )
    finally:
        stop(processes)
        if not processes:
            shutil.rmtree(logdir, ignore_errors=True)
    # A benchmark: the figures are the result, not the exit status.
    return 0


if __name__ == "__main__":
    sys.exit(main())
