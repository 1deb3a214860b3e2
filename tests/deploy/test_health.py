"""/healthz/: the container health check. No login, no data, plain HTTP, any host."""

import pytest

from spbe_dashboard import health


def test_health_answers_ok_without_login(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
    assert response["Cache-Control"] == "no-store"


def test_health_ignores_the_host_check_and_the_https_redirect(client, db, settings):
    settings.ALLOWED_HOSTS = ["spbe.example.go.id"]
    settings.SECURE_SSL_REDIRECT = True
    # The middleware is loaded per client: a fresh one sees the settings above.
    from django.test import Client

    fresh = Client()
    assert fresh.get("/healthz/", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert fresh.get("/", HTTP_HOST="127.0.0.1:8000").status_code == 400


@pytest.mark.parametrize("failing", ["database", "redis"])
def test_health_answers_503_when_a_service_fails(client, db, monkeypatch, failing):
    def broken():
        raise ConnectionError("down")

    monkeypatch.setitem(health.CHECKS, failing, broken)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["checks"][failing] == "failed"
    assert response.json()["status"] == "failed"


def test_redis_check_uses_redis_url(settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with pytest.raises(Exception):  # noqa: B017 (any connection error)
        health.check_redis()
    settings.REDIS_URL = ""
    health.check_redis()  # the SQLite demo: nothing to check
