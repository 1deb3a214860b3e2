from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .querysets import TenantQuerySet, membership_of
from .roles import OPD_ROLES, Role


class PemdaQuerySet(TenantQuerySet):
    pemda_path = ""
    # The pemda record itself (its code, kind and province) is the superuser's to change:
    # a tenant admin must never be able to move their pemda under another province.
    editor_roles = frozenset()

    def home_of(self, user):
        """The pemda the user works in (every pemda for a superuser): where the rows they
        may write belong. Unlike `editable_by`, this is not about changing the pemda."""
        if not getattr(user, "is_active", False):
            return self.none()
        if user.is_superuser:
            return self
        membership = membership_of(user)
        return self.none() if membership is None else self.filter(pk=membership.pemda_id)


class Pemda(models.Model):
    """A regional government (pemerintah daerah): the tenant."""

    class Kind(models.TextChoices):
        PROVINSI = "provinsi", _("Province")
        KABUPATEN = "kabupaten", _("Regency (kabupaten)")
        KOTA = "kota", _("City (kota)")

    kode = models.CharField(
        _("region code"),
        max_length=13,
        unique=True,
        help_text=_("Official Kemendagri region code, e.g. 76 or 76.02."),
    )
    nama = models.CharField(_("name"), max_length=120)
    jenis = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        limit_choices_to={"jenis": Kind.PROVINSI},
    )

    objects = PemdaQuerySet.as_manager()

    class Meta:
        verbose_name = _("regional government")
        verbose_name_plural = _("regional governments")
        ordering = ["kode"]
        constraints = [
            models.CheckConstraint(
                condition=Q(jenis="provinsi", parent__isnull=True) | ~Q(jenis="provinsi"),
                name="pemda_province_has_no_parent",
            ),
        ]

    def __str__(self):
        return self.nama

    @property
    def is_province(self):
        return self.jenis == self.Kind.PROVINSI

    def clean(self):
        if self.is_province and self.parent_id:
            raise ValidationError({"parent": _("A province cannot have a parent province.")})
        if not self.is_province and self.parent_id is None:
            raise ValidationError({"parent": _("A kabupaten/kota must belong to a province.")})


class OPDQuerySet(TenantQuerySet):
    opd_path = "pk"

    def active_in(self, year):
        return self.filter(
            Q(aktif_sampai__isnull=True) | Q(aktif_sampai__gte=year), aktif_dari__lte=year
        )


class OPD(models.Model):
    """An organisation of one pemda (dinas, badan, biro ...), the unit that is evaluated."""

    class Kind(models.TextChoices):
        SEKRETARIAT = "sekretariat", _("Secretariat")
        BIRO = "biro", _("Bureau (biro)")
        INSPEKTORAT = "inspektorat", _("Inspectorate")
        BADAN = "badan", _("Agency (badan)")
        DINAS = "dinas", _("Service (dinas)")
        SATUAN = "satuan", _("Unit (satuan)")
        RSUD = "rsud", _("Regional hospital (RSUD)")
        KECAMATAN = "kecamatan", _("District (kecamatan)")
        LAINNYA = "lainnya", _("Other")

    pemda = models.ForeignKey(
        Pemda, verbose_name=_("regional government"), on_delete=models.PROTECT, related_name="opds"
    )
    kode = models.CharField(_("code"), max_length=30)
    nama = models.CharField(_("name"), max_length=200)
    singkatan = models.CharField(_("acronym"), max_length=40, blank=True)
    jenis = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    aktif_dari = models.PositiveSmallIntegerField(_("active from (year)"))
    aktif_sampai = models.PositiveSmallIntegerField(
        _("active until (year)"),
        null=True,
        blank=True,
        help_text=_("Empty while the OPD still exists. A restructured OPD keeps its history."),
    )

    objects = OPDQuerySet.as_manager()

    class Meta:
        verbose_name = _("OPD")
        verbose_name_plural = _("OPDs")
        ordering = ["pemda__kode", "kode"]
        constraints = [
            models.UniqueConstraint(fields=["pemda", "kode"], name="opd_kode_unique_in_pemda"),
            models.CheckConstraint(
                condition=Q(aktif_sampai__isnull=True)
                | Q(aktif_sampai__gte=models.F("aktif_dari")),
                name="opd_active_years_ordered",
            ),
        ]

    def __str__(self):
        return self.singkatan or self.nama

    def is_active_in(self, year):
        return self.aktif_dari <= year and (self.aktif_sampai is None or year <= self.aktif_sampai)

    def clean(self):
        if self.aktif_sampai is not None and self.aktif_sampai < self.aktif_dari:
            raise ValidationError(
                {"aktif_sampai": _("The last active year cannot be before the first one.")}
            )


class MembershipQuerySet(TenantQuerySet):
    opd_path = "opd"


class Membership(models.Model):
    """The one role a user holds, in one pemda (and, for OPD roles, one OPD)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="membership",
    )
    pemda = models.ForeignKey(
        Pemda, verbose_name=_("regional government"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    opd = models.ForeignKey(
        OPD,
        verbose_name=_("OPD"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text=_("Required for the head and the operator of an OPD, empty otherwise."),
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=sorted(OPD_ROLES), opd__isnull=False)
                    | (~Q(role__in=sorted(OPD_ROLES)) & Q(opd__isnull=True))
                ),
                name="membership_opd_only_for_opd_roles",
            ),
        ]

    def __str__(self):
        where = self.opd or self.pemda
        return f"{self.user} · {self.get_role_display()} · {where}"

    @property
    def is_opd_role(self):
        return self.role in OPD_ROLES

    def clean(self):
        if self.is_opd_role and not self.opd_id:
            raise ValidationError({"opd": _("This role must be tied to one OPD.")})
        if not self.is_opd_role and self.opd_id:
            raise ValidationError({"opd": _("Only OPD roles are tied to an OPD.")})
        if self.opd_id and self.pemda_id and self.opd.pemda_id != self.pemda_id:
            raise ValidationError(
                {"opd": _("The OPD must belong to the same regional government.")}
            )
