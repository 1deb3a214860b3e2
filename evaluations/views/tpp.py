"""/pemda/<kode>/tpp/: the pemda's rule from index to the SPBE component of the TPP
(its Kominfo administrator edits it; the pemda's staff, and a province's for its
kabupaten/kota, read it) and /pemda/<kode>/tpp/unduh/?tahun=&format=xlsx|csv: the
component per OPD for a period (services.tpp). OPD users: 404."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from opd.permissions import PemdaScopedMixin, administers, is_pemda_staff

from ..forms import TppMappingForm
from ..models import Assessment, TppMapping
from ..services import tpp
from .exports import download
from .periods import has_results, periods_of, pick_period


class StaffOnly(PemdaScopedMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_pemda_staff(request.user):
            raise Http404("Staff only")
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def mapping(self):
        return TppMapping.objects.visible_to(self.request.user).filter(pemda=self.pemda).first()


class TppView(StaffOnly, TemplateView):
    template_name = "evaluations/tpp.html"

    def get_form(self):
        if self.request.method == "POST":
            return TppMappingForm(self.request.POST)
        m = self.mapping
        return TppMappingForm(
            initial={
                "cara": m.cara if m else TppMapping.Method.BANDS,
                "pita": tpp.bands_text(m) if m else "3,50 100\n2,60 80\n1,00 50",
                "linier_dari": m.linier_dari if m else None,
                "linier_sampai": m.linier_sampai if m else None,
                "bagian_spbe": m.bagian_spbe if m else 30,
            }
        )

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        periods = periods_of(self.pemda, self.request.user)
        context.update(
            mapping=self.mapping,
            rule=tpp.rule_text(self.mapping) if self.mapping else "",
            form=form or self.get_form(),
            can_edit=administers(self.request.user, self.pemda),
            periods=[p for p in periods if has_results(p)],
        )
        return context

    def post(self, request, *args, **kwargs):
        if not administers(request.user, self.pemda):
            raise Http404("Not the administrator of this pemda")
        form = self.get_form()
        if form.is_valid():
            data = form.cleaned_data
            try:
                tpp.save_mapping(
                    request.user,
                    self.pemda,
                    data["cara"],
                    data["pita"],
                    data["linier_dari"],
                    data["linier_sampai"],
                    data["bagian_spbe"],
                )
            except tpp.TppError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The TPP rule is saved."))
                return HttpResponseRedirect(reverse("tpp", args=[self.pemda.kode]))
        return self.render_to_response(self.get_context_data(form=form))


class TppExportView(StaffOnly, View):
    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format", "xlsx")
        if fmt not in tpp.FORMATS:
            raise Http404("Format tidak dikenal")
        period = pick_period(periods_of(self.pemda, request.user), request)
        if period is None:
            raise Http404("Periode tidak ditemukan")
        if self.mapping is None:
            messages.error(request, _("Set the TPP rule first."))
            return HttpResponseRedirect(reverse("tpp", args=[self.pemda.kode]))
        return download(
            *tpp.export(
                period, self.mapping, fmt, Assessment.objects.visible_to(request.user), request.user
            )
        )
