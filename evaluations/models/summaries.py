from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opd.models import Pemda
from opd.querysets import TenantQuerySet

from .core import Period


class PemdaSummaryQuerySet(TenantQuerySet):
    pass


class PemdaSummary(models.Model):
    """Stored figures of one pemda for one period, computed from its assessments: what the
    dashboards and the ranking of the kabupaten/kota in their province read."""

    pemda = models.ForeignKey(
        Pemda, verbose_name=_("regional government"), on_delete=models.CASCADE, related_name="+"
    )
    period = models.OneToOneField(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="summary"
    )
    # Every figure below is built from the OPDs that have figures (provisional or final):
    # `dinilai` of the `opd_count` OPDs of the period; the others are in progress.
    opd_count = models.PositiveIntegerField(_("OPDs in the period"), default=0)
    dinilai = models.PositiveIntegerField(_("OPDs with figures"), default=0)
    rata_rata = models.DecimalField(
        _("average OPD index"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    predikat = models.CharField(_("predikat"), max_length=40, blank=True)
    zona_merah = models.PositiveIntegerField(_("red OPDs"), default=0)
    zona_kuning = models.PositiveIntegerField(_("yellow OPDs"), default=0)
    zona_hijau = models.PositiveIntegerField(_("green OPDs"), default=0)
    sementara = models.PositiveIntegerField(_("provisional figures"), default=0)
    # Rank of a kabupaten/kota among the kabupaten/kota of its province for the same year,
    # by the average index of its OPDs and by its official national index (when recorded).
    peringkat_provinsi = models.PositiveIntegerField(
        _("rank in province (average OPD index)"), null=True, blank=True
    )
    peringkat_resmi = models.PositiveIntegerField(
        _("rank in province (official index)"), null=True, blank=True
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    objects = PemdaSummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("regional government summary")
        verbose_name_plural = _("regional government summaries")
        ordering = ["period__tahun", "pemda__kode"]

    def __str__(self):
        return f"{self.pemda} · {self.period.label}"

    @property
    def dalam_proses(self):
        return self.opd_count - self.dinilai


class OfficialIndexQuerySet(TenantQuerySet):
    # Who records which pemda's official index: services.official.recordable_pemdas.
    pass


class OfficialIndex(models.Model):
    """The index a pemda received in the national SPBE evaluation of a year, as published
    by KemenPANRB; recorded by an admin to set beside our own figures."""

    pemda = models.ForeignKey(
        Pemda,
        verbose_name=_("regional government"),
        on_delete=models.CASCADE,
        related_name="official_indices",
    )
    tahun = models.PositiveSmallIntegerField(_("year"))
    indeks = models.DecimalField(
        _("official index"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(5)],
    )
    predikat = models.CharField(_("predikat"), max_length=40, blank=True)
    peringkat = models.PositiveSmallIntegerField(
        _("national rank"), null=True, blank=True, help_text=_("E.g. 18 (of 38 provinces).")
    )
    peringkat_dari = models.PositiveSmallIntegerField(
        _("ranked among"), null=True, blank=True, help_text=_("E.g. 38 provinces.")
    )
    sumber = models.CharField(
        _("source"), max_length=200, help_text=_("E.g. the KemenPANRB decree.")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("recorded at"), auto_now=True)

    objects = OfficialIndexQuerySet.as_manager()

    class Meta:
        verbose_name = _("official national index")
        verbose_name_plural = _("official national indices")
        ordering = ["pemda__kode", "-tahun"]
        constraints = [
            models.UniqueConstraint(fields=["pemda", "tahun"], name="official_index_one_per_year"),
            models.CheckConstraint(
                condition=models.Q(indeks__gte=0, indeks__lte=5), name="official_index_0_5"
            ),
            models.CheckConstraint(
                condition=models.Q(peringkat__isnull=True)
                | models.Q(peringkat_dari__isnull=True)
                | models.Q(peringkat__lte=models.F("peringkat_dari")),
                name="official_rank_within_count",
            ),
        ]

    def __str__(self):
        return f"{self.pemda} · {self.tahun}: {self.indeks}"


class JobQuerySet(TenantQuerySet):
    pass


class Job(models.Model):
    """One run of a background job (recompute, report), filled from the Celery tasks so
    that admins can see what runs, what finished and what failed."""

    class Kind(models.TextChoices):
        RECOMPUTE_ASSESSMENT = "recompute_assessment", _("Recompute one assessment")
        RECOMPUTE_PERIOD = "recompute_period", _("Recompute a period")
        RECOMPUTE_ALL = "recompute_all", _("Recompute everything")
        SWEEP_STALE = "sweep_stale", _("Recompute stale assessments")
        REPORT = "report", _("Report")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    # Scope: empty pemda means the whole installation.
    pemda = models.ForeignKey(
        Pemda,
        verbose_name=_("regional government"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    period = models.ForeignKey(
        Period,
        verbose_name=_("period"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
    )
    task_id = models.CharField(_("task id"), max_length=64, blank=True, db_index=True)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    detail = models.CharField(_("detail"), max_length=250, blank=True)
    error = models.TextField(_("error"), blank=True)
    result_file = models.CharField(_("result file"), max_length=250, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.get_state_display()}"
