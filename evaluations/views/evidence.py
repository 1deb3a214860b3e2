"""Evidence (bukti dukung): add a file or link, remove, and download through a view that
checks the user may see the OPD. Files are never served by a public media URL."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from opd.permissions import PemdaScopedMixin, visible_or_404
from spbe_dashboard import uploads

from ..forms import EvidenceFileForm, EvidenceLinkForm
from ..models import Evidence, Score
from ..services import evidence as evidence_service
from ..services import scores as svc
from .selfassessment import is_htmx, may_edit_self, period_query, render_indicator

TEMPLATE = "evaluations/_indicator_self.html"


class EvidenceMixin(PemdaScopedMixin):
    def answer(self, score, error=None, status=200, notice=None):
        request = self.request
        if not is_htmx(request):
            if error:
                messages.error(request, error)
            elif notice:
                messages.success(request, notice)
            assessment = score.assessment
            return HttpResponseRedirect(
                reverse("self_assessment", args=[self.pemda.kode, assessment.opd.kode])
                + period_query(assessment.period)
                + f"#score-{score.pk}"
            )
        return render_indicator(
            request,
            TEMPLATE,
            score,
            status=status,
            evidence_error=error,
            evidence_notice=notice,
            can_edit=may_edit_self(request.user, score.assessment),
            file_form=EvidenceFileForm(),
            link_form=EvidenceLinkForm(),
        )


class EvidenceAddView(EvidenceMixin, View):
    """POST a file (multipart `berkas`) or a link (`tautan`) for one indicator."""

    def post(self, request, *args, **kwargs):
        score = visible_or_404(
            Score.objects.filter(assessment__pemda=self.pemda).select_related(
                "assessment__period", "assessment__opd"
            ),
            request.user,
            pk=self.kwargs["score"],
        )
        is_link = request.POST.get("jenis") == "link"
        form = (
            EvidenceLinkForm(request.POST)
            if is_link
            else EvidenceFileForm(request.POST, request.FILES)
        )
        if not form.is_valid():
            error = next(iter(form.errors.values()))[0]
            return self.answer(score, error=error, status=422)
        data = form.cleaned_data
        try:
            if is_link:
                evidence_service.add_link(request.user, score, data["tautan"], data["keterangan"])
            else:
                evidence_service.add_file(request.user, score, data["berkas"], data["keterangan"])
        except Score.DoesNotExist:
            raise Http404("Not editable") from None
        except svc.ScoreError as error:
            return self.answer(score, error=str(error), status=422)
        return self.answer(score, notice=_("Evidence added."))


class EvidenceRemoveView(EvidenceMixin, View):
    def post(self, request, *args, **kwargs):
        evidence = visible_or_404(
            Evidence.objects.filter(score__assessment__pemda=self.pemda).select_related(
                "score__assessment__period", "score__assessment__opd"
            ),
            request.user,
            pk=self.kwargs["pk"],
        )
        try:
            evidence_service.remove(request.user, evidence)
        except (Evidence.DoesNotExist, Score.DoesNotExist):
            raise Http404("Not editable") from None
        except svc.ScoreError as error:
            return self.answer(evidence.score, error=str(error), status=422)
        return self.answer(evidence.score, notice=_("Evidence removed."))


def visible_file_or_404(view):
    return visible_or_404(
        Evidence.objects.filter(
            score__assessment__pemda=view.pemda, jenis=Evidence.Kind.FILE
        ).select_related("score__assessment__opd", "score__indicator"),
        view.request.user,
        pk=view.kwargs["pk"],
    )


class EvidenceDownloadView(PemdaScopedMixin, View):
    """The stored file as an attachment, with its sanitised name and sniffed type; with
    ?tampil=1 a PDF or an image is answered inline, for the preview page's frame only
    (same origin), still sandboxed: nothing in it runs with the app's rights."""

    def get(self, request, *args, **kwargs):
        evidence = visible_file_or_404(self)
        inline = request.GET.get("tampil") == "1" and evidence.previewable
        try:
            handle = evidence.berkas.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404("File missing") from None
        response = FileResponse(
            handle,
            as_attachment=not inline,
            filename=evidence.nama_berkas or "bukti",
            content_type=evidence.tipe_konten or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        if inline:
            response["Content-Security-Policy"] = (
                "default-src 'none'; img-src 'self'; frame-ancestors 'self'; sandbox"
            )
            response["X-Frame-Options"] = "SAMEORIGIN"
        else:
            response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class EvidencePreviewView(PemdaScopedMixin, TemplateView):
    """A page showing one file of evidence: a PDF in the browser's viewer, an image as
    it is; any other type only offers the download."""

    template_name = "evaluations/evidence_preview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        evidence = visible_file_or_404(self)
        context.update(
            evidence=evidence,
            is_pdf=evidence.tipe_konten == uploads.PDF,
            download_url=reverse("evidence_download", args=[self.pemda.kode, evidence.pk]),
        )
        return context
