from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opd.models import OPD, Pemda
from opd.querysets import TenantQuerySet
from opd.roles import OPD_ROLES, Role

from ..services.scoring import (
    DEFAULT_GREEN_FROM,
    DEFAULT_YELLOW_FROM,
    FIGURE_FINAL,
    FIGURE_IN_PROGRESS,
    FIGURE_PROVISIONAL,
    LEVEL_MAX,
    LEVEL_MIN,
    ZONE_GREEN,
    ZONE_RED,
    ZONE_YELLOW,
    has_figures,
    round_index,
    weight_errors,
)

WEIGHT = {"max_digits": 7, "decimal_places": 4}
# An indicator's value: a whole level 1–5, or (instruments with decimal values, items)
# a decimal on 1.00–5.00, stored with four decimals (an item mean such as 11/3 → 3.6667).
VALUE = {"max_digits": 5, "decimal_places": 4}
LEVEL_VALIDATORS = [MinValueValidator(LEVEL_MIN), MaxValueValidator(LEVEL_MAX)]


def level_in_range(field):
    """Database rule: a level or value is empty or on the scale 1 to 5."""
    return Q(**{f"{field}__isnull": True}) | Q(
        **{f"{field}__gte": LEVEL_MIN, f"{field}__lte": LEVEL_MAX}
    )


# --- Instruments -------------------------------------------------------------------


class InstrumentQuerySet(TenantQuerySet):
    shared_when_unowned = True


class Instrument(models.Model):
    """An indicator set with its weights and bands. Instruments without a pemda are the
    shared templates shipped with the product; a pemda clones one into a draft of its own,
    edits it and publishes it. Only a published instrument is used by periods; once a
    period uses it, it is frozen (a change needs a new version)."""

    class Status(models.TextChoices):
        DRAFT = "draf", _("Draft")
        PUBLISHED = "terbit", _("Published")

    kode = models.SlugField(_("code"), max_length=60, unique=True)
    nama = models.CharField(_("name"), max_length=200)
    keterangan = models.TextField(_("description"), blank=True)
    pemda = models.ForeignKey(
        Pemda,
        verbose_name=_("regional government"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty for the shared templates shipped with the application."),
    )
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.PUBLISHED
    )
    nilai_desimal = models.BooleanField(
        _("decimal values"),
        default=False,
        help_text=_(
            "Indicator values are decimals on 1.00–5.00 (as PermenPANRB 8/2026 publishes "
            "them) instead of whole levels 1–5."
        ),
    )
    dasar = models.ForeignKey(
        "self",
        verbose_name=_("derived from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="versions",
    )
    diterbitkan_pada = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["nama"]

    def __str__(self):
        return self.nama

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def has_domains(self):
        return self.domains.exists()

    def weight_problems(self):
        """Human-readable reasons why the weights are not usable (empty when fine)."""
        domains = [(d.nomor, d.bobot) for d in self.domains.all()]
        aspects = [
            (a.nomor, a.domain.nomor if a.domain_id else None, a.bobot)
            for a in self.aspects.select_related("domain")
        ]
        indicators = [
            (i.nomor, i.aspect.nomor, i.bobot) for i in self.indicators.select_related("aspect")
        ]
        return weight_errors(domains, aspects, indicators)


class InstrumentPartQuerySet(TenantQuerySet):
    pemda_path = "instrument__pemda"
    shared_when_unowned = True


class Domain(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="domains")
    nomor = models.PositiveSmallIntegerField(_("number"))
    nama = models.CharField(_("name"), max_length=200)
    bobot = models.DecimalField(_("weight (%)"), **WEIGHT)

    objects = InstrumentPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ["instrument", "nomor"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "nomor"], name="domain_number_unique"),
        ]

    def __str__(self):
        return f"{self.nomor}. {self.nama}"


class Aspect(models.Model):
    # `instrument` repeats domain.instrument so that numbers can be unique per instrument.
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="aspects")
    # Empty in an instrument without domains (PermenPANRB 8/2026: 7 aspects, no domains).
    domain = models.ForeignKey(
        Domain, on_delete=models.CASCADE, null=True, blank=True, related_name="aspects"
    )
    nomor = models.PositiveSmallIntegerField(_("number"))
    nama = models.CharField(_("name"), max_length=200)
    bobot = models.DecimalField(_("weight (%)"), **WEIGHT)

    objects = InstrumentPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("aspect")
        verbose_name_plural = _("aspects")
        ordering = ["instrument", "nomor"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "nomor"], name="aspect_number_unique"),
        ]

    def __str__(self):
        return f"{self.nomor}. {self.nama}"

    def clean(self):
        if (
            self.domain_id
            and self.instrument_id
            and self.domain.instrument_id != self.instrument_id
        ):
            raise ValidationError({"domain": _("The domain belongs to another instrument.")})


class Indicator(models.Model):
    class Scale(models.TextChoices):
        # Policy, governance and management indicators.
        PROSES = "proses", _("Process (Rintisan … Optimum)")
        # Service indicators.
        LAYANAN = "layanan", _("Service (Informasi … Optimum)")

    # `instrument` repeats aspect.instrument so that numbers can be unique per instrument.
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="indicators")
    aspect = models.ForeignKey(Aspect, on_delete=models.CASCADE, related_name="indicators")
    nomor = models.PositiveSmallIntegerField(_("number"))
    kode = models.CharField(
        _("indicator code"), max_length=12, blank=True, help_text=_("E.g. I5; the number if empty.")
    )
    nama = models.CharField(_("name"), max_length=250)
    bobot = models.DecimalField(
        _("weight (%)"), **WEIGHT, help_text=_("Share of the whole index, in percent.")
    )
    skala = models.CharField(_("level scale"), max_length=10, choices=Scale.choices)
    sumber_eksternal = models.CharField(
        _("external source"),
        max_length=200,
        blank=True,
        help_text=_(
            "For an indicator scored from another national index (e.g. Skor Satu Data "
            "Indonesia, Bappenas): its name. Its value is entered, not assessed; until then "
            "the default value counts."
        ),
    )
    nilai_bawaan = models.DecimalField(
        _("value while waiting"),
        **VALUE,
        null=True,
        blank=True,
        help_text=_("What an external indicator counts until its value is entered (1.00)."),
    )
    panduan_bukti = models.TextField(_("evidence guidance"), blank=True)
    terkait_tim = models.BooleanField(
        _("about the SPBE team"),
        default=False,
        help_text=_(
            "The evaluator sees the OPD's SPBE team facts beside this indicator "
            "(indicators on the team and on ICT competence)."
        ),
    )

    objects = InstrumentPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["instrument", "nomor"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "nomor"], name="indicator_number_unique"),
            models.CheckConstraint(
                condition=level_in_range("nilai_bawaan"), name="indicator_default_value_1_5"
            ),
        ]

    def __str__(self):
        return f"{self.label}. {self.nama}"

    @property
    def label(self):
        """How people name the indicator: its code (I5), else its number."""
        return self.kode or str(self.nomor)

    @property
    def is_external(self):
        return bool(self.sumber_eksternal)

    def clean(self):
        if (
            self.aspect_id
            and self.instrument_id
            and self.aspect.instrument_id != self.instrument_id
        ):
            raise ValidationError({"aspect": _("The aspect belongs to another instrument.")})


class CriterionQuerySet(TenantQuerySet):
    pemda_path = "indicator__instrument__pemda"
    shared_when_unowned = True


class LevelCriterion(models.Model):
    """What an indicator requires at one maturity level."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="criteria")
    level = models.PositiveSmallIntegerField(_("level"), validators=LEVEL_VALIDATORS)
    nama = models.CharField(_("level name"), max_length=60)
    kriteria = models.TextField(_("criteria"))

    objects = CriterionQuerySet.as_manager()

    class Meta:
        verbose_name = _("level criterion")
        verbose_name_plural = _("level criteria")
        ordering = ["indicator", "level"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "level"], name="criterion_level_unique"),
            models.CheckConstraint(condition=level_in_range("level"), name="criterion_level_1_5"),
        ]

    def __str__(self):
        return f"{self.indicator.nomor} · {self.level} {self.nama}"


class IndicatorItem(models.Model):
    """One question or evidence item through which an indicator is assessed: its own level
    1–5, an optional weight, criteria text and evidence guidance. The indicator's value is
    the weighted mean of its items' levels (equal weights where none is given)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="items")
    nomor = models.PositiveSmallIntegerField(_("number"))
    nama = models.CharField(_("question or item"), max_length=300)
    bobot = models.DecimalField(
        _("weight"),
        **WEIGHT,
        null=True,
        blank=True,
        help_text=_("Relative weight within the indicator; empty: all items weigh the same."),
    )
    kriteria = models.TextField(_("criteria"), blank=True)
    panduan_bukti = models.TextField(_("evidence guidance"), blank=True)

    objects = CriterionQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator item")
        verbose_name_plural = _("indicator items")
        ordering = ["indicator", "nomor"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "nomor"], name="item_number_unique"),
            models.CheckConstraint(
                condition=Q(bobot__isnull=True) | Q(bobot__gt=0), name="item_weight_positive"
            ),
        ]

    def __str__(self):
        return f"{self.indicator.label}.{self.nomor} {self.nama}"


class PredikatBand(models.Model):
    """One predikat band of an instrument: the rounded index from `batas_bawah` up."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="bands")
    nama = models.CharField(_("predikat"), max_length=40)
    batas_bawah = models.DecimalField(_("lower bound (inclusive)"), max_digits=4, decimal_places=2)

    objects = InstrumentPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("predikat band")
        verbose_name_plural = _("predikat bands")
        ordering = ["instrument", "-batas_bawah"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "nama"], name="band_name_unique"),
            models.UniqueConstraint(
                fields=["instrument", "batas_bawah"], name="band_lower_bound_unique"
            ),
        ]

    def __str__(self):
        return f"{self.nama} ≥ {self.batas_bawah}"


class CrosswalkQuerySet(TenantQuerySet):
    shared_when_unowned = True


class Crosswalk(models.Model):
    """A declared continuity between an earlier instrument and a later one: which aspects
    of the old feed which aspects of the new (or none). With one, trends show both on one
    axis with the change marked; without, they show the break."""

    dari = models.ForeignKey(
        Instrument,
        verbose_name=_("earlier instrument"),
        on_delete=models.CASCADE,
        related_name="crosswalks_out",
    )
    ke = models.ForeignKey(
        Instrument,
        verbose_name=_("later instrument"),
        on_delete=models.CASCADE,
        related_name="crosswalks_in",
    )
    pemda = models.ForeignKey(
        Pemda,
        verbose_name=_("regional government"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty for a crosswalk shipped with the application."),
    )
    keterangan = models.TextField(_("description"), blank=True)

    objects = CrosswalkQuerySet.as_manager()

    class Meta:
        verbose_name = _("crosswalk")
        verbose_name_plural = _("crosswalks")
        constraints = [
            models.UniqueConstraint(fields=["dari", "ke"], name="crosswalk_one_per_pair"),
        ]

    def __str__(self):
        return f"{self.dari} → {self.ke}"


class CrosswalkLinkQuerySet(TenantQuerySet):
    pemda_path = "crosswalk__pemda"
    shared_when_unowned = True


class CrosswalkLink(models.Model):
    """One aspect of the earlier instrument and the aspect of the later one it feeds
    (empty: it feeds none)."""

    crosswalk = models.ForeignKey(Crosswalk, on_delete=models.CASCADE, related_name="links")
    aspek_lama = models.ForeignKey(
        Aspect, verbose_name=_("earlier aspect"), on_delete=models.CASCADE, related_name="+"
    )
    aspek_baru = models.ForeignKey(
        Aspect,
        verbose_name=_("later aspect"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CrosswalkLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("crosswalk link")
        verbose_name_plural = _("crosswalk links")
        constraints = [
            models.UniqueConstraint(
                fields=["crosswalk", "aspek_lama"], name="crosswalk_link_once_per_aspect"
            ),
        ]

    def __str__(self):
        return f"{self.aspek_lama} → {self.aspek_baru or '—'}"


# --- Periods and assessments -------------------------------------------------------


class Zone(models.TextChoices):
    MERAH = ZONE_RED, _("Red")
    KUNING = ZONE_YELLOW, _("Yellow")
    HIJAU = ZONE_GREEN, _("Green")


class FigureStatus(models.TextChoices):
    """What an assessment's stored figures are (scoring.figure_status holds the rule)."""

    IN_PROGRESS = FIGURE_IN_PROGRESS, pgettext_lazy("figures", "In progress")
    PROVISIONAL = FIGURE_PROVISIONAL, pgettext_lazy("figures", "Provisional")
    FINAL = FIGURE_FINAL, pgettext_lazy("figures", "Final")


class Stage(models.TextChoices):
    """Stages of the evaluators' review (national process); the latest level counts."""

    DOKUMEN = "dokumen", _("Document review")
    INTERVIU = "interviu", _("Interview")
    VISITASI = "visitasi", _("Visit")


class PeriodQuerySet(TenantQuerySet):
    pass


class Period(models.Model):
    """One evaluation round of one pemda: a year, optionally a quarter."""

    class Status(models.TextChoices):
        SELF_ASSESSMENT = "mandiri", _("Open for self-assessment")
        EVALUATION = "evaluasi", _("Under evaluation")
        FINAL = "final", _("Final")

    pemda = models.ForeignKey(
        Pemda,
        verbose_name=_("regional government"),
        on_delete=models.PROTECT,
        related_name="periods",
    )
    tahun = models.PositiveSmallIntegerField(_("year"))
    triwulan = models.PositiveSmallIntegerField(
        _("quarter"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("Empty for a yearly evaluation."),
    )
    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT, related_name="periods"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SELF_ASSESSMENT
    )
    zona_hijau_dari = models.DecimalField(
        _("green zone from"), max_digits=4, decimal_places=2, default=DEFAULT_GREEN_FROM
    )
    zona_kuning_dari = models.DecimalField(
        _("yellow zone from"), max_digits=4, decimal_places=2, default=DEFAULT_YELLOW_FROM
    )
    # Stage of the evaluation while the status is "under evaluation" (national process:
    # document review, interview, optional visit).
    tahap = models.CharField(
        _("evaluation stage"), max_length=10, choices=Stage.choices, default=Stage.DOKUMEN
    )
    # Set when document review ends: the OPDs may then contest provisional levels for
    # `jendela_sanggahan_hari` days.
    sanggahan_dibuka = models.DateTimeField(_("appeals open since"), null=True, blank=True)
    jendela_sanggahan_hari = models.PositiveSmallIntegerField(
        _("appeal window (days)"), default=3, validators=[MinValueValidator(1)]
    )
    # The schedule: the planned last day of each stage, shown as deadlines on the pages
    # (services/schedule.py). The appeal window has no date of its own: it opens when
    # document review ends and lasts `jendela_sanggahan_hari` days.
    batas_mandiri = models.DateField(_("self-assessment until"), null=True, blank=True)
    batas_dokumen = models.DateField(_("document review until"), null=True, blank=True)
    batas_interviu = models.DateField(_("interview until"), null=True, blank=True)
    batas_visitasi = models.DateField(_("visit until"), null=True, blank=True)
    batas_final = models.DateField(_("final results by"), null=True, blank=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation period")
        verbose_name_plural = _("evaluation periods")
        ordering = ["pemda__kode", "-tahun", "-triwulan"]
        constraints = [
            # A yearly period and quarterly periods are both unique within their year.
            models.UniqueConstraint(
                fields=["pemda", "tahun"],
                condition=Q(triwulan__isnull=True),
                name="period_one_yearly_per_pemda",
            ),
            models.UniqueConstraint(
                fields=["pemda", "tahun", "triwulan"],
                condition=Q(triwulan__isnull=False),
                name="period_one_per_quarter_per_pemda",
            ),
            models.CheckConstraint(
                condition=Q(triwulan__isnull=True) | Q(triwulan__gte=1, triwulan__lte=4),
                name="period_quarter_1_4",
            ),
            models.CheckConstraint(
                condition=Q(zona_kuning_dari__lt=models.F("zona_hijau_dari")),
                name="period_yellow_below_green",
            ),
        ]

    def __str__(self):
        return f"{self.pemda} · {self.label}"

    @property
    def label(self):
        return f"{self.tahun} TW{self.triwulan}" if self.triwulan else str(self.tahun)

    @property
    def is_final(self):
        return self.status == self.Status.FINAL

    def clean(self):
        errors = {}
        if self.instrument_id:
            problems = self.instrument.weight_problems()
            if not self.instrument.bands.exists():
                problems.append(_("The instrument has no predikat bands."))
            if problems:
                errors["instrument"] = [
                    _("This instrument cannot be used: its weights do not add up to 100%.")
                ] + problems
            if self.instrument.pemda_id and self.instrument.pemda_id != self.pemda_id:
                errors.setdefault("instrument", []).append(
                    _("This instrument belongs to another regional government.")
                )
            if not self.instrument.is_published:
                errors.setdefault("instrument", []).append(
                    _("This instrument is a draft: publish it before a period uses it.")
                )
        if (
            self.zona_kuning_dari is not None
            and self.zona_hijau_dari is not None
            and self.zona_kuning_dari >= self.zona_hijau_dari
        ):
            errors["zona_kuning_dari"] = _("The yellow threshold must be below the green one.")
        from ..services.schedule import schedule_problems

        for field, problem in schedule_problems(self):
            errors.setdefault(field, []).append(problem)
        if errors:
            raise ValidationError(errors)


class AssessmentQuerySet(TenantQuerySet):
    opd_path = "opd"
    editor_roles = frozenset({Role.ADMIN_KOMINFO, Role.EVALUATOR} | OPD_ROLES)


class Assessment(models.Model):
    """One OPD in one period, with its stored figures (pages read them, never recompute)."""

    # `pemda` repeats opd.pemda and period.pemda: every tenant-owned row carries its pemda
    # so that scoping is one indexed filter.
    pemda = models.ForeignKey(
        Pemda, verbose_name=_("regional government"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="assessments"
    )
    opd = models.ForeignKey(
        OPD, verbose_name=_("OPD"), on_delete=models.PROTECT, related_name="assessments"
    )

    class SelfStatus(models.TextChoices):
        DRAFT = "draf", _("Draft")
        SUBMITTED = "diajukan", _("Submitted")
        RETURNED = "dikembalikan", _("Returned to the OPD")

    # The OPD's self-assessment: editable while draft or returned, locked once submitted.
    status_mandiri = models.CharField(
        _("self-assessment status"),
        max_length=12,
        choices=SelfStatus.choices,
        default=SelfStatus.DRAFT,
    )
    diajukan_pada = models.DateTimeField(_("submitted at"), null=True, blank=True)
    diajukan_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # The figures, from the evaluators' levels (scoring: "What a figure means"): empty
    # while the status is "in progress".
    status_nilai = models.CharField(
        _("status of the figures"),
        max_length=10,
        choices=FigureStatus.choices,
        default=FigureStatus.IN_PROGRESS,
    )
    indeks = models.DecimalField(_("index"), max_digits=9, decimal_places=6, null=True, blank=True)
    predikat = models.CharField(_("predikat"), max_length=40, blank=True)
    zona = models.CharField(_("zone"), max_length=10, choices=Zone.choices, blank=True)
    peringkat = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    indeks_aspek = models.JSONField(_("aspect indices"), default=dict, blank=True)
    indeks_domain = models.JSONField(_("domain indices"), default=dict, blank=True)
    # The OPD's own claim: the index of its self-assessed levels once every indicator has
    # one. Shown as such, never ranked or zoned.
    indeks_mandiri = models.DecimalField(
        _("self-assessment index"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    jumlah_indikator = models.PositiveSmallIntegerField(_("indicators"), default=0)
    terisi = models.PositiveSmallIntegerField(_("indicators self-assessed"), default=0)
    tervalidasi = models.PositiveSmallIntegerField(_("indicators validated"), default=0)
    # External indicators still waiting for their value (counted at their default).
    menunggu_eksternal = models.PositiveSmallIntegerField(_("external values waiting"), default=0)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    is_stale = models.BooleanField(
        _("figures outdated"),
        default=True,
        help_text=_("Set when levels change and cleared when the figures are recomputed."),
    )
    # Counts the requests to recompute (every change that feeds the figures adds one).
    # A recompute clears `is_stale` only if the count it read is still current, so a
    # change that commits while a recompute runs keeps the assessment marked outdated.
    revisi = models.PositiveIntegerField(_("changes requested"), default=0, editable=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        # Ranked OPDs first, whatever the database's place for empty ranks.
        ordering = ["period", models.F("peringkat").asc(nulls_last=True), "opd__kode"]
        indexes = [models.Index(fields=["pemda", "period"]), models.Index(fields=["is_stale"])]
        constraints = [
            models.UniqueConstraint(fields=["period", "opd"], name="assessment_one_per_opd_period"),
            # Figures exist exactly when the status says so.
            models.CheckConstraint(
                condition=Q(status_nilai=FIGURE_IN_PROGRESS, indeks__isnull=True)
                | (~Q(status_nilai=FIGURE_IN_PROGRESS) & Q(indeks__isnull=False)),
                name="assessment_index_only_with_figures",
            ),
        ]

    def __str__(self):
        return f"{self.opd} · {self.period.label}"

    @property
    def indeks_bulat(self):
        return None if self.indeks is None else round_index(self.indeks)

    @property
    def indeks_mandiri_bulat(self):
        return None if self.indeks_mandiri is None else round_index(self.indeks_mandiri)

    @property
    def has_figures(self):
        """Index, predikat, zone and rank exist (provisional or final)."""
        return has_figures(self.status_nilai)

    @property
    def is_final(self):
        return self.status_nilai == FigureStatus.FINAL

    @property
    def is_provisional(self):
        return self.status_nilai == FigureStatus.PROVISIONAL

    @property
    def is_in_progress(self):
        return self.status_nilai == FigureStatus.IN_PROGRESS

    def clean(self):
        if self.opd_id and self.period_id and self.opd.pemda_id != self.period.pemda_id:
            raise ValidationError({"opd": _("The OPD belongs to another regional government.")})
        if self.pemda_id and self.period_id and self.pemda_id != self.period.pemda_id:
            raise ValidationError(
                {"pemda": _("The assessment must belong to its period's regional government.")}
            )


class ScoreQuerySet(TenantQuerySet):
    pemda_path = "assessment__pemda"
    opd_path = "assessment__opd"
    editor_roles = AssessmentQuerySet.editor_roles


class Score(models.Model):
    """One indicator of one assessment: the OPD's own value and the evaluator's (a whole
    level, or a decimal value: see VALUE). Where the indicator has items, both follow
    from the item levels (ItemScore). An external indicator's entered value is both, with
    where it comes from."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="scores")
    level_mandiri = models.DecimalField(
        _("self-assessed value"), **VALUE, null=True, blank=True, validators=LEVEL_VALIDATORS
    )
    penjelasan = models.TextField(_("explanation"), blank=True)
    level_evaluator = models.DecimalField(
        _("evaluator's value"), **VALUE, null=True, blank=True, validators=LEVEL_VALIDATORS
    )
    catatan_evaluator = models.TextField(_("evaluator's note"), blank=True)
    # An external indicator's value: the score in its source index, its date, who entered.
    eksternal_skor = models.CharField(_("score in the source index"), max_length=40, blank=True)
    eksternal_tanggal = models.DateField(_("date of the external value"), null=True, blank=True)
    eksternal_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("external value entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Incremented on every save; a save that carries an older version is refused.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator score")
        verbose_name_plural = _("indicator scores")
        ordering = ["assessment", "indicator__nomor"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator"], name="score_one_per_indicator"
            ),
            models.CheckConstraint(
                condition=level_in_range("level_mandiri"), name="score_self_level_1_5"
            ),
            models.CheckConstraint(
                condition=level_in_range("level_evaluator"), name="score_evaluator_level_1_5"
            ),
        ]

    def __str__(self):
        return f"{self.assessment} · {self.indicator.nomor}"

    @property
    def is_waiting_external(self):
        """An external indicator whose value has not been entered: the default counts."""
        return self.indicator.is_external and self.level_evaluator is None

    def clean(self):
        if (
            self.indicator_id
            and self.assessment_id
            and self.indicator.instrument_id != self.assessment.period.instrument_id
        ):
            raise ValidationError(
                {"indicator": _("This indicator is not in the period's instrument.")}
            )


class ItemScoreQuerySet(TenantQuerySet):
    pemda_path = "score__assessment__pemda"
    opd_path = "score__assessment__opd"
    editor_roles = AssessmentQuerySet.editor_roles


class ItemScore(models.Model):
    """The levels of one item of an indicator in one assessment (whole levels 1–5)."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="item_scores")
    item = models.ForeignKey(IndicatorItem, on_delete=models.PROTECT, related_name="scores")
    level_mandiri = models.PositiveSmallIntegerField(
        _("self-assessed level"), null=True, blank=True, validators=LEVEL_VALIDATORS
    )
    level_evaluator = models.PositiveSmallIntegerField(
        _("evaluator's level"), null=True, blank=True, validators=LEVEL_VALIDATORS
    )

    objects = ItemScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["score", "item__nomor"]
        constraints = [
            models.UniqueConstraint(fields=["score", "item"], name="item_score_one_per_item"),
            models.CheckConstraint(
                condition=level_in_range("level_mandiri"), name="item_score_self_1_5"
            ),
            models.CheckConstraint(
                condition=level_in_range("level_evaluator"), name="item_score_evaluator_1_5"
            ),
        ]

    def __str__(self):
        return f"{self.score} · {self.item.nomor}"
