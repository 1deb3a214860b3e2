#!/usr/bin/env python
"""Check that the services the test suite needs are reachable before pytest starts.

    python scripts/check_services.py [postgres] [redis]

Reads DATABASE_URL and REDIS_URL (the same defaults as `make test`), tries each service
with a short timeout and, for every one it cannot reach, names it, says what went wrong
and how to start it. Exits 0 when all checked services answer, 1 otherwise, 2 on bad use.
Without arguments both services are checked.
"""

import os
import sys

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/spbe"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
TIMEOUT_SECONDS = 3

POSTGRES_HELP = """\
  Start PostgreSQL, for example:
    sudo pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start
    (or: sudo systemctl start postgresql; pg_lsclusters lists the clusters)
  or with Docker:
    docker run -d --name spbe-postgres -p 5432:5432 \\
      -e POSTGRES_HOST_AUTH_METHOD=trust postgres:15
  or point DATABASE_URL at a PostgreSQL server you can reach, e.g.
    make test DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/spbe
  The role needs CREATEDB: pytest creates and drops its own test_<name> database."""

REDIS_HELP = """\
  Start Redis, for example:
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    (or: sudo systemctl start redis-server)
  or with Docker:
    docker run -d --name spbe-redis -p 6379:6379 redis:7
  or point REDIS_URL at a Redis server you can reach, e.g.
    make test REDIS_URL=redis://HOST:6379/0"""


def _redact(url):
    """The URL without its password, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def check_postgres(url):
    """None when PostgreSQL answers at `url`, else a message saying why not."""
    try:
        import dj_database_url
        import psycopg2
    except ImportError as exc:
        return f"cannot check PostgreSQL: {exc} (run `make venv` first)"

    try:
        config = dj_database_url.parse(url)
    except Exception as exc:  # any parse error means a bad URL
        return f"DATABASE_URL={_redact(url)!r} is not a valid database URL ({exc})"
    if config["ENGINE"] != "django.db.backends.postgresql":
        return (
            f"DATABASE_URL={_redact(url)!r} is not a PostgreSQL URL; the test suite runs on "
            "PostgreSQL (postgres://USER@HOST:PORT/NAME)"
        )
    params = {
        "dbname": config.get("NAME") or "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "connect_timeout": TIMEOUT_SECONDS,
    }
    try:
        connection = psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
    except psycopg2.OperationalError as exc:
        text = str(exc).strip()
        if f'database "{params["dbname"]}" does not exist' in text:
            # The server answered and the credentials work; pytest-django creates its own
            # test_<name> database, so the named one need not exist.
            return None
        return f"cannot connect to {_redact(url)}: {text}"
    connection.close()
    return None


def check_redis(url):
    """None when Redis answers PING at `url`, else a message saying why not."""
    try:
        import redis
    except ImportError as exc:
        return f"cannot check Redis: {exc} (run `make venv` first)"
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
        )
    except ValueError as exc:
        return f"REDIS_URL={_redact(url)!r} is not a valid Redis URL ({exc})"
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"cannot connect to {_redact(url)}: {exc}"
    finally:
        client.close()
    return None


CHECKS = {
    "postgres": ("PostgreSQL", "DATABASE_URL", DEFAULT_DATABASE_URL, check_postgres, POSTGRES_HELP),
    "redis": ("Redis", "REDIS_URL", DEFAULT_REDIS_URL, check_redis, REDIS_HELP),
}


def main(argv):
    names = argv or list(CHECKS)
    unknown = [name for name in names if name not in CHECKS]
    if unknown:
        print(
            f"usage: {sys.argv[0]} [{'] ['.join(CHECKS)}]  (unknown: {', '.join(unknown)})",
            file=sys.stderr,
        )
        return 2
    failed = []
    for name in names:
        label, variable, default, check, help_text = CHECKS[name]
        url = os.environ.get(variable) or default
        problem = check(url)
        if problem is None:
            print(f"ok: {label} is reachable at {_redact(url)}")
        else:
            failed.append(label)
            print(f"\nERROR: {label} is not reachable ({variable}): {problem}", file=sys.stderr)
            print(help_text, file=sys.stderr)
    if failed:
        print(
            f"\nThe test suite needs {' and '.join(failed)}; start "
            f"{'it' if len(failed) == 1 else 'them'} and run `make test` again.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
