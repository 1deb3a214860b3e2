"""API tokens (issue 16): created on /akun/token/ and shown once, revoked there, or made
by `create_api_token USERNAME`; a revoked token no longer opens the API."""

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

PAGE = "/akun/token/"


def api_status(client, key):
    return client.get("/api/v1/pemda/", HTTP_AUTHORIZATION=f"Token {key}").status_code


def test_create_shows_the_key_once_and_revoke_ends_it(client, world):
    client.force_login(world.evaluator_sulbar)
    page = client.get(PAGE)
    assert page.status_code == 200 and "Anda belum memiliki token" in page.content.decode()

    created = client.post(PAGE, {"action": "create"})
    key = Token.objects.get(user=world.evaluator_sulbar).key
    assert created.status_code == 200 and key in created.content.decode()
    assert created["Cache-Control"].startswith("max-age=0")
    # Shown once: the page afterwards says only that a token exists.
    again = client.get(PAGE).content.decode()
    assert key not in again and "Anda memiliki token" in again

    client.logout()
    assert api_status(client, key) == 200
    # A new one replaces the old.
    client.force_login(world.evaluator_sulbar)
    client.post(PAGE, {"action": "create"})
    client.logout()
    assert api_status(client, key) == 401
    new_key = Token.objects.get(user=world.evaluator_sulbar).key

    client.force_login(world.evaluator_sulbar)
    assert client.post(PAGE, {"action": "revoke"}).status_code == 302
    client.logout()
    assert api_status(client, new_key) == 401
    assert not Token.objects.filter(user=world.evaluator_sulbar).exists()


def test_only_ones_own_token_and_login_required(client, world):
    assert client.get(PAGE).status_code == 302
    assert client.post(PAGE, {"action": "create"}).status_code == 302
    assert not Token.objects.exists()
    client.force_login(world.kepala_kominfo)
    client.post(PAGE, {"action": "create"})
    client.post(PAGE, {"action": "nothing"})
    assert list(Token.objects.values_list("user__username", flat=True)) == ["kepala.kominfo"]


def test_create_api_token_command(world, client):
    out = io.StringIO()
    call_command("create_api_token", "sekprov.sulbar", stdout=out)
    key = out.getvalue().strip()
    assert len(key) == 40 and Token.objects.get(user=world.sekprov).key == key
    assert api_status(client, key) == 200
    with pytest.raises(CommandError, match="tidak ada"):
        call_command("create_api_token", "nobody")


def test_no_admin_page_lists_the_keys():
    from django.contrib import admin
    from rest_framework.authtoken.models import Token, TokenProxy

    assert TokenProxy not in admin.site._registry and Token not in admin.site._registry
