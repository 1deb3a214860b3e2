"""The lists' filters. Every choice filter names what its empty choice means ("Semua
zona", never "---------")."""

import django_filters
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from opd.models import OPD

from .models import Assessment, FigureStatus, ReviewAssignment, Zone
from .services.scoring import DEFAULT_PREDIKAT_BANDS


def zone_filter():
    return django_filters.ChoiceFilter(
        label=_("Zone"), choices=Zone.choices, empty_label=_("All zones")
    )


class AssessmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    zona = zone_filter()
    predikat = django_filters.ChoiceFilter(
        label=_("Predikat"),
        choices=[(name, name) for _bound, name in DEFAULT_PREDIKAT_BANDS],
        empty_label=_("All predikat"),
    )
    jenis = django_filters.ChoiceFilter(
        label=_("OPD kind"),
        field_name="opd__jenis",
        choices=OPD.Kind.choices,
        empty_label=_("All kinds"),
    )
    status_nilai = django_filters.ChoiceFilter(
        label=_("Status of the figures"),
        choices=FigureStatus.choices,
        empty_label=_("All statuses"),
    )

    class Meta:
        model = Assessment
        fields = ["q", "zona", "predikat", "jenis", "status_nilai"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(opd__nama__icontains=value)
            | Q(opd__singkatan__icontains=value)
            | Q(opd__kode__icontains=value)
        )


class ReviewQueueFilter(django_filters.FilterSet):
    """Filters of the evaluators' work queue."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    status_mandiri = django_filters.ChoiceFilter(
        label=_("Self-assessment"),
        choices=Assessment.SelfStatus.choices,
        empty_label=_("All self-assessments"),
    )
    progres = django_filters.ChoiceFilter(
        label=_("Progress in this stage"),
        method="by_progress",
        choices=[("belum", _("Not started")), ("proses", _("In progress")), ("selesai", _("Done"))],
        empty_label=_("Any progress"),
    )
    zona = zone_filter()
    antrean = django_filters.ChoiceFilter(
        label=_("Queue"),
        method="by_queue",
        choices=[("saya", _("My queue"))],
        empty_label=_("All OPDs"),
    )

    class Meta:
        model = Assessment
        fields = ["q", "status_mandiri", "progres", "zona", "antrean"]

    def by_queue(self, queryset, name, value):
        # The OPDs the administrator assigned to the user in the period.
        if value == "saya":
            return queryset.filter(
                Exists(
                    ReviewAssignment.objects.filter(
                        period=OuterRef("period"), opd=OuterRef("opd"), evaluator=self.request.user
                    )
                )
            )
        return queryset

    search = AssessmentFilter.search

    def by_progress(self, queryset, name, value):
        # The review in the period's current stage: the queue's annotations
        # `stage_reviewed` and `stage_total` (services.review_progress).
        if value == "belum":
            return queryset.filter(stage_reviewed=0)
        if value == "proses":
            return queryset.filter(stage_reviewed__gt=0, stage_reviewed__lt=F("stage_total"))
        if value == "selesai":
            return queryset.filter(stage_reviewed=F("stage_total"))
        return queryset
