"""The kabupaten/kota of a province ranked by the average index of their OPDs, beside
their official national index (province staff only)."""

from django.http import Http404
from django.views.generic import TemplateView

from opd.permissions import PemdaScopedMixin, is_pemda_staff

from ..services.reports import kabupaten_data, kabupaten_years
from .periods import whole_number


class KabupatenRankingView(PemdaScopedMixin, TemplateView):
    template_name = "evaluations/kabupaten.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Only a province has kabupaten/kota; only its staff rank them.
        if not self.pemda.is_province or not is_pemda_staff(self.request.user):
            raise Http404("Halaman tidak ditemukan")
        years, year = kabupaten_years(self.pemda)
        if self.request.GET.get("tahun"):
            year = whole_number(self.request.GET["tahun"])
            if year not in years:
                raise Http404("Periode tidak ditemukan")
        context.update(years=years, year=year)
        if year is not None:
            context.update(kabupaten_data(self.pemda, year, self.request.user))
        return context
