"""The scorecard (rapor) of one OPD: its figures, its aspects beside the pemda average,
every indicator, its trend and the cheapest way into the next zone."""

from django.http import Http404
from django.views.generic import TemplateView

from opd.models import OPD
from opd.permissions import PemdaScopedMixin, visible_or_404

from ..services.reports import scorecard_data
from .periods import opd_history


class ScorecardView(PemdaScopedMixin, TemplateView):
    template_name = "evaluations/scorecard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        # OPD users see only their own OPD; pemda and province staff any of theirs.
        opd = visible_or_404(OPD.objects.filter(pemda=self.pemda), user, kode=self.kwargs["opd"])
        history = opd_history(opd, user)
        selected = select_assessment(history, self.request)
        context.update(
            opd=opd,
            history=history,
            selected=selected,
            periods=[a.period for a in history],
            period=selected.period if selected else None,
        )
        if selected is not None:
            context.update(scorecard_data(opd, history, selected))
        return context


def select_assessment(history, request):
    """The assessment of ?tahun=YYYY[&tw=N], else the newest; an unknown year is a 404."""
    year, quarter = request.GET.get("tahun"), request.GET.get("tw") or ""
    if not year:
        return history[0] if history else None
    for assessment in history:
        period = assessment.period
        if str(period.tahun) == year and str(period.triwulan or "") == quarter:
            return assessment
    raise Http404("Periode tidak ditemukan")
