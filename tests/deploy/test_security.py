"""Security settings: production checks, SECRET_KEY, login throttling, CSP header,
CSRF, upload limits, no secret in the repository."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from spbe_dashboard.security import policy_text
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "PATH": os.environ.get("PATH", ""),
    "DJANGO_SETTINGS_MODULE": "spbe_dashboard.settings",
    "SECRET_KEY": "a-production-like-secret-key-" + "x" * 40,
    "DATABASE_URL": "sqlite://:memory:",
    "ALLOWED_HOSTS": "spbe.example.go.id",
    "REDIS_URL": "",
}


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_value(expression, **env):
    """A value of the settings as a fresh process with this environment sees them."""
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# --- Production settings --------------------------------------------------------------


def test_production_settings_pass_check_deploy_without_any_issue():
    result = manage("check", "--deploy", "--fail-level", "DEBUG")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    result = manage("check", SECRET_KEY="")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr
    # With DEBUG on (the demo) a development key is used instead.
    assert manage("check", SECRET_KEY="", DEBUG="1").returncode == 0


def test_https_switches_default_on_in_production_and_can_be_turned_off_behind_a_proxy():
    on = "(settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS > 0, getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))"
    assert settings_value(on) == "(True, True, True, True, None)"
    assert settings_value(on, SECURE_SSL_REDIRECT="0", SECURE_PROXY_SSL_HEADER="1") == (
        "(False, True, True, True, ('HTTP_X_FORWARDED_PROTO', 'https'))"
    )
    assert settings_value(on, DEBUG="1") == "(False, False, False, False, None)"
    assert settings_value("settings.X_FRAME_OPTIONS, settings.SECURE_CONTENT_TYPE_NOSNIFF") == (
        "DENY True"
    )
    assert (
        settings_value("settings.STORAGES['staticfiles']['BACKEND']")
        == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


def test_password_validators_and_session_expiry():
    names = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings_value("settings.SESSION_COOKIE_AGE", SESSION_COOKIE_AGE="3600") == "3600"


def test_password_validators_refuse_weak_passwords(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("12345678", "password", "abc"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Kominfo-Sulbar-2025!")


# --- Headers ----------------------------------------------------------------------------


def test_pages_carry_the_csp_and_hardening_headers(client, world):
    client.force_login(world.sekprov)
    response = client.get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert csp == policy_text(settings.CONTENT_SECURITY_POLICY)
    for directive in (
        "default-src 'self'",
        "script-src 'self';",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    # The login page too (anonymous).
    client.logout()
    assert "Content-Security-Policy" in client.get(reverse("login"))


def test_csp_report_only_switch(client, world, settings):
    settings.CSP_REPORT_ONLY = True
    response = client.get(reverse("login"))
    assert "Content-Security-Policy" not in response
    assert "script-src 'self'" in response["Content-Security-Policy-Report-Only"]


TEMPLATES = ROOT / "templates"
INLINE = re.compile(
    r"<style|\sstyle=|\son[a-z]+=|javascript:|<script(?![^>]*\bsrc=)(?![^>]*application/json)",
    re.IGNORECASE,
)


def test_templates_have_no_inline_script_or_style():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if "reports" in path.parts and path.name.endswith("_pdf.html"):
            continue  # printed from a file:// page by chromium: no HTTP header, no CSP
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if INLINE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


# --- CSRF ---------------------------------------------------------------------------------


def test_state_changes_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.sekprov)
    assert client.post(reverse("logout")).status_code == 403
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 403
    assert client.get("/").status_code == 200  # still logged in
    # With the token from the page, the same POST works.
    client.get(reverse("login"))
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_no_view_is_exempt_from_csrf():
    hits = []
    for package in ("opd", "evaluations", "spbe_dashboard"):
        for path in (ROOT / package).rglob("*.py"):
            if "csrf_exempt" in path.read_text(encoding="utf-8"):
                hits.append(str(path.relative_to(ROOT)))
    assert hits == []


def test_logout_by_get_does_nothing(client, world):
    client.force_login(world.sekprov)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get("/").status_code == 200


# --- Uploads --------------------------------------------------------------------------------


def test_upload_limits():
    assert settings.MAX_EVIDENCE_BYTES == 10 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 5 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 2000


def test_an_oversized_form_body_is_refused(client, world):
    client.force_login(world.sekprov)
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(reverse("set_language"), {"language": "en", "next": big})
    assert response.status_code == 400


# --- Login throttling (django-axes) -----------------------------------------------------


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.implementation = None  # pick up the setting afresh
    yield
    AxesProxyHandler.implementation = None


def login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_failures_lock_the_username_from_that_address(client, world, axes_on):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, "sekprov.sulbar", "salah")
        assert response.status_code == 200
        assert "Nama pengguna atau kata sandi salah" in response.content.decode()
    locked = login(client, "sekprov.sulbar", "salah")
    assert locked.status_code == 429
    assert 'data-testid="locked-out"' in locked.content.decode()
    # Now even the right password is refused, with the same page.
    again = login(client, "sekprov.sulbar", PASSWORD)
    assert again.status_code == 429 and "_auth_user_id" not in client.session
    # Another address, or another username from this address, is not locked.
    assert login(client, "sekprov.sulbar", PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    assert login(client, "kepala.kominfo", PASSWORD).status_code == 302
    client.logout()

    # The admin unlock: a superuser deletes the access attempt in Django's admin.
    attempt = AccessAttempt.objects.get(username="sekprov.sulbar", ip_address="10.0.0.1")
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT
    assert AccessAttempt in admin.site._registry
    admin_client = Client()
    admin_client.force_login(world.superadmin)
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert login(client, "sekprov.sulbar", PASSWORD).status_code == 302


def test_lockout_page_speaks_indonesian_and_english(client, world, axes_on):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = login(client, "sekprov.sulbar", "salah")
    assert response.status_code == 429
    page = response.content.decode()
    assert "30" in page and reverse("login") in page
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en"})
    page = login(client, "sekprov.sulbar", "salah").content.decode()
    assert "Try again in 30 minutes" in page
    assert "locked after 5 failed login attempts" in page


def test_a_successful_login_resets_the_failures(client, world, axes_on):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "sekprov.sulbar", "salah")
    assert login(client, "sekprov.sulbar", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "sekprov.sulbar", "salah").status_code == 200


# --- Secrets --------------------------------------------------------------------------------

SECRET_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"),
    re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}"),
    re.compile(r"SECRET_KEY\s*=\s*['\"][^'\"]{20,}['\"]"),
]


def test_no_secret_in_the_repository():
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    hits = []
    for name in files:
        path = ROOT / name
        if not path.is_file() or path.suffix in {".mo", ".png", ".pdf", ".xlsx", ".sqlite3"}:
            continue
        if path.stat().st_size > 2_000_000:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for pattern in SECRET_PATTERNS:
            for match in pattern.finditer(text):
                # The DEBUG-only development key and test-only keys say so in their value.
                if not re.search(r"insecure|test|example|\$", match.group(0), re.IGNORECASE):
                    hits.append(f"{name}: {match.group(0)[:40]}")
    assert hits == []
    assert not (ROOT / ".env").exists() or ".env" not in files


def test_client_ip_for_throttling_behind_proxies(rf, settings):
    from spbe_dashboard.security import client_ip

    request = rf.get("/", REMOTE_ADDR="172.18.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "172.18.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.1.2.3"  # what our proxy saw; 6.6.6.6 is forgeable
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "172.18.0.1"  # fewer hops than proxies: not trusted
