"""Admin of the evaluation data. Every class builds on the tenant-scoped bases of
`opd.admin`, so a Kominfo administrator sees only its own tenant's rows (and reads the
shared instruments), and writes nothing but its pemda's own instruments.

The workflow data (periods, assessments, scores, official indices) is read-only here for
everyone, the superuser included: it changes only through the app's pages, imports and
commands, which call the services that check the period's state, keep the history and
queue the recompute. The superuser may create a period here, through `open_period`
like the app's page. An instrument used by a final period is frozen: its figures would
change under it."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from opd.admin import AppPageAdmin, TenantAdmin, TenantTabularInline

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
from .queueing import request_period_recompute
from .services.periods import open_period


def instrument_frozen(instrument_id):
    """Is the instrument published? Then its structure and weights stay: a change is a new
    version, made on the instrument pages (services.instrument_versions)."""
    return Instrument.objects.filter(pk=instrument_id, status=Instrument.Status.PUBLISHED).exists()


class InstrumentPartAdmin(TenantAdmin):
    """Domains, aspects, indicators, criteria and bands: editable while their instrument is
    a draft (by a pemda's administrator: only its own instruments)."""

    instrument_path = "instrument_id"
    tenant_writable = True

    def has_change_permission(self, request, obj=None):
        if obj is not None and instrument_frozen(self._instrument_id(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and instrument_frozen(self._instrument_id(obj)):
            return False
        return super().has_delete_permission(request, obj)

    def _instrument_id(self, obj):
        value = obj
        for hop in self.instrument_path.split("."):
            value = getattr(value, hop)
        return value


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
    # A pemda's own instrument is its reference data (shared ones are the superuser's).
    tenant_writable = True
    list_display = ("nama", "kode", "owner")
    list_select_related = ("pemda",)
    list_filter = ("pemda",)
    search_fields = ("nama", "kode")
    # Published through the instrument pages, which check the weights first.
    readonly_fields = ("weight_check", "status", "diterbitkan_pada", "nilai_desimal", "dasar")
    inlines = (DomainSummaryInline,)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

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
class DomainAdmin(InstrumentPartAdmin):
    list_display = ("nomor", "nama", "bobot", "instrument")
    list_select_related = ("instrument",)
    list_filter = ("instrument",)
    search_fields = ("nama",)


@admin.register(Aspect)
class AspectAdmin(InstrumentPartAdmin):
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
class IndicatorAdmin(InstrumentPartAdmin):
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
class LevelCriterionAdmin(InstrumentPartAdmin):
    instrument_path = "indicator.instrument_id"

    list_display = ("indicator", "level", "nama")
    list_select_related = ("indicator",)
    list_filter = ("indicator__instrument", "level")
    search_fields = ("indicator__nama", "nama", "kriteria")


@admin.register(PredikatBand)
class PredikatBandAdmin(InstrumentPartAdmin):
    list_display = ("nama", "batas_bawah", "instrument")
    list_select_related = ("instrument",)
    list_filter = ("instrument",)


# --- Periods and assessments --------------------------------------------------------


@admin.register(Period)
class PeriodAdmin(TenantAdmin):
    """Periods are created here through `open_period` (as on the app's page); after that
    their status, stage, thresholds and instrument change only through the app's pages,
    which record every change with its reason."""

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

    def get_exclude(self, request, obj=None):
        # A new period opens for self-assessment; the evaluation fields follow later.
        return ("status", "tahap", "sanggahan_dibuka") if obj is None else ()

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        self.check_tenant(request, obj)
        if change:  # pragma: no cover - has_change_permission refuses every change
            raise PermissionDenied
        fields = {
            name: getattr(obj, name)
            for name in ("zona_hijau_dari", "zona_kuning_dari", "jendela_sanggahan_hari")
        }
        opened = open_period(obj.pemda, obj.tahun, obj.instrument, obj.triwulan, **fields)
        obj.pk = opened.pk


@admin.register(Assessment)
class AssessmentAdmin(AppPageAdmin):
    list_display = (
        "opd",
        "period",
        "status_nilai",
        "indeks",
        "predikat",
        "zona",
        "peringkat",
        "tervalidasi",
        "computed_at",
        "is_stale",
    )
    list_select_related = ("opd", "period__pemda")
    list_filter = ("status_nilai", "zona", "predikat", "period__tahun", "is_stale", "pemda")
    search_fields = ("opd__nama", "opd__singkatan", "opd__kode")


@admin.register(Score)
class ScoreAdmin(AppPageAdmin):
    """Levels change on the self-assessment and review pages and through the import."""

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
class OfficialIndexAdmin(AppPageAdmin):
    """Recorded on the official index page (services.official), which keeps history."""

    list_display = ("pemda", "tahun", "indeks", "predikat", "peringkat", "sumber")
    list_select_related = ("pemda",)
    list_filter = ("tahun", "pemda")
    search_fields = ("pemda__nama", "pemda__kode")


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
