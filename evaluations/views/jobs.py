"""The background jobs page: what the recomputes (and reports) did, for administrators.

Kominfo administrators see the jobs of the pemda they may see (`Job.objects.visible_to`);
jobs of the whole installation (no pemda) only superusers see. Anyone else gets a 404,
like a page that does not exist.

Each row says in words what the job is for, what it covers, who asked for it, how it
ended and how long it took (`describe`); the stored codes (kinds, "scorecard:KODE") never
reach the page.
"""

from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView

from opd.models import Pemda
from opd.permissions import is_admin_kominfo, visible_or_404

from .. import jobs
from ..models import Job

K = Job.Kind
PURPOSE = {
    K.RECOMPUTE_PERIOD: gettext_lazy(
        "Indices, predikat, zones and ranks of the period recomputed after levels changed"
    ),
    K.RECOMPUTE_ASSESSMENT: gettext_lazy("Figures of one assessment recomputed"),
    K.RECOMPUTE_ALL: gettext_lazy("Figures of every period recomputed"),
    K.SWEEP_STALE: gettext_lazy(
        "Safety sweep: periods whose figures were not yet up to date recomputed"
    ),
    K.REPORT: gettext_lazy("PDF report"),
}
STATE_TEXT = {
    Job.State.QUEUED: gettext_lazy("Waiting for a worker"),
    Job.State.RUNNING: gettext_lazy("Running"),
    Job.State.DONE: gettext_lazy("Done"),
    Job.State.FAILED: gettext_lazy("Failed"),
}


@dataclass
class JobRow:
    job: Job
    title: str
    purpose: str
    scope: str
    state: str
    outcome: str
    duration: str


def duration_text(job):
    """ "12 s", "3 min 5 s" or "" while not finished."""
    if not (job.started_at and job.finished_at):
        return ""
    elapsed = (job.finished_at - job.started_at).total_seconds()
    if elapsed < 1:
        return _("under a second")
    seconds = round(elapsed)
    if seconds < 60:
        return _("%(s)d s") % {"s": seconds}
    return _("%(m)d min %(s)d s") % {"m": seconds // 60, "s": seconds % 60}


def _report_title(job):
    if job.detail.startswith("scorecard:"):
        return _("Scorecard of OPD %(opd)s") % {"opd": job.detail.split(":", 1)[1]}
    return _("Zone dashboard report")


def describe(job):
    """The row of one job in words."""
    if job.period:
        scope = _("Period %(period)s · %(pemda)s") % {
            "period": job.period.label,
            "pemda": job.pemda.nama if job.pemda else "",
        }
    elif job.pemda:
        scope = job.pemda.nama
    else:
        scope = _("All regional governments")
    if job.kind == K.REPORT:
        title = _report_title(job)
        outcome = _("The PDF is ready.") if job.result_file else ""
    else:
        title = str(job.get_kind_display())
        outcome = job.detail  # written in words by the task ("2 asesmen dihitung ulang")
    if job.state == Job.State.FAILED:
        outcome = _(
            "Stopped by an error; the figures stay marked as outdated and the periodic sweep tries again."
        )
    elif job.state in (Job.State.QUEUED, Job.State.RUNNING) and job.kind != K.REPORT:
        outcome = job.detail if job.state == Job.State.RUNNING else ""
    return JobRow(
        job=job,
        title=title,
        purpose=str(PURPOSE.get(job.kind, "")),
        scope=scope,
        state=str(STATE_TEXT.get(job.state, job.get_state_display())),
        outcome=outcome,
        duration=duration_text(job),
    )


class JobListView(LoginRequiredMixin, ListView):
    template_name = "evaluations/jobs.html"
    context_object_name = "jobs"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        if not is_admin_kominfo(user):
            raise Http404
        rows = Job.objects.visible_to(user).select_related("pemda", "period", "requested_by")
        self.pemda = None
        if "pemda" in self.kwargs:
            self.pemda = visible_or_404(Pemda, user, kode=self.kwargs["pemda"])
            rows = rows.filter(pemda=self.pemda)
        state = self.request.GET.get("state")
        if state in Job.State.values:
            rows = rows.filter(state=state)
        return rows.order_by("-created_at")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            pemda=self.pemda,
            states=Job.State.choices,
            keep_done=jobs.KEEP_DONE_DAYS,
            keep_failed=jobs.KEEP_FAILED_DAYS,
        )
        context["rows"] = [describe(job) for job in context["jobs"]]
        context["state"] = self.request.GET.get("state", "")
        return context
