"""The tenancy chokepoint.

Every tenant-owned model uses a queryset built on `TenantQuerySet`, and every query that
serves a user goes through `visible_to(user)` (what the user may see) or
`editable_by(user)` (what the user may change). The rules live here and nowhere else:

- a superuser sees and changes everything;
- a user without a membership sees nothing;
- an OPD role (kepala_opd, operator_opd) sees and changes only its own OPD's rows and
  sees, read-only, its pemda's shared rows (the pemda itself, its periods);
- the staff of a kabupaten/kota see only their own pemda;
- the staff of a province see their own pemda and, read-only, its kabupaten/kota;
- changes are limited to the user's own pemda and to the roles a model lists in
  `editor_roles`.
"""

from django.db import models
from django.db.models import Q

from .roles import OPD_ROLES, Role


def membership_of(user):
    """The user's membership (role in one pemda), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.membership
    except AttributeError:
        return None
    except models.ObjectDoesNotExist:
        return None


class TenantQuerySet(models.QuerySet):
    # Lookup from this model to its Pemda ("" when the model is Pemda itself).
    pemda_path = "pemda"
    # Lookup from this model to its OPD ("pk" for OPD itself); None when rows are shared
    # by the whole pemda (periods, instruments).
    opd_path = None
    # Rows whose pemda is empty are shared templates everyone may read (instruments).
    shared_when_unowned = False
    # Roles that may change rows of this model (within their own pemda or OPD).
    editor_roles = frozenset({Role.ADMIN_KOMINFO})

    def _pemda_lookup(self, field=None):
        if not self.pemda_path:
            return field or "pk"
        return f"{self.pemda_path}__{field}" if field else self.pemda_path

    def visible_to(self, user):
        if not getattr(user, "is_active", False):
            return self.none()
        if user.is_superuser:
            return self
        membership = membership_of(user)
        if membership is None:
            return self.none()
        if membership.role in OPD_ROLES and self.opd_path is not None:
            return self.filter(**{self.opd_path: membership.opd_id})
        allowed = Q(**{self._pemda_lookup(): membership.pemda_id})
        if membership.role not in OPD_ROLES and membership.pemda.is_province:
            allowed |= Q(**{self._pemda_lookup("parent"): membership.pemda_id})
        if self.shared_when_unowned:
            allowed |= Q(**{self._pemda_lookup("isnull"): True})
        return self.filter(allowed)

    def editable_by(self, user):
        if not getattr(user, "is_active", False):
            return self.none()
        if user.is_superuser:
            return self
        membership = membership_of(user)
        if membership is None or membership.role not in self.editor_roles:
            return self.none()
        if membership.role in OPD_ROLES:
            if self.opd_path is None:
                return self.none()
            return self.filter(**{self.opd_path: membership.opd_id})
        return self.filter(**{self._pemda_lookup(): membership.pemda_id})
