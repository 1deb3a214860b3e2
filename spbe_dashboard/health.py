"""The health endpoint, /healthz/: 200 when the database and Redis answer, 503 otherwise.

Answered by a middleware placed first, before the host check, the HTTPS redirect and the
session: the Docker health check calls it over plain HTTP on 127.0.0.1. No login, no data:
the body only names the checks and says ok or failed.
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)

PATH = "/healthz/"


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_redis():
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return  # the SQLite demo runs without Redis
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


CHECKS = {"database": check_database, "redis": check_redis}


def health_response():
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            logger.exception("health check %s failed", name)
            results[name] = "failed"
        else:
            results[name] = "ok"
    healthy = all(value == "ok" for value in results.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "failed", "checks": results},
        status=200 if healthy else 503,
    )
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == PATH and request.method in ("GET", "HEAD"):
            return health_response()
        return self.get_response(request)
