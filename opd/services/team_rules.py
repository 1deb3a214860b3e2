"""The pemda's rules for its OPDs' SPBE teams: the roles (name, order, technical or not,
how many people each) and the team size limit. The Kominfo administrator of the pemda
keeps them on the team rules page; every change is recorded as a RegistryEvent. A role
that a team member holds is kept (members are never orphaned): rename it instead."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import RegistryEvent, TeamMember, TeamRole, TeamSettings
from ..permissions import administers
from .registry import record

Action = RegistryEvent.Action


class TeamRuleError(Exception):
    """A refused change of the team rules; the message is for the user."""


def roles_of(pemda):
    """The pemda's team roles in their order (the default eight for a new pemda)."""
    from .teams import ensure_default_roles

    return ensure_default_roles(pemda)


def _check_admin(user, pemda):
    if not administers(user, pemda):
        raise TeamRole.DoesNotExist("Not the administrator of this pemda")


def _describe(role):
    kind = _("technical") if role.is_technical else _("not technical")
    return f"{role.order}. {role.name} ({kind}, ≤ {role.max_members})"


@transaction.atomic
def save_role(user, pemda, name, order, is_technical, max_members, role=None):
    """Add a role (`role` None) or change one of the pemda's roles."""
    _check_admin(user, pemda)
    name = (name or "").strip()
    if not name:
        raise TeamRuleError(_("A role needs a name."))
    if max_members < 1:
        raise TeamRuleError(_("A role has room for at least one person."))
    clash = TeamRole.objects.filter(pemda=pemda, name__iexact=name)
    if role is not None:
        role = TeamRole.objects.select_for_update().get(pk=role.pk, pemda=pemda)
        clash = clash.exclude(pk=role.pk)
    if clash.exists():
        raise TeamRuleError(_("The role %(name)s already exists.") % {"name": name})
    old = "" if role is None else _describe(role)
    role = role or TeamRole(pemda=pemda)
    role.name, role.order, role.is_technical, role.max_members = (
        name,
        order,
        is_technical,
        max_members,
    )
    role.save()
    if old != _describe(role):
        record(
            user, pemda, Action.TEAM_RULES_CHANGED, field="team_role", old=old, new=_describe(role)
        )
    return role


@transaction.atomic
def remove_role(user, role):
    """Remove a role that no team member holds (in any version)."""
    _check_admin(user, role.pemda)
    role = TeamRole.objects.select_for_update().get(pk=role.pk)
    if TeamMember.objects.filter(role=role).exists():
        raise TeamRuleError(
            _("%(name)s is held by team members: it cannot be removed, only renamed.")
            % {"name": role.name}
        )
    record(user, role.pemda, Action.TEAM_RULES_CHANGED, field="team_role", old=_describe(role))
    role.delete()


@transaction.atomic
def set_team_size(user, pemda, size):
    """How many people one OPD team may have."""
    _check_admin(user, pemda)
    if size < 1:
        raise TeamRuleError(_("A team has room for at least one person."))
    rules, _created = TeamSettings.objects.select_for_update().get_or_create(pemda=pemda)
    if rules.max_team_size != size:
        record(
            user,
            pemda,
            Action.TEAM_RULES_CHANGED,
            field="max_team_size",
            old=rules.max_team_size,
            new=size,
        )
        rules.max_team_size = size
        rules.save(update_fields=["max_team_size"])
    return rules
