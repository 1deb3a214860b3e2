"""The team roles and the team size limit are kept by the pemda's administrator on the
team rules page (no Django admin), every change recorded; a role a member holds stays."""

import pytest
from django.urls import reverse

from opd.models import RegistryEvent, TeamRole, TeamSettings
from opd.services.teams import ensure_default_roles
from tests.factories import THIS_YEAR, add_member, make_team
from tests.html import texts

pytestmark = pytest.mark.django_db


def rules_url(kode="76"):
    return reverse("team_rules", args=[kode])


def role_form(role, **values):
    prefix = f"role{role.pk}"
    data = {
        "action": "role",
        "role": role.pk,
        f"{prefix}-name": role.name,
        f"{prefix}-order": role.order,
        f"{prefix}-max_members": role.max_members,
    }
    if role.is_technical:
        data[f"{prefix}-is_technical"] = "on"
    return data | {f"{prefix}-{name}": value for name, value in values.items()}


def test_roles_and_size_change_in_the_app_and_are_recorded(client, world):
    coordinator, *_ = ensure_default_roles(world.sulbar)
    held = TeamRole.objects.get(pemda=world.sulbar, order=2)
    add_member(make_team(world.kominfo, THIS_YEAR), held)
    client.force_login(world.admin_sulbar)

    client.post(rules_url(), role_form(coordinator, name="Ketua Tim", max_members=2))
    client.post(
        rules_url(),
        {
            "action": "role",
            "rolenew-name": "Pengelola Statistik",
            "rolenew-order": 9,
            "rolenew-is_technical": "on",
            "rolenew-max_members": 1,
        },
    )
    refused = client.post(rules_url(), {"action": "remove", "role": held.pk}, follow=True)
    client.post(rules_url(), {"action": "size", "max_team_size": 10})

    coordinator.refresh_from_db()
    assert (coordinator.name, coordinator.max_members) == ("Ketua Tim", 2)
    assert TeamRole.objects.get(pemda=world.sulbar, name="Pengelola Statistik").is_technical
    assert TeamRole.objects.filter(pk=held.pk).exists()
    assert "tidak dapat dihapus" in refused.content.decode()
    assert TeamSettings.objects.get(pemda=world.sulbar).max_team_size == 10
    history = texts(client.get(rules_url()).content.decode(), "registry-event")
    assert len(history) == 3 and all("Muhammad" in h or "admin.sulbar" in h for h in history)
    assert any("Ukuran tim paling besar 8 → 10" in h for h in history)
    assert RegistryEvent.objects.filter(pemda=world.sulbar).count() == 3


@pytest.mark.parametrize(
    "username, kode", [("admin_sulbar", "76.02"), ("admin_polman", "76"), ("kepala_kominfo", "76")]
)
def test_another_pemdas_team_rules_do_not_exist(client, world, username, kode):
    client.force_login(getattr(world, username))
    assert client.get(rules_url(kode)).status_code == 404
    assert client.post(rules_url(kode), {"action": "size", "max_team_size": 3}).status_code == 404
    assert not TeamSettings.objects.filter(max_team_size=3).exists()
