"""The scorecard (rapor) of one OPD: its figures, its aspects beside the pemda average,
every indicator, its trend and the cheapest way into the next zone."""

from django.views.generic import TemplateView

from opd.models import OPD
from opd.permissions import PemdaScopedMixin, visible_or_404

from ..services.reports import may_make_reports, scorecard_data
from .periods import opd_history, pick_assessment


class ScorecardView(PemdaScopedMixin, TemplateView):
    template_name = "evaluations/scorecard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        # OPD users see only their own OPD; pemda and province staff any of theirs.
        opd = visible_or_404(OPD.objects.filter(pemda=self.pemda), user, kode=self.kwargs["opd"])
        history = opd_history(opd, user)
        selected = pick_assessment(history, self.request)
        context.update(
            opd=opd,
            history=history,
            selected=selected,
            periods=[a.period for a in history],
            period=selected.period if selected else None,
            can_report=may_make_reports(user, self.pemda),
        )
        if selected is not None:
            context.update(scorecard_data(opd, history, selected, user))
        return context
