"""The pemda's rule turning an OPD's SPBE index into its share of the SPBE component of
the TPP (tambahan penghasilan pegawai: SPBE counts for a part, e.g. 30%, of the
work-achievement component). Data, kept by the pemda's Kominfo administrator
(services.tpp)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opd.models import Pemda
from opd.querysets import TenantQuerySet


class TppMappingQuerySet(TenantQuerySet):
    pass


class TppMapping(models.Model):
    class Method(models.TextChoices):
        BANDS = "pita", _("Index bands")
        LINEAR = "linier", _("Linear")

    pemda = models.OneToOneField(
        Pemda,
        verbose_name=_("regional government"),
        on_delete=models.CASCADE,
        related_name="tpp_mapping",
    )
    cara = models.CharField(_("method"), max_length=6, choices=Method.choices, default=Method.BANDS)
    # [["3.50", "100"], ["2.60", "80"], ["1.00", "50"]]: from this index (rounded, as
    # shown) up, this percentage of the SPBE component; highest bound first.
    pita = models.JSONField(_("bands"), default=list, blank=True)
    linier_dari = models.DecimalField(
        _("index of 0 percent"), max_digits=4, decimal_places=2, default=Decimal("1.00")
    )
    linier_sampai = models.DecimalField(
        _("index from which 100 percent"), max_digits=4, decimal_places=2, default=Decimal("5.00")
    )
    bagian_spbe = models.DecimalField(
        _("SPBE share of the work-achievement component (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("30"),
    )
    diubah_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    diubah_pada = models.DateTimeField(_("changed at"), auto_now=True)

    objects = TppMappingQuerySet.as_manager()

    class Meta:
        verbose_name = _("TPP mapping")
        verbose_name_plural = _("TPP mappings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(bagian_spbe__gt=0, bagian_spbe__lte=100),
                name="tpp_share_0_100",
            ),
            models.CheckConstraint(
                condition=models.Q(linier_dari__gte=1, linier_sampai__lte=5)
                & models.Q(linier_dari__lt=models.F("linier_sampai")),
                name="tpp_linear_range",
            ),
        ]

    def __str__(self):
        return f"TPP · {self.pemda}"
