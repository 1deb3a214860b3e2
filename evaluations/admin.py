"""Admin of the evaluation data. Every class builds on the tenant-scoped bases of
`opd.admin`, so a Kominfo administrator sees and changes only its own tenant's rows (and
reads the shared instruments)."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from opd.admin import TenantAdmin, TenantTabularInline

from .models import (
    Aspect,
    Assessment,
    Domain,
    Indicator,
    Instrument,
    Job,
    LevelCriterion,
    OfficialIndex,
    PemdaSummary,
    Period,
    PredikatBand,
    Score,
)
from .services.periods import ensure_assessments
from .services.recompute import request_period_recompute, request_recompute
from .services.summaries import rank_kabupaten

# --- Instruments --------------------------------------------------------------------


class DomainSummaryInline(TenantTabularInline):
    """The domains of an instrument at a glance; they are edited on their own page."""

    model = Domain
    fields = ("nomor", "nama", "bobot")
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Instrument)
class InstrumentAdmin(TenantAdmin):
    list_display = ("nama", "kode", "owner")
    list_select_related = ("pemda",)
    list_filter = ("pemda",)
    search_fields = ("nama", "kode")
    readonly_fields = ("weight_check",)
    inlines = (DomainSummaryInline,)

    @admin.display(description=_("owner"), ordering="pemda__nama")
    def owner(self, obj):
        return obj.pemda or _("Shared template")

    @admin.display(description=_("weight check"))
    def weight_check(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        problems = obj.weight_problems()
        if not problems:
            return _("The weights add up to 100%.")
        return format_html_join("", "<div>{}</div>", ((problem,) for problem in problems))


@admin.register(Domain)
class DomainAdmin(TenantAdmin):
    list_display = ("nomor", "nama", "bobot", "instrument")
    list_select_related = ("instrument",)
    list_filter = ("instrument",)
    search_fields = ("nama",)


@admin.register(Aspect)
class AspectAdmin(TenantAdmin):
    list_display = ("nomor", "nama", "bobot", "domain", "instrument")
    list_select_related = ("instrument", "domain")
    list_filter = ("instrument", "domain")
    search_fields = ("nama",)


class LevelCriterionInline(TenantTabularInline):
    model = LevelCriterion
    fields = ("level", "nama", "kriteria")
    extra = 0
    max_num = 5


@admin.register(Indicator)
class IndicatorAdmin(TenantAdmin):
    list_display = ("nomor", "nama", "bobot", "skala", "aspect", "instrument")
    list_select_related = ("instrument", "aspect")
    list_filter = ("instrument", "aspect__domain", "skala")
    search_fields = ("nama", "=nomor")
    inlines = (LevelCriterionInline,)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "bobot" in form.changed_data:
            # The stored figures of the periods still open follow the new weight.
            open_periods = Period.objects.filter(instrument_id=obj.instrument_id).exclude(
                status=Period.Status.FINAL
            )
            request_period_recompute(open_periods.values_list("pk", flat=True), request.user)


@admin.register(LevelCriterion)
class LevelCriterionAdmin(TenantAdmin):
    list_display = ("indicator", "level", "nama")
    list_select_related = ("indicator",)
    list_filter = ("indicator__instrument", "level")
    search_fields = ("indicator__nama", "nama", "kriteria")


@admin.register(PredikatBand)
class PredikatBandAdmin(TenantAdmin):
    list_display = ("nama", "batas_bawah", "instrument")
    list_select_related = ("instrument",)
    list_filter = ("instrument",)


# --- Periods and assessments --------------------------------------------------------


@admin.register(Period)
class PeriodAdmin(TenantAdmin):
    list_display = (
        "pemda",
        "tahun",
        "triwulan",
        "instrument",
        "status",
        "zona_kuning_dari",
        "zona_hijau_dari",
    )
    list_select_related = ("pemda", "instrument")
    list_filter = ("status", "tahun", "pemda")
    search_fields = ("pemda__nama", "pemda__kode")
    # Any shared or own instrument may be used; Period.clean refuses the unusable ones.
    reference_fields = ("instrument",)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # Its assessments hold one score per indicator of this instrument.
        return (*self.readonly_fields, "instrument")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not obj.is_final:
            # As open_period does: one assessment per active OPD, idempotent.
            ensure_assessments(obj)
        if change and {"status", "zona_hijau_dari", "zona_kuning_dari"} & set(form.changed_data):
            # Zones and finality are stored figures: recompute the period on commit (and
            # should the broker be down, the periodic sweep does).
            request_period_recompute([obj.pk], request.user)


COMPUTED_FIGURES = (
    "indeks",
    "predikat",
    "zona",
    "peringkat",
    "indeks_aspek",
    "indeks_domain",
    "is_complete",
    "is_final",
    "computed_at",
    "is_stale",
)


@admin.register(Assessment)
class AssessmentAdmin(TenantAdmin):
    list_display = (
        "opd",
        "period",
        "indeks",
        "predikat",
        "zona",
        "peringkat",
        "is_complete",
        "is_final",
        "computed_at",
        "is_stale",
    )
    list_select_related = ("opd", "period__pemda")
    list_filter = ("zona", "predikat", "period__tahun", "is_final", "is_stale", "pemda")
    search_fields = ("opd__nama", "opd__singkatan", "opd__kode")
    readonly_fields = ("pemda", "period", "opd", *COMPUTED_FIGURES)

    def has_add_permission(self, request):
        # Assessments (with their empty scores) are created by opening or saving a period;
        # their figures are computed, so nothing here is typed in.
        return False


class ScoreAdminForm(forms.ModelForm):
    class Meta:
        model = Score
        fields = (
            "assessment",
            "indicator",
            "level_mandiri",
            "penjelasan",
            "level_evaluator",
            "catatan_evaluator",
            "version",
        )
        widgets = {"version": forms.HiddenInput}

    def clean(self):
        cleaned = super().clean()
        assessment = cleaned.get("assessment") or (
            self.instance.assessment if self.instance.assessment_id else None
        )
        indicator = cleaned.get("indicator")
        if assessment is not None:
            if assessment.period.is_final:
                raise forms.ValidationError(_("The period is final: its scores are locked."))
            if indicator is not None and indicator.instrument_id != assessment.period.instrument_id:
                self.add_error("indicator", _("This indicator is not in the period's instrument."))
        if self.instance.pk is not None and "version" in cleaned:
            current = Score.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
            if cleaned["version"] != current.first():
                raise forms.ValidationError(
                    _("Someone else changed this score meanwhile. Reload the page and retry.")
                )
        return cleaned


@admin.register(Score)
class ScoreAdmin(TenantAdmin):
    form = ScoreAdminForm
    list_display = (
        "assessment",
        "indicator",
        "level_mandiri",
        "level_evaluator",
        "updated_at",
        "updated_by",
    )
    list_select_related = ("assessment__opd", "assessment__period", "indicator", "updated_by")
    list_filter = ("assessment__period__tahun", "assessment__pemda", "indicator__instrument")
    search_fields = ("assessment__opd__nama", "assessment__opd__kode", "indicator__nama")
    autocomplete_fields = ("assessment", "indicator")
    reference_fields = ("indicator",)
    fields = (
        "assessment",
        "indicator",
        "level_mandiri",
        "penjelasan",
        "level_evaluator",
        "catatan_evaluator",
        "version",
        "updated_at",
        "updated_by",
    )

    def get_readonly_fields(self, request, obj=None):
        fixed = ("updated_at", "updated_by")
        return fixed if obj is None else ("assessment", "indicator", *fixed)

    def has_change_permission(self, request, obj=None):
        # A final period is locked.
        if obj is not None and obj.assessment.period.is_final:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)
        request_recompute([obj.assessment_id])


# --- Summaries, official indices and background jobs ---------------------------------


@admin.register(PemdaSummary)
class PemdaSummaryAdmin(TenantAdmin):
    """Computed from the assessments: read-only here."""

    list_display = (
        "pemda",
        "period",
        "opd_count",
        "rata_rata",
        "predikat",
        "zona_merah",
        "zona_kuning",
        "zona_hijau",
        "peringkat_provinsi",
        "peringkat_resmi",
        "computed_at",
    )
    list_select_related = ("pemda", "period__pemda")
    list_filter = ("period__tahun", "pemda")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OfficialIndex)
class OfficialIndexAdmin(TenantAdmin):
    list_display = ("pemda", "tahun", "indeks", "predikat", "sumber")
    list_select_related = ("pemda",)
    list_filter = ("tahun", "pemda")
    search_fields = ("pemda__nama", "pemda__kode")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.pemda.parent_id is not None:
            rank_kabupaten(obj.pemda.parent_id, obj.tahun)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        if obj.pemda.parent_id is not None:
            rank_kabupaten(obj.pemda.parent_id, obj.tahun)


@admin.register(Job)
class JobAdmin(TenantAdmin):
    """Filled by the Celery tasks: read-only here (the jobs page shows the same)."""

    list_display = (
        "kind",
        "pemda",
        "period",
        "state",
        "progress",
        "created_at",
        "started_at",
        "finished_at",
    )
    list_select_related = ("pemda", "period__pemda")
    list_filter = ("state", "kind", "pemda")
    search_fields = ("task_id", "error", "detail")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
