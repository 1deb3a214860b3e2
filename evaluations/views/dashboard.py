"""The zone dashboard of one pemda and period (staff of the pemda, and read-only the
staff of its province): headline figures, Plotly charts and the ranking table."""

from django.http import Http404
from django.urls import reverse

from opd.permissions import is_pemda_staff
from opd.querysets import membership_of
from opd.services.teams import pemda_team_summary

from ..services.reports import dashboard_data, may_make_reports
from ..tables import DashboardRankingTable
from .opd import OPDListView


class DashboardView(OPDListView):
    table_class = DashboardRankingTable
    template_name = "evaluations/dashboard.html"
    paginate_by = 100

    def get_queryset(self):
        # OPD roles work on their own OPD only: the pemda-wide dashboard is not theirs.
        if not is_pemda_staff(self.request.user):
            raise Http404("Dasbor tidak ditemukan")
        return super().get_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.period is not None:
            context.update(dashboard_data(self.pemda, self.period, self.periods, self.request.user))
            context["team_summary"] = pemda_team_summary(
                self.pemda, self.period.tahun, self.request.user
            )
            context["team_overview_url"] = (
                reverse("team_overview", args=[self.pemda.kode]) + f"?tahun={self.period.tahun}"
            )
        membership = membership_of(self.request.user)
        context["read_only"] = membership is not None and membership.pemda_id != self.pemda.id
        context["can_report"] = may_make_reports(self.request.user, self.pemda)
        return context
