from decimal import Decimal

from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from opd.models import OPD
from opd.permissions import PemdaScopedMixin, visible_or_404

from ..filters import AssessmentFilter
from ..models import Aspect, Assessment, Domain, Score
from ..services.disclosure import conceal_review, conceal_scores, sees_review
from ..tables import AssessmentTable, BoundedPaginator
from .exports import RankingExportMixin
from .periods import opd_history, periods_of, pick_assessment, pick_period


class OPDListView(PemdaScopedMixin, RankingExportMixin, SingleTableMixin, FilterView):
    """The OPDs of a pemda for one period, with their stored index, zone and rank."""

    table_class = AssessmentTable
    filterset_class = AssessmentFilter
    template_name = "evaluations/opd_list.html"
    paginate_by = 50
    paginator_class = BoundedPaginator

    def get_queryset(self):
        self.periods = periods_of(self.pemda, self.request.user)
        self.period = pick_period(self.periods, self.request)
        if self.period is None:
            return Assessment.objects.none()
        return (
            Assessment.objects.visible_to(self.request.user)
            .filter(period=self.period)
            .select_related("opd", "pemda", "period")
        )

    def get_table_data(self):
        data = super().get_table_data()
        if self.period is not None and not sees_review(self.request.user, self.period):
            # An OPD user before document review ends: its own row, figures concealed.
            return conceal_review(self.request.user, list(data))
        return data

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(periods=self.periods, period=self.period)
        return context


class OPDDetailView(PemdaScopedMixin, TemplateView):
    """One OPD: its figures over every period and its indicator levels for one period."""

    template_name = "evaluations/opd_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        opd = visible_or_404(OPD.objects.filter(pemda=self.pemda), user, kode=self.kwargs["opd"])
        history = opd_history(opd, user)
        # The same ?tahun=/&tw= rule as every page (unknown period → 404).
        selected = pick_assessment(history, self.request)
        context.update(opd=opd, history=history, selected=selected)
        if selected is not None:
            context["scores"] = conceal_scores(
                user,
                list(
                    Score.objects.filter(assessment=selected)
                    .select_related("indicator__aspect__domain", "indicator__instrument")
                    .order_by("indicator__nomor")
                ),
                selected.period,
            )
            # Domain indices, or the aspects of an instrument without domains.
            instrument_id = selected.period.instrument_id
            parts, stored = (
                Domain.objects.filter(instrument_id=instrument_id),
                selected.indeks_domain,
            )
            if not parts.exists():
                parts, stored = (
                    Aspect.objects.filter(instrument_id=instrument_id),
                    selected.indeks_aspek,
                )
            context["domains"] = [
                (part, _as_decimal(stored.get(str(part.nomor)))) for part in parts
            ]
        return context


def _as_decimal(value):
    return None if value in (None, "") else Decimal(value)
