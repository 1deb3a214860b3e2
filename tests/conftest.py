import socket
from email import message_from_bytes, policy
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache

# The suite speaks plain HTTP (test client, live server) and never runs collectstatic:
# production's HTTPS-only switches and hashed static storage (the defaults when DEBUG is
# off) are turned off before any request is handled. tests/deploy checks them.
settings.SECURE_SSL_REDIRECT = False
settings.SESSION_COOKIE_SECURE = False
settings.CSRF_COOKIE_SECURE = False
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from evaluations.services.recompute import forget_instrument_shapes  # noqa: E402
from tests.factories import (  # noqa: E402
    KabupatenFactory,
    OPDFactory,
    ProvinceFactory,
    Role,
    UserFactory,
    make_user,
)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Tasks run in-process unless a test starts a real worker; passwords hash fast
    (`world` creates over a dozen users)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Login throttling needs the request in authenticate(); tests that call it without
    # one (and the many test logins) run without it. tests/deploy/test_security.py
    # turns it on.
    settings.AXES_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The cache (Redis under test) outlives a test's rolled-back database: start clean.
    cache.clear()
    forget_instrument_shapes()


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    return f"database: {db['ENGINE']} {db.get('HOST') or ''}:{db.get('PORT') or ''}"


@pytest.fixture
def world(db):
    """Two provinces with kabupaten, OPDs and one named user per role.

    Sulawesi Barat (76) with Polewali Mandar (76.02) and Majene (76.01); a second
    province, Sulawesi Selatan (73), with Gowa (73.06).
    """
    w = SimpleNamespace()
    w.sulbar = ProvinceFactory(kode="76", nama="Provinsi Sulawesi Barat")
    w.polman = KabupatenFactory(kode="76.02", nama="Kabupaten Polewali Mandar", parent=w.sulbar)
    w.majene = KabupatenFactory(kode="76.01", nama="Kabupaten Majene", parent=w.sulbar)
    w.sulsel = ProvinceFactory(kode="73", nama="Provinsi Sulawesi Selatan")
    w.gowa = KabupatenFactory(kode="73.06", nama="Kabupaten Gowa", parent=w.sulsel)

    w.kominfo = OPDFactory(
        pemda=w.sulbar,
        kode="DISKOMINFO",
        nama="Dinas Komunikasi dan Informatika",
        singkatan="Diskominfo",
    )
    w.bappeda = OPDFactory(
        pemda=w.sulbar,
        kode="BAPPEDA",
        nama="Badan Perencanaan Pembangunan Daerah",
        singkatan="Bappeda",
    )
    w.polman_dinkes = OPDFactory(
        pemda=w.polman, kode="DINKES", nama="Dinas Kesehatan", singkatan="Dinkes"
    )
    w.majene_dinkes = OPDFactory(
        pemda=w.majene, kode="DINKES", nama="Dinas Kesehatan", singkatan="Dinkes"
    )
    w.sulsel_kominfo = OPDFactory(
        pemda=w.sulsel, kode="DISKOMINFO", nama="Dinas Kominfo Sulsel", singkatan="Kominfo"
    )
    w.gowa_dinkes = OPDFactory(
        pemda=w.gowa, kode="DINKES", nama="Dinas Kesehatan Gowa", singkatan="Dinkes"
    )

    w.admin_sulbar = make_user(Role.ADMIN_KOMINFO, w.sulbar, username="admin.sulbar", is_staff=True)
    w.evaluator_sulbar = make_user(Role.EVALUATOR, w.sulbar, username="evaluator.sulbar")
    w.sekprov = make_user(Role.PIMPINAN, w.sulbar, username="sekprov.sulbar")
    w.kepala_kominfo = make_user(Role.KEPALA_OPD, w.sulbar, w.kominfo, username="kepala.kominfo")
    w.operator_kominfo = make_user(
        Role.OPERATOR_OPD, w.sulbar, w.kominfo, username="operator.kominfo"
    )
    w.evaluator_polman = make_user(Role.EVALUATOR, w.polman, username="evaluator.polman")
    w.bupati_polman = make_user(Role.PIMPINAN, w.polman, username="bupati.polman")
    w.admin_polman = make_user(Role.ADMIN_KOMINFO, w.polman, username="admin.polman", is_staff=True)
    w.kepala_polman_dinkes = make_user(
        Role.KEPALA_OPD, w.polman, w.polman_dinkes, username="kepala.dinkes.polman"
    )
    w.admin_sulsel = make_user(Role.ADMIN_KOMINFO, w.sulsel, username="admin.sulsel", is_staff=True)
    w.evaluator_gowa = make_user(Role.EVALUATOR, w.gowa, username="evaluator.gowa")
    w.superadmin = UserFactory(username="superadmin", is_staff=True, is_superuser=True)
    w.no_role = UserFactory(username="tanpa.peran")
    return w


def pytest_collection_modifyitems(items):
    # Browser tests run on a transactional database, which is flushed when each ends,
    # taking the migration-installed instruments with it: run them after every other test.
    items.sort(key=lambda item: "/e2e/" in str(item.path))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPInbox:
    """What the test SMTP server received: `messages` as email.message.EmailMessage,
    each with its envelope recipients in `rcpt`."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        message.rcpt = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def recipients(self):
        return sorted(address for message in self.messages for address in message.rcpt)


def use_smtp(settings, port):
    """Send e-mail over SMTP to 127.0.0.1:`port` (no TLS, no login)."""
    settings.EMAIL_BACKEND = settings.SMTP_BACKEND
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.EMAIL_ENABLED = True
    settings.SITE_URL = "https://spbe.example.go.id"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free port of 127.0.0.1, and the settings that
    send through it; yields its inbox."""
    from aiosmtpd.controller import Controller

    inbox = SMTPInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    use_smtp(settings, controller.port)
    inbox.port = controller.port
    yield inbox
    controller.stop()
