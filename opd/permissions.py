"""How views reach tenant-owned rows: always through `visible_to` / `editable_by`.

`visible_or_404` is the one helper views use to fetch an object by URL; a row the user
may not see answers 404, exactly like a row that does not exist, so URLs reveal nothing
about other tenants.
"""

from functools import cached_property

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Pemda
from .querysets import membership_of
from .roles import OPD_ROLES, Role


def visible_or_404(model_or_queryset, user, **lookups):
    queryset = getattr(model_or_queryset, "objects", model_or_queryset)
    return get_object_or_404(queryset.visible_to(user), **lookups)


def editable_or_404(model_or_queryset, user, **lookups):
    queryset = getattr(model_or_queryset, "objects", model_or_queryset)
    return get_object_or_404(queryset.editable_by(user), **lookups)


def is_pemda_staff(user):
    """Staff of a pemda (admin, evaluator, pimpinan) or a superuser: they work across OPDs."""
    membership = membership_of(user)
    return user.is_superuser or (membership is not None and membership.role not in OPD_ROLES)


def is_admin_kominfo(user):
    membership = membership_of(user)
    return user.is_superuser or (membership is not None and membership.role == Role.ADMIN_KOMINFO)


def administers(user, pemda):
    """Is `user` the Kominfo administrator of `pemda` itself (or a superuser)? What the
    pemda's own registry, accounts and periods need: a province's administrator only
    reads its kabupaten/kota."""
    if not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    membership = membership_of(user)
    return (
        membership is not None
        and membership.role == Role.ADMIN_KOMINFO
        and membership.pemda_id == pemda.pk
    )


def administered_pemda_or_404(user, kode):
    """The pemda named in the URL when the user administers it; a 404 otherwise (also for
    a province's administrator on its kabupaten/kota: their people and OPDs are theirs)."""
    pemda = visible_or_404(Pemda, user, kode=kode)
    if not administers(user, pemda):
        raise Http404("Not the administrator of this pemda")
    return pemda


class PemdaScopedMixin(LoginRequiredMixin):
    """For views under /pemda/<kode>/: resolves the pemda through `visible_to`.

    Anonymous users are sent to log in; a pemda the user may not see is a 404.
    """

    pemda_url_kwarg = "pemda"

    @cached_property
    def pemda(self):
        return visible_or_404(Pemda, self.request.user, kode=self.kwargs[self.pemda_url_kwarg])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pemda"] = self.pemda
        return context
