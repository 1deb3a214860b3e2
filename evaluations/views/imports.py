"""/impor/: importing levels from a spreadsheet in two steps.

1. Upload: the file is validated (nothing is written) and a preview shows every row with
   its errors. The uploaded bytes are kept server-side under MEDIA_ROOT/imports/<uuid>,
   the uuid remembered in the session of the user who uploaded it.
2. Confirm: the same bytes are validated again and, when every row is still valid,
   applied in one transaction (services.imports).
"""

import time
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from opd.querysets import membership_of

from ..models import Period
from ..services import external_values, imports
from ..services.scores import is_evaluator
from .periods import whole_number

SESSION_KEY = "score_imports"
KEEP_SECONDS = 24 * 3600
PREVIEW_ROWS = 1000


class UploadForm(forms.Form):
    berkas = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx", "class": "form-control"}),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("What the file sets"),
        choices=[
            (imports.EVALUATOR, gettext_lazy("Evaluator levels and notes")),
            (imports.SELF, gettext_lazy("Self-assessed levels, on the OPD's behalf")),
        ],
        initial=imports.EVALUATOR,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        required=False,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is None or not imports.may_import_for_opd(user):
            del self.fields["mode"]

    def clean_mode(self):
        return self.cleaned_data.get("mode") or imports.EVALUATOR

    def clean_berkas(self):
        upload = self.cleaned_data["berkas"]
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large: at most %(mb)s MB.")
                % {"mb": imports.MAX_BYTES // (1024 * 1024)}
            )
        return upload


def _folder():
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _store(request, content, filename, mode):
    folder = _folder()
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.glob("*.upload"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
    token = uuid.uuid4().hex
    (folder / f"{token}.upload").write_bytes(content)
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {"name": filename, "user": request.user.pk, "mode": mode}
    request.session[SESSION_KEY] = pending
    return token


def _load(request, token):
    """(content, file name, mode) of an upload of this session, or None."""
    entry = request.session.get(SESSION_KEY, {}).get(token or "")
    if not entry or entry.get("user") != request.user.pk:
        return None
    try:
        uuid.UUID(hex=token)
        content = (_folder() / f"{token}.upload").read_bytes()
    except (ValueError, OSError):
        return None
    return content, entry["name"], entry.get("mode", imports.EVALUATOR)


def _forget(request, token):
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    (_folder() / f"{uuid.UUID(hex=token).hex}.upload").unlink(missing_ok=True)


class ImportView(LoginRequiredMixin, View):
    template_name = "evaluations/import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_evaluator(request.user):
            raise Http404("Halaman tidak ditemukan")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        if "templat" in request.GET:
            return self._template(request)
        return self._render(UploadForm(user=request.user))

    def _template(self, request):
        """The import format as CSV, prefilled with the current levels of the yearly
        period ?tahun= of the user's own pemda (header only without one)."""
        period = None
        year = whole_number(request.GET.get("tahun"))
        if year is not None:
            period = (
                Period.objects.filter(
                    pemda=_home_pemda(request.user), tahun=year, triwulan__isnull=True
                )
                .select_related("pemda")
                .first()
            )
        name = f"impor-{period.pemda.kode}-{period.tahun}.csv" if period else "impor.csv"
        response = HttpResponse(
            imports.template_csv(request.user, period), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def post(self, request):
        if request.POST.get("token"):
            return self._confirm(request, request.POST["token"])
        if request.POST.get("action") == "external":
            return self._external(request)
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self._render(form)
        upload = form.cleaned_data["berkas"]
        mode = form.cleaned_data.get("mode") or imports.EVALUATOR
        content = upload.read()
        result = imports.validate(request.user, content, upload.name, mode)
        token = _store(request, content, upload.name, mode) if result.is_valid else None
        return self._render(UploadForm(user=request.user), result=result, token=token)

    def _confirm(self, request, token):
        stored = _load(request, token)
        if stored is None:
            messages.error(request, _("The upload has expired; upload the file again."))
            return redirect("import_scores")
        content, filename, mode = stored
        try:
            result, summary = imports.import_file(request.user, content, filename, mode=mode)
        except imports.InvalidImport as exc:  # became invalid under the locks
            result, summary = exc.result, None
        if summary is None:
            messages.error(request, _("The file has errors now: nothing was imported."))
            return self._render(UploadForm(user=request.user), result=result, token=None)
        _forget(request, token)
        messages.success(
            request,
            _(
                "%(rows)s rows imported from %(file)s: %(scores)s indicator scores changed "
                "in %(assessments)s OPDs."
            )
            % {
                "rows": summary.rows,
                "file": filename,
                "scores": summary.scores_changed,
                "assessments": len(summary.assessments),
            },
        )
        return redirect("import_scores")

    def _external(self, request):
        """The values of indicators scored from other indices, from a file: all or none."""
        upload = request.FILES.get("berkas_eksternal")
        if upload is None:
            return self._render(
                UploadForm(user=request.user), external_errors=[_("Choose a file to upload.")]
            )
        if upload.size > imports.MAX_BYTES:
            return self._render(
                UploadForm(user=request.user),
                external_errors=[
                    _("The file is too large: at most %(mb)s MB.")
                    % {"mb": imports.MAX_BYTES // (1024 * 1024)}
                ],
            )
        count, errors = external_values.import_values(request.user, upload.read(), upload.name)
        if errors:
            return self._render(UploadForm(user=request.user), external_errors=errors)
        messages.success(
            request,
            _("%(n)s external values entered from %(file)s.") % {"n": count, "file": upload.name},
        )
        return redirect("import_scores")

    def _render(self, form, result=None, token=None, external_errors=None):
        context = {
            "form": form,
            "result": result,
            "token": token,
            "header": imports.HEADER,
            "external_header": external_values.HEADER,
            "external_errors": external_errors,
            "years": _template_years(self.request.user),
        }
        if result is not None:
            # With errors, only the rows to fix; otherwise what will be written.
            rows = result.invalid_rows or result.rows
            context["preview"] = rows[:PREVIEW_ROWS]
            context["hidden_rows"] = len(result.rows) - len(context["preview"])
        return render(self.request, self.template_name, context)


def _home_pemda(user):
    """The pemda whose levels the user imports (None for a superuser: every pemda)."""
    membership = membership_of(user)
    return None if membership is None else membership.pemda_id


def _template_years(user):
    return list(
        Period.objects.filter(pemda=_home_pemda(user), triwulan__isnull=True)
        .exclude(status=Period.Status.FINAL)
        .order_by("-tahun")
        .values_list("tahun", flat=True)
        .distinct()
    )
