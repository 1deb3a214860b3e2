"""The Django admin: the superuser's, and for tenant staff a scoped, read-only view.

The superuser keeps the installation-wide data here: pemdas (tenants), the shipped
instruments, Celery beat schedules, jobs, user accounts. Everything a pemda runs (its
OPD registry, people and roles, periods, thresholds, schedules, team rules, the
official index) changes on the app's pages, which go through the services and keep the
history; the workflow data is read-only here, for the superuser too where the app has a
page for it.

Staff users whose membership role is Kominfo administrator may also enter. Every
ModelAdmin of the project builds on `TenantAdmin` (every inline on `TenantInline`),
which route all access through the tenancy chokepoint (`opd.querysets`):

- what they see: `visible_to(user)`, so a province admin sees its kabupaten/kota too;
- what they change: nothing, except where a ModelAdmin declares `tenant_writable` (the
  pemda's own instruments: reference data, not workflow), and there only rows
  `editable_by(user)`;
- what they may pick in a form: foreign-key choices and list filters only offer rows the
  user may edit (or, for `reference_fields`, see), and accounts of their own pemda;
- `save_model` refuses, whatever the form said, a row whose pemda the user may not edit.
Number fields read the Indonesian decimal comma ("4,00" is four, never 400).
"""

import contextlib

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spbe_dashboard.numbers import DecimalCommaField

from .models import (
    OPD,
    Membership,
    Pemda,
    RegistryEvent,
    TeamCertificate,
    TeamEvent,
    TeamMember,
    TeamProposal,
    TeamRole,
    TeamSettings,
)
from .querysets import TenantQuerySet, membership_of
from .roles import Role


def is_tenant_admin(user):
    """May `user` use the admin at all? Superusers, and staff Kominfo administrators."""
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    membership = membership_of(user)
    return membership is not None and membership.role == Role.ADMIN_KOMINFO


def tenant_queryset(model):
    queryset = model._default_manager.all()
    if not isinstance(queryset, TenantQuerySet):
        raise ImproperlyConfigured(f"{model.__name__} has no TenantQuerySet manager.")
    return queryset


def pemda_id_of(obj):
    """The id of the pemda that owns `obj`, following its queryset's `pemda_path`."""
    path = tenant_queryset(type(obj)).pemda_path
    if not path:
        return obj.pk
    *hops, last = path.split("__")
    try:
        for hop in hops:
            obj = getattr(obj, hop)
    except ObjectDoesNotExist:
        return None
    return None if obj is None else getattr(obj, f"{last}_id")


def _cached(request, key, compute):
    """Permission answers are asked several times per page: compute each once a request."""
    cache = request.__dict__.setdefault("_tenant_admin_cache", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def can_edit(request, model, obj=None):
    """May the user change `obj`? For None: does the user's role edit rows of `model` at
    all (within its own pemda); answered without a query, as it is asked for every model
    on every admin page."""
    user = request.user
    if not is_tenant_admin(user):
        return False
    if user.is_superuser:
        return True
    if obj is None:
        return membership_of(user).role in tenant_queryset(model).editor_roles
    if obj.pk is None:
        return False

    def compute():
        return tenant_queryset(model).editable_by(user).filter(pk=obj.pk).exists()

    return _cached(request, (model, obj.pk), compute)


class TenantValuesFilter(admin.AllValuesFieldListFilter):
    """The values of a field across a relation (period__tahun), among the visible rows
    only: Django's own filter would list the values of every tenant."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = (
            model_admin.get_queryset(request)
            .order_by(field_path)
            .values_list(field_path, flat=True)
            .distinct()
        )


class ActiveOPDFilter(admin.SimpleListFilter):
    title = _("active")
    parameter_name = "aktif"

    def lookups(self, request, model_admin):
        year = timezone.localdate().year
        return [
            ("ya", _("Active in %(year)s") % {"year": year}),
            ("tidak", _("Not active in %(year)s") % {"year": year}),
        ]

    def queryset(self, request, queryset):
        year = timezone.localdate().year
        if self.value() == "ya":
            return queryset.active_in(year)
        if self.value() == "tidak":
            return queryset.filter(Q(aktif_dari__gt=year) | Q(aktif_sampai__lt=year))
        return queryset


def accounts_of_home(user):
    """The accounts a tenant user may be shown as a choice: those of their own pemda."""
    User = get_user_model()
    if user.is_superuser:
        return User.objects.all()
    return User.objects.filter(
        membership__pemda__in=Pemda.objects.home_of(user), is_superuser=False
    )


class TenantScopeMixin:
    """Rows and foreign-key choices limited to the user's tenant (admins and inlines)."""

    # Foreign keys that point at reference rows the user only needs to see (e.g. the
    # instrument a period uses); every other tenant foreign key offers editable rows only.
    reference_fields = ()
    # "3,50" and "3.50" alike: Django's own field would read "4,00" as 400.
    formfield_overrides = {models.DecimalField: {"form_class": DecimalCommaField}}

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        related = db_field.related_model
        if related is get_user_model() and "queryset" not in kwargs:
            # Never another pemda's people (nor the superuser) in a tenant's form.
            kwargs["queryset"] = accounts_of_home(user)
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        choices = related._default_manager.all()
        scoped = not user.is_superuser and isinstance(choices, TenantQuerySet)
        if scoped and "queryset" not in kwargs:
            if db_field.name in self.reference_fields:
                kwargs["queryset"] = choices.visible_to(user)
            elif related is Pemda:
                kwargs["queryset"] = choices.home_of(user)
            else:
                kwargs["queryset"] = choices.editable_by(user)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if scoped and field is not None and related is Pemda:
            # Only a superuser may leave a row without a pemda (a shared instrument).
            field.required = True
        return field


class TenantAdmin(TenantScopeMixin, admin.ModelAdmin):
    """Base of every ModelAdmin of the project: see the module docstring."""

    # Tenant staff only read here, unless a ModelAdmin says its rows are theirs to write
    # (reference data of their own pemda). Superusers write wherever the admin allows.
    tenant_writable = False

    def has_module_permission(self, request):
        return is_tenant_admin(request.user)

    def has_view_permission(self, request, obj=None):
        # `obj` always comes from get_queryset(), so it is visible.
        return is_tenant_admin(request.user)

    def writes(self, request):
        return request.user.is_superuser or self.tenant_writable

    def has_add_permission(self, request):
        return self.writes(request) and can_edit(request, self.model)

    def has_change_permission(self, request, obj=None):
        return self.writes(request) and can_edit(request, self.model, obj)

    def has_delete_permission(self, request, obj=None):
        return self.writes(request) and can_edit(request, self.model, obj)

    def get_list_filter(self, request):
        return [self._scoped_filter(item) for item in super().get_list_filter(request)]

    def _scoped_filter(self, item):
        """Django's default filters list the choices of every tenant; these list only
        what the user sees."""
        if not isinstance(item, str):
            return item
        fields = get_fields_from_path(self.model, item)
        field = fields[-1]
        if field.is_relation:
            return (item, admin.RelatedOnlyFieldListFilter)
        plain = not field.choices and not isinstance(field, models.BooleanField | models.DateField)
        if len(fields) > 1 and plain:
            return (item, TenantValuesFilter)
        return item

    def check_tenant(self, request, obj):
        """Defence in depth: whatever the form allowed, a tenant admin only writes rows of
        a pemda they may edit."""
        if request.user.is_superuser:
            return
        pemda_id = pemda_id_of(obj)
        own = Pemda.objects.home_of(request.user)
        if pemda_id is None or not own.filter(pk=pemda_id).exists():
            raise PermissionDenied

    def save_model(self, request, obj, form, change):
        # Inline rows belong to this object, so checking it covers them too.
        self.check_tenant(request, obj)
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        self.check_tenant(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if not request.user.is_superuser:
            editable = tenant_queryset(self.model).editable_by(request.user)
            if queryset.exclude(pk__in=editable.values("pk")).exists():
                raise PermissionDenied
        super().delete_queryset(request, queryset)


class TenantInline(TenantScopeMixin):
    """Base of every inline: its rows may be changed exactly when the parent may."""

    def _parent_admin(self):
        return self.admin_site._registry[self.parent_model]

    def _parent_editable(self, request, obj):
        parent = self._parent_admin()
        return (
            parent.has_add_permission(request)
            if obj is None
            else parent.has_change_permission(request, obj)
        )

    def has_view_permission(self, request, obj=None):
        return is_tenant_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return self._parent_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._parent_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._parent_editable(request, obj)


class TenantTabularInline(TenantInline, admin.TabularInline):
    pass


class TenantStackedInline(TenantInline, admin.StackedInline):
    pass


# --- Registrations ------------------------------------------------------------------


class AppPageAdmin(TenantAdmin):
    """Rows the app's pages change (through their services, which keep the history):
    read-only here for everyone, the superuser included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Pemda)
class PemdaAdmin(TenantAdmin):
    """A pemda is a tenant: the superuser creates and names them; its staff read it."""

    list_display = ("kode", "nama", "jenis", "parent", "zona_waktu")
    list_select_related = ("parent",)
    list_filter = ("jenis",)
    search_fields = ("kode", "nama")


@admin.register(OPD)
class OPDAdmin(AppPageAdmin):
    """Changed on the OPD registry page (add, rename, deactivate, merge, split)."""

    list_display = ("nama", "singkatan", "kode", "pemda", "jenis", "aktif_dari", "aktif_sampai")
    list_select_related = ("pemda",)
    list_filter = ("pemda", "jenis", ActiveOPDFilter)
    search_fields = ("nama", "singkatan", "kode")


@admin.register(Membership)
class MembershipAdmin(AppPageAdmin):
    """Changed on the people page of each pemda (or, by the superuser, with the account)."""

    list_display = ("user", "role", "pemda", "opd")
    list_select_related = ("user", "pemda", "opd")
    list_filter = ("role", "pemda")
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")


@admin.register(RegistryEvent)
class RegistryEventAdmin(AppPageAdmin):
    list_display = ("at", "pemda", "action", "opd", "account", "field", "user")
    list_select_related = ("pemda", "opd", "account", "user")
    list_filter = ("action", "pemda")


# --- SPBE teams (issue 6) ----------------------------------------------------------
# Roles and the team size limit change on the team rules page; team versions, members,
# certificates and events on the team pages, which enforce the workflow.


@admin.register(TeamSettings)
class TeamSettingsAdmin(AppPageAdmin):
    list_display = ("pemda", "max_team_size")
    list_select_related = ("pemda",)


@admin.register(TeamRole)
class TeamRoleAdmin(AppPageAdmin):
    list_display = ("name", "pemda", "order", "is_technical", "max_members")
    list_select_related = ("pemda",)
    list_filter = ("pemda", "is_technical")
    search_fields = ("name",)


@admin.register(TeamProposal)
class TeamProposalAdmin(AppPageAdmin):
    list_display = ("opd", "year", "version", "state", "is_current", "sk_number", "sk_date")
    list_select_related = ("opd",)
    list_filter = ("pemda", "state", "year", "is_current")
    search_fields = ("opd__nama", "sk_number")


@admin.register(TeamMember)
class TeamMemberAdmin(AppPageAdmin):
    list_display = ("name", "nip", "status", "role", "proposal")
    list_select_related = ("role", "proposal__opd")
    list_filter = ("status",)
    search_fields = ("name", "nip")


@admin.register(TeamCertificate)
class TeamCertificateAdmin(AppPageAdmin):
    list_display = ("name", "issuer", "number", "issued_on", "expires_on", "member")
    list_select_related = ("member",)
    list_filter = ("issuer",)
    search_fields = ("name", "number", "member__name")
    exclude = ("file",)


@admin.register(TeamEvent)
class TeamEventAdmin(AppPageAdmin):
    list_display = ("at", "opd", "proposal", "action", "user")
    list_select_related = ("opd", "proposal", "user")
    list_filter = ("action",)


# --- Users: superusers only, with the role inline -----------------------------------

User = get_user_model()


class MembershipInline(admin.StackedInline):
    model = Membership
    fk_name = "user"
    fields = ("pemda", "role", "opd")
    extra = 0
    max_num = 1


def _superuser_only(self, request, obj=None):
    return request.user.is_active and request.user.is_superuser


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class SpbeUserAdmin(UserAdmin):
    """Accounts cross tenants, so only superusers manage them."""

    inlines = (MembershipInline,)
    list_display = (*UserAdmin.list_display, "role")
    list_select_related = ("membership__pemda", "membership__opd")

    has_module_permission = _superuser_only
    has_view_permission = _superuser_only
    has_add_permission = _superuser_only
    has_change_permission = _superuser_only
    has_delete_permission = _superuser_only

    @admin.display(description=_("role"))
    def role(self, obj):
        membership = membership_of(obj)
        if membership is None:
            return "-"
        return f"{membership.get_role_display()} · {membership.opd or membership.pemda}"


# API tokens are each account's own (/akun/token/, `create_api_token`): DRF's admin page
# would list every key of every tenant, so it is not offered.
with contextlib.suppress(admin.sites.NotRegistered):
    from rest_framework.authtoken.models import TokenProxy

    admin.site.unregister(TokenProxy)
