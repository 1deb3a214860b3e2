"""The official national index page: what KemenPANRB published for the pemda (and, for a
province, its kabupaten/kota) year by year, recorded by the Kominfo administrator by
hand or from a file. The pemda's staff read it; OPD users have no such page (404)."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from opd.forms import BootstrapMixin
from opd.models import Pemda
from opd.permissions import PemdaScopedMixin, is_pemda_staff
from spbe_dashboard.numbers import DecimalCommaField

from ..models import OfficialIndex
from ..services import official
from ..services.scores import ScoreError


class OfficialIndexForm(BootstrapMixin, forms.Form):
    pemda = forms.ModelChoiceField(
        label=gettext_lazy("Regional government"), queryset=None, empty_label=None
    )
    tahun = forms.IntegerField(label=gettext_lazy("Year"), min_value=2015, max_value=2100)
    indeks = DecimalCommaField(label=gettext_lazy("Official index"), max_digits=3, decimal_places=2)
    predikat = forms.CharField(label=gettext_lazy("Predikat"), max_length=40, required=False)
    peringkat = forms.IntegerField(label=gettext_lazy("National rank"), min_value=1, required=False)
    peringkat_dari = forms.IntegerField(
        label=gettext_lazy("Ranked among"), min_value=1, required=False
    )
    sumber = forms.CharField(label=gettext_lazy("Source"), max_length=official.MAX_SOURCE)

    def __init__(self, *args, pemdas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pemda"].queryset = pemdas
        self.fields["pemda"].empty_label = None


class ImportForm(BootstrapMixin, forms.Form):
    berkas = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        error_messages={"required": gettext_lazy("Choose a file to upload.")},
    )


class OfficialIndexView(PemdaScopedMixin, TemplateView):
    template_name = "evaluations/official_index.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_pemda_staff(request.user):
            raise Http404("Staff only")
        return super().dispatch(request, *args, **kwargs)

    def recordable(self):
        pemdas = official.recordable_pemdas(self.request.user)
        return pemdas.filter(pk__in=self.covered().values("pk")).order_by("kode")

    def covered(self):
        """The pemda of the page and, for a province, its kabupaten/kota."""
        pemdas = Pemda.objects.visible_to(self.request.user)
        if self.pemda.is_province:
            return pemdas.filter(pk=self.pemda.pk) | pemdas.filter(parent=self.pemda)
        return pemdas.filter(pk=self.pemda.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        recordable = self.recordable()
        context.setdefault(
            "form",
            OfficialIndexForm(pemdas=recordable, initial={"pemda": self.pemda.pk})
            if recordable.exists()
            else None,
        )
        context.setdefault("import_form", ImportForm() if recordable.exists() else None)
        context.update(
            records=OfficialIndex.objects.filter(pemda__in=self.covered())
            .select_related("pemda", "updated_by")
            .order_by("-tahun", "pemda__kode"),
            header=",".join(official.HEADER),
        )
        return context

    def post(self, request, *args, **kwargs):
        recordable = self.recordable()
        if not recordable.exists():
            raise Http404("Not editable")
        if "berkas" in request.FILES or request.POST.get("action") == "import":
            return self.post_import(request)
        form = OfficialIndexForm(request.POST, pemdas=recordable)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        entry = official.Entry(
            pemda=data["pemda"],
            tahun=data["tahun"],
            indeks=data["indeks"],
            predikat=data["predikat"],
            peringkat=data["peringkat"],
            peringkat_dari=data["peringkat_dari"],
            sumber=data["sumber"],
        )
        try:
            official.record(request.user, entry)
        except ScoreError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request,
            _("The official index %(year)s of %(pemda)s has been recorded.")
            % {"year": entry.tahun, "pemda": entry.pemda.nama},
        )
        return HttpResponseRedirect(reverse("official_index", args=[self.pemda.kode]))

    def post_import(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(import_form=form))
        upload = form.cleaned_data["berkas"]
        if upload.size > official.MAX_BYTES:
            form.add_error("berkas", _("The file is too large: at most 1 MB."))
            return self.render_to_response(self.get_context_data(import_form=form))
        count, errors = official.import_entries(request.user, upload.read(), upload.name)
        if errors:
            return self.render_to_response(
                self.get_context_data(import_form=form, import_errors=errors)
            )
        messages.success(
            request, _("%(n)s official indices recorded from the file.") % {"n": count}
        )
        return HttpResponseRedirect(reverse("official_index", args=[self.pemda.kode]))
