"""The Django admin, scoped by tenant.

Every ModelAdmin of the project builds on `TenantAdmin` (and every inline on
`TenantInline`), which route all access through the tenancy chokepoint
(`visible_to(user)` / `editable_by(user)` in `opd.querysets`):

- who may enter: superusers, and staff users whose membership role is Kominfo
  administrator. Our roles replace Django's per-model permission rows for tenant staff;
- what they see: `visible_to(user)`, so a province admin sees its kabupaten/kota too;
- what they change or delete: `editable_by(user)`, so those kabupaten rows (and the
  shared instruments) are read-only for them;
- what they may pick in a form: foreign-key choices and list filters only offer rows the
  user may edit (or, for the fields listed in `reference_fields`, see);
- `save_model` refuses, whatever the form said, a row whose pemda the user may not edit.
"""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    OPD,
    Membership,
    Pemda,
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


def can_add(request, model, allowed=True):
    """May the user add rows of `model`? `allowed=False` keeps adding to superusers."""
    return can_edit(request, model) and (allowed or request.user.is_superuser)


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


class TenantScopeMixin:
    """Rows and foreign-key choices limited to the user's tenant (admins and inlines)."""

    # Foreign keys that point at reference rows the user only needs to see (e.g. the
    # instrument a period uses); every other tenant foreign key offers editable rows only.
    reference_fields = ()

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        related = db_field.related_model
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

    # Whether a tenant admin may add rows here (superusers always may).
    tenant_can_add = True

    def has_module_permission(self, request):
        return is_tenant_admin(request.user)

    def has_view_permission(self, request, obj=None):
        # `obj` always comes from get_queryset(), so it is visible.
        return is_tenant_admin(request.user)

    def has_add_permission(self, request):
        return can_add(request, self.model, self.tenant_can_add)

    def has_change_permission(self, request, obj=None):
        return can_edit(request, self.model, obj)

    def has_delete_permission(self, request, obj=None):
        return can_edit(request, self.model, obj)

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


@admin.register(Pemda)
class PemdaAdmin(TenantAdmin):
    list_display = ("kode", "nama", "jenis", "parent")
    list_select_related = ("parent",)
    list_filter = ("jenis",)
    search_fields = ("kode", "nama")
    # A new pemda is a new tenant: only a superuser creates one.
    tenant_can_add = False

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.readonly_fields
        # A tenant admin may rename its own pemda, not move it in the hierarchy.
        return (*self.readonly_fields, "kode", "jenis", "parent")


@admin.register(OPD)
class OPDAdmin(TenantAdmin):
    list_display = ("nama", "singkatan", "kode", "pemda", "jenis", "aktif_dari", "aktif_sampai")
    list_select_related = ("pemda",)
    list_filter = ("pemda", "jenis", ActiveOPDFilter)
    search_fields = ("nama", "singkatan", "kode")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or {"aktif_dari", "aktif_sampai"} & set(form.changed_data):
            # The open periods gain (or lose, while still empty) this OPD's assessment.
            from evaluations.services.periods import sync_opd_assessments

            sync_opd_assessments(obj)


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    list_display = ("user", "role", "pemda", "opd")
    list_select_related = ("user", "pemda", "opd")
    list_filter = ("role", "pemda")
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")
    # Accounts, and the role they start with, are created by a superuser (users admin):
    # offering tenant admins a choice of accounts would list other tenants' people.
    tenant_can_add = False

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.readonly_fields
        return (*self.readonly_fields, "user")


# --- SPBE teams (issue 6) ----------------------------------------------------------
# Roles and the team size limit are the pemda admin's to edit; team versions, members,
# certificates and events are read here (they change through the team pages, which
# enforce the workflow), so only superusers may change them in the admin.


@admin.register(TeamSettings)
class TeamSettingsAdmin(TenantAdmin):
    list_display = ("pemda", "max_team_size")
    list_select_related = ("pemda",)


@admin.register(TeamRole)
class TeamRoleAdmin(TenantAdmin):
    list_display = ("name", "pemda", "order", "is_technical", "max_members")
    list_select_related = ("pemda",)
    list_filter = ("pemda", "is_technical")
    search_fields = ("name",)


class ReadOnlyTeamAdmin(TenantAdmin):
    tenant_can_add = False

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(TeamProposal)
class TeamProposalAdmin(ReadOnlyTeamAdmin):
    list_display = ("opd", "year", "version", "state", "is_current", "sk_number", "sk_date")
    list_select_related = ("opd",)
    list_filter = ("pemda", "state", "year", "is_current")
    search_fields = ("opd__nama", "sk_number")


@admin.register(TeamMember)
class TeamMemberAdmin(ReadOnlyTeamAdmin):
    list_display = ("name", "nip", "status", "role", "proposal")
    list_select_related = ("role", "proposal__opd")
    list_filter = ("status",)
    search_fields = ("name", "nip")


@admin.register(TeamCertificate)
class TeamCertificateAdmin(ReadOnlyTeamAdmin):
    list_display = ("name", "issuer", "number", "issued_on", "expires_on", "member")
    list_select_related = ("member",)
    list_filter = ("issuer",)
    search_fields = ("name", "number", "member__name")
    exclude = ("file",)


@admin.register(TeamEvent)
class TeamEventAdmin(ReadOnlyTeamAdmin):
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
