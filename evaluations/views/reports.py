"""Report files: ask for a PDF (made by a Celery task and recorded in a Job), watch its
status (an htmx-polled partial) and download it through a tenant-checked view. Files
live under MEDIA_ROOT/reports/<pemda>/ and are never served from a public URL."""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views import View

from opd.models import OPD
from opd.permissions import PemdaScopedMixin, is_pemda_staff, visible_or_404

from ..models import Job
from ..queueing import request_report
from ..services.reports import jobs_visible_to, may_make_reports
from .periods import periods_of, pick_period

KINDS = ("dashboard", "scorecard")


class ReportCreateView(PemdaScopedMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        user = request.user
        # A report is a write: a province's staff get a 404 in a kabupaten, as for any
        # other change there.
        if not may_make_reports(user, self.pemda):
            raise Http404("Laporan tidak ditemukan")
        kind = request.POST.get("kind")
        if kind not in KINDS:
            raise Http404("Laporan tidak dikenal")
        period = pick_period(periods_of(self.pemda, user), request_with_post_period(request))
        if period is None:
            raise Http404("Periode tidak ditemukan")
        if kind == "dashboard":
            if not is_pemda_staff(user):
                raise Http404("Laporan tidak ditemukan")
            detail = "dashboard"
        else:
            opd = visible_or_404(
                OPD.objects.filter(pemda=self.pemda), user, kode=request.POST.get("opd", "")
            )
            detail = f"scorecard:{opd.kode}"
        job = Job.objects.create(
            kind=Job.Kind.REPORT,
            pemda=self.pemda,
            period=period,
            detail=detail,
            requested_by=user,
        )
        request_report(job, get_language())
        status_url = reverse("report_status", args=[self.pemda.kode, job.id])
        if request.headers.get("HX-Request"):
            return HttpResponseRedirect(status_url)
        return HttpResponseRedirect(status_url + "?full=1")


def request_with_post_period(request):
    """pick_period reads ?tahun/&tw from GET; a report form posts them."""

    class _Shim:
        GET = {k: request.POST.get(k) for k in ("tahun", "tw") if request.POST.get(k)}

    return _Shim


class ReportStatusView(PemdaScopedMixin, View):
    def get(self, request, *args, **kwargs):
        job = get_object_or_404(
            jobs_visible_to(request.user, self.pemda).select_related("period"), pk=kwargs["job"]
        )
        template = (
            "evaluations/reports/status_page.html"
            if request.GET.get("full") and not request.headers.get("HX-Request")
            else "evaluations/reports/_status.html"
        )
        return render(request, template, {"job": job, "pemda": self.pemda})


class ReportDownloadView(PemdaScopedMixin, View):
    def get(self, request, *args, **kwargs):
        job = get_object_or_404(
            jobs_visible_to(request.user, self.pemda), pk=kwargs["job"], state=Job.State.DONE
        )
        root = (Path(settings.MEDIA_ROOT) / "reports" / self.pemda.kode).resolve()
        path = (Path(settings.MEDIA_ROOT) / job.result_file).resolve()
        if not job.result_file or root not in path.parents or not path.is_file():
            raise Http404("Berkas tidak ditemukan")
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=path.name,
            content_type="application/pdf",
        )
