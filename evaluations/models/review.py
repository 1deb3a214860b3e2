"""What happens to a score during the evaluation: the evaluators' levels per stage, the
OPD's evidence, appeals, and the change log that keeps every change (who, when, old and
new value)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opd.models import Pemda
from opd.querysets import TenantQuerySet
from opd.roles import OPD_ROLES, Role
from spbe_dashboard import uploads

from .core import (
    LEVEL_VALIDATORS,
    VALUE,
    Assessment,
    IndicatorItem,
    Period,
    Score,
    Stage,
    level_in_range,
)


class ScoreChildQuerySet(TenantQuerySet):
    pemda_path = "score__assessment__pemda"
    opd_path = "score__assessment__opd"
    editor_roles = frozenset({Role.ADMIN_KOMINFO, Role.EVALUATOR} | OPD_ROLES)


class StageReview(models.Model):
    """An evaluator's level for one indicator at one stage; Score.level_evaluator holds
    the latest one."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="reviews")
    tahap = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    level = models.DecimalField(_("value"), **VALUE, validators=LEVEL_VALIDATORS)
    catatan = models.TextField(_("note"), blank=True)
    dinilai_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dinilai_pada = models.DateTimeField(_("reviewed at"), auto_now=True)

    objects = ScoreChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage review")
        verbose_name_plural = _("stage reviews")
        ordering = ["score", "dinilai_pada"]
        constraints = [
            models.UniqueConstraint(fields=["score", "tahap"], name="review_one_per_stage"),
            models.CheckConstraint(condition=level_in_range("level"), name="review_level_1_5"),
        ]

    def __str__(self):
        return f"{self.score} · {self.get_tahap_display()}: {self.level}"


def evidence_path(instance, filename):
    """Where an uploaded file is stored: never derived from user input (the original name
    is kept in a field), so no path tricks and no guessable URLs."""
    assessment = instance.score.assessment
    return (
        f"bukti/{assessment.pemda_id}/{assessment.period_id}/{assessment.opd_id}/{uuid.uuid4().hex}"
    )


class Evidence(models.Model):
    """Bukti dukung: an uploaded file or a link supporting one indicator. Removing it
    only marks it removed: the file stays in storage and in the history."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="evidence")
    # The item of the indicator this evidence supports, where the indicator has items.
    item = models.ForeignKey(
        IndicatorItem,
        verbose_name=_("item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
    )
    jenis = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    berkas = models.FileField(_("file"), upload_to=evidence_path, blank=True, max_length=250)
    nama_berkas = models.CharField(_("file name"), max_length=200, blank=True)
    tipe_konten = models.CharField(_("content type"), max_length=100, blank=True)
    ukuran = models.PositiveIntegerField(_("size (bytes)"), default=0)
    tautan = models.URLField(_("link"), max_length=500, blank=True)
    keterangan = models.CharField(_("description"), max_length=250, blank=True)
    appeal = models.ForeignKey(
        "Appeal",
        verbose_name=_("appeal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
    )
    diunggah_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    diunggah_pada = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    dihapus_pada = models.DateTimeField(_("removed at"), null=True, blank=True)
    dihapus_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScoreChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["score", "diunggah_pada"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(jenis="file") & ~models.Q(berkas=""))
                | (models.Q(jenis="link") & ~models.Q(tautan="")),
                name="evidence_has_file_or_link",
            ),
        ]

    def __str__(self):
        return self.nama_berkas or self.tautan

    @property
    def is_removed(self):
        return self.dihapus_pada is not None

    @property
    def previewable(self):
        """A file the browser shows in a preview (PDF, image) rather than downloads."""
        return self.jenis == self.Kind.FILE and self.tipe_konten in uploads.PREVIEWABLE


class Appeal(models.Model):
    """Sanggahan: the OPD contests a provisional level after document review."""

    class State(models.TextChoices):
        OPEN = "diajukan", _("Open")
        ACCEPTED = "diterima", _("Accepted")
        REJECTED = "ditolak", _("Rejected")

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="appeals")
    argumen = models.TextField(_("argument"))
    level_diminta = models.DecimalField(
        _("value asked for"), **VALUE, null=True, blank=True, validators=LEVEL_VALIDATORS
    )
    status = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.OPEN)
    level_baru = models.DecimalField(
        _("new value"), **VALUE, null=True, blank=True, validators=LEVEL_VALIDATORS
    )
    alasan = models.TextField(_("reason"), blank=True)
    diajukan_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    diajukan_pada = models.DateTimeField(_("submitted at"), auto_now_add=True)
    diputus_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    diputus_pada = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = ScoreChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["score", "diajukan_pada"]
        constraints = [
            models.CheckConstraint(
                condition=level_in_range("level_diminta"), name="appeal_level_asked_1_5"
            ),
            models.CheckConstraint(
                condition=level_in_range("level_baru"), name="appeal_new_level_1_5"
            ),
            # An accepted appeal carries its new level; a rejected one its reason.
            models.CheckConstraint(
                condition=~models.Q(status="diterima") | models.Q(level_baru__isnull=False),
                name="appeal_accepted_has_level",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ditolak") | ~models.Q(alasan=""),
                name="appeal_rejected_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.score} · {self.get_status_display()}"


class ChangeLogQuerySet(TenantQuerySet):
    opd_path = "assessment__opd"


class ChangeLog(models.Model):
    """One change of a level, text, evidence, status, threshold or official index: who,
    when, old and new value, why. Rows are only ever added. A change of the pemda's own
    records (its official index) has no period."""

    pemda = models.ForeignKey(Pemda, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    score = models.ForeignKey(
        Score, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    field = models.CharField(_("what"), max_length=40)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = ChangeLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("change log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["score", "at"]), models.Index(fields=["period", "at"])]

    def __str__(self):
        return f"{self.field}: {self.old_value} → {self.new_value}"


class ReviewAssignment(models.Model):
    """An OPD assigned to an evaluator for one period by the Kominfo administrator: the
    evaluator's "my queue". Only a way to share the work: every evaluator of the pemda
    may still review every OPD."""

    pemda = models.ForeignKey(Pemda, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="assignments")
    opd = models.ForeignKey("opd.OPD", on_delete=models.CASCADE, related_name="+")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluator"),
        on_delete=models.CASCADE,
        related_name="review_assignments",
    )
    ditugaskan_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ditugaskan_pada = models.DateTimeField(_("assigned at"), auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        ordering = ["period", "opd", "evaluator"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "opd", "evaluator"], name="assignment_once_per_period"
            ),
        ]

    def __str__(self):
        return f"{self.opd} · {self.evaluator}"
