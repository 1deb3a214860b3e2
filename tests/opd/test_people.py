"""The people of a pemda, kept by its own Kominfo administrator in the app: accounts
created, changed, deactivated, given a password or a reset link, unlocked; every step in
the account's history; nobody reaches or picks another pemda's people."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from opd.models import Membership, RegistryEvent
from opd.services import accounts
from tests.factories import PASSWORD, Role
from tests.html import text, texts

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "Sandi-Baru-2027"


def people_url(kode="76"):
    return reverse("people", args=[kode])


def account_url(user, kode="76"):
    return reverse("account", args=[kode, user.pk])


def new_account(client, **values):
    data = {
        "username": "operator.bappeda",
        "first_name": "Rina",
        "last_name": "Wati",
        "email": "rina@sulbarprov.go.id",
        "role": Role.OPERATOR_OPD,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    return client.post(reverse("account_new", args=["76"]), data | values)


def test_the_administrator_creates_an_operator_who_can_log_in(client, world):
    client.force_login(world.admin_sulbar)
    response = new_account(client, opd=world.bappeda.pk)
    created = User.objects.get(username="operator.bappeda")
    assert response.status_code == 302 and response.url == account_url(created)
    assert (created.membership.pemda, created.membership.role, created.membership.opd) == (
        world.sulbar,
        Role.OPERATOR_OPD,
        world.bappeda,
    )
    assert not created.is_staff and not created.is_superuser
    event = RegistryEvent.objects.get(account=created)
    assert (event.action, event.user, event.new_value) == (
        "account_created",
        world.admin_sulbar,
        "operator_opd",
    )

    client.logout()
    assert client.login(username="operator.bappeda", password=NEW_PASSWORD)
    page = client.get(people_url())
    assert page.status_code == 404  # an operator keeps no accounts


@pytest.mark.parametrize(
    "values, message",
    [
        ({"username": "admin.polman"}, "sudah dipakai"),  # taken, in another pemda
        ({"username": "Admin.Polman"}, "sudah dipakai"),
        ({"username": "dua kata"}, "tanpa spasi"),
        ({}, "OPD-nya"),  # an operator without OPD
        ({"role": Role.EVALUATOR, "password1": "123", "password2": "123"}, "terlalu pendek"),
        ({"role": Role.EVALUATOR, "password1": "", "password2": ""}, "e-mail belum diatur"),
    ],
)
def test_bad_account_input_is_refused_with_a_message_and_creates_nothing(
    client, world, values, message
):
    client.force_login(world.admin_sulbar)
    before = User.objects.count()
    response = new_account(client, **values)
    assert response.status_code == 200
    assert (
        message in text(response.content.decode(), "account-form").lower()
        or message in response.content.decode()
    )
    assert User.objects.count() == before


def test_nobody_picks_an_opd_or_account_of_another_pemda(client, world):
    client.force_login(world.admin_sulbar)
    page = client.get(reverse("account_new", args=["76"])).content.decode()
    offered = set(re.findall(r'<option value="(\d+)"', page))
    assert str(world.kominfo.pk) in offered
    assert not {str(world.polman_dinkes.pk), str(world.gowa_dinkes.pk)} & offered
    response = new_account(client, opd=world.polman_dinkes.pk)
    assert response.status_code == 200 and "opd" in response.context["form"].errors
    assert not User.objects.filter(username="operator.bappeda").exists()


def test_the_people_list_holds_only_the_pemdas_own_accounts(client, world):
    client.force_login(world.admin_polman)
    page = client.get(people_url("76.02")).content.decode()
    listed = set(re.findall(r'data-username="([^"]+)"', page))
    assert listed == {"evaluator.polman", "bupati.polman", "admin.polman", "kepala.dinkes.polman"}
    assert "superadmin" not in page and "admin.sulbar" not in page


@pytest.mark.parametrize(
    "username, url",
    [
        # A kabupaten's administrator: not the province's people.
        ("admin_polman", lambda w: people_url("76")),
        ("admin_polman", lambda w: account_url(w.operator_kominfo, "76")),
        # A province's administrator sees its kabupaten's figures, never their people.
        ("admin_sulbar", lambda w: people_url("76.02")),
        ("admin_sulbar", lambda w: account_url(w.admin_polman, "76.02")),
        # Another pemda's account (or the superuser's) under one's own pemda.
        ("admin_sulbar", lambda w: account_url(w.admin_polman, "76")),
        ("admin_sulbar", lambda w: account_url(w.superadmin, "76")),
        ("admin_sulbar", lambda w: account_url(w.no_role, "76")),
        # Other roles of the pemda keep no accounts.
        ("evaluator_sulbar", lambda w: people_url("76")),
        ("sekprov", lambda w: account_url(w.operator_kominfo, "76")),
    ],
)
def test_another_pemdas_people_do_not_exist(client, world, username, url):
    client.force_login(getattr(world, username))
    target = url(world)
    assert client.get(target).status_code == 404
    for action in ("deactivate", "unlock"):
        assert client.post(target, {"action": action}).status_code == 404
    assert (
        client.post(
            target, {"action": "password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        ).status_code
        == 404
    )
    assert User.objects.filter(is_active=False).count() == 0
    assert not RegistryEvent.objects.exists()


def test_role_change_deactivation_and_password_are_recorded(client, world):
    client.force_login(world.admin_sulbar)
    operator = world.operator_kominfo
    url = account_url(operator)

    response = client.post(
        url,
        {
            "action": "save",
            "first_name": "Fadli",
            "last_name": "",
            "email": "",
            "role": Role.EVALUATOR,
            "opd": world.kominfo.pk,
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=operator)
    assert (membership.role, membership.opd) == (Role.EVALUATOR, None)  # an evaluator has no OPD

    assert (
        client.post(url, {"action": "password", "password1": "abc", "password2": "abc"}).status_code
        == 200
    )
    client.post(url, {"action": "password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.post(url, {"action": "deactivate"})
    operator.refresh_from_db()
    assert not operator.is_active and operator.check_password(NEW_PASSWORD)

    history = texts(client.get(url).content.decode(), "registry-event")
    assert any("Peran Operator OPD → Evaluator" in line for line in history)
    assert any("Kata sandi diatur" in line for line in history)
    assert any("Akun dinonaktifkan" in line for line in history)
    assert all("Muhammad" in line or "admin.sulbar" in line for line in history)
    assert not client.login(username="operator.kominfo", password=NEW_PASSWORD)


def test_an_administrator_does_not_lock_themselves_out(client, world):
    client.force_login(world.admin_sulbar)
    url = account_url(world.admin_sulbar)
    response = client.post(url, {"action": "deactivate"}, follow=True)
    assert "tidak dapat menonaktifkan akun Anda sendiri" in response.content.decode()
    response = client.post(
        url, {"action": "save", "first_name": "Admin", "role": Role.EVALUATOR, "email": ""}
    )
    assert response.status_code == 200
    world.admin_sulbar.refresh_from_db()
    assert world.admin_sulbar.is_active and world.admin_sulbar.membership.role == Role.ADMIN_KOMINFO


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.implementation = None
    yield
    AxesProxyHandler.implementation = None


def test_the_administrator_unlocks_a_locked_out_account(client, world, axes_on):
    from django.test import Client

    person = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        person.post(reverse("login"), {"username": "sekprov.sulbar", "password": "salah"})
    locked = person.post(reverse("login"), {"username": "sekprov.sulbar", "password": PASSWORD})
    assert locked.status_code == 429

    client.force_login(world.admin_sulbar)
    page = client.get(people_url()).content.decode()
    assert 'data-testid="locked-badge"' in page
    assert accounts.locked_usernames(["sekprov.sulbar", "evaluator.sulbar"]) == {"sekprov.sulbar"}
    client.post(account_url(world.sekprov), {"action": "unlock"})

    assert (
        person.post(
            reverse("login"), {"username": "sekprov.sulbar", "password": PASSWORD}
        ).status_code
        == 302
    )
    event = RegistryEvent.objects.get(action="unlocked")
    assert (event.account, event.user) == (world.sekprov, world.admin_sulbar)


# --- "Lupa kata sandi" ------------------------------------------------------------------


def test_forgot_password_without_email_sends_people_to_their_administrator(client, world):
    page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in page
    response = client.get(reverse("password_reset"))
    assert "Hubungi admin Kominfo" in text(response.content.decode(), "reset-no-email")
    assert 'data-testid="reset-form"' not in response.content.decode()
    client.post(reverse("password_reset"), {"email": "x@example.org"})
    assert mail.outbox == []


def test_forgot_password_with_email_sends_a_link_that_sets_the_password(client, world, settings):
    settings.EMAIL_ENABLED = True
    world.sekprov.email = "sekprov@sulbarprov.go.id"
    world.sekprov.save()
    response = client.post(reverse("password_reset"), {"email": "sekprov@sulbarprov.go.id"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["sekprov@sulbarprov.go.id"] and "sekprov.sulbar" in message.body
    link = re.search(r"http://testserver(/akun/sandi-baru/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert 'data-testid="new-password-form"' in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    world.sekprov.refresh_from_db()
    assert world.sekprov.check_password(NEW_PASSWORD)


def test_the_administrator_sends_a_link_to_exactly_one_account(client, world, settings):
    settings.EMAIL_ENABLED = True
    for user in (world.sekprov, world.admin_polman):  # the same address in two pemdas
        user.email = "bersama@example.go.id"
        user.save()
    client.force_login(world.admin_sulbar)
    client.post(account_url(world.sekprov), {"action": "reset_link"})
    [message] = mail.outbox
    assert "sekprov.sulbar" in message.body and "admin.polman" not in message.body
    assert RegistryEvent.objects.filter(action="reset_link_sent", account=world.sekprov).exists()

    # Without a password, a new account gets its link.
    mail.outbox.clear()
    new_account(client, username="evaluator.baru", role=Role.EVALUATOR, password1="", password2="")
    [message] = mail.outbox
    assert (
        "evaluator.baru" in message.body
        and not User.objects.get(username="evaluator.baru").has_usable_password()
    )
