"""The background jobs page: what the recomputes (and reports) did, for administrators.

Kominfo administrators see the jobs of the pemda they may see (`Job.objects.visible_to`);
jobs of the whole installation (no pemda) only superusers see. Anyone else gets a 404,
like a page that does not exist.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views.generic import ListView

from opd.models import Pemda
from opd.permissions import is_admin_kominfo, visible_or_404

from ..models import Job


class JobListView(LoginRequiredMixin, ListView):
    template_name = "evaluations/jobs.html"
    context_object_name = "jobs"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        if not is_admin_kominfo(user):
            raise Http404
        jobs = Job.objects.visible_to(user).select_related("pemda", "period", "requested_by")
        self.pemda = None
        if "pemda" in self.kwargs:
            self.pemda = visible_or_404(Pemda, user, kode=self.kwargs["pemda"])
            jobs = jobs.filter(pemda=self.pemda)
        state = self.request.GET.get("state")
        if state in Job.State.values:
            jobs = jobs.filter(state=state)
        return jobs.order_by("-created_at")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(pemda=self.pemda, states=Job.State.choices)
        context["state"] = self.request.GET.get("state", "")
        return context
