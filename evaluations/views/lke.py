"""/pemda/<kode>/opd/<opd>/lke/?tahun=YYYY[&tw=N]: the evaluation worksheet (LKE) of one
OPD and period as XLSX (services.lke), for whoever sees the OPD's scorecard."""

from django.http import Http404
from django.urls import reverse
from django.views import View

from opd.models import OPD
from opd.permissions import PemdaScopedMixin, visible_or_404

from ..services import lke
from ..services.exports import XLSX_CONTENT_TYPE
from .exports import download
from .periods import opd_history, pick_assessment


class LKEDownloadView(PemdaScopedMixin, View):
    def get(self, request, *args, **kwargs):
        user = request.user
        opd = visible_or_404(OPD.objects.filter(pemda=self.pemda), user, kode=self.kwargs["opd"])
        assessment = pick_assessment(opd_history(opd, user), request)
        if assessment is None:
            raise Http404("Periode tidak ditemukan")

        def evidence_url(evidence):
            return request.build_absolute_uri(
                reverse("evidence_download", args=[self.pemda.kode, evidence.pk])
            )

        content = lke.worksheet(assessment, user, evidence_url)
        return download(content, XLSX_CONTENT_TYPE, lke.filename(assessment))
