"""Downloading a period's results (one row per OPD) as XLSX, CSV or JSON."""

from django.http import Http404, HttpResponse
from django.views import View

from opd.permissions import PemdaScopedMixin

from ..models import Assessment
from ..services import exports
from .periods import periods_of, pick_period


class ResultsExportView(PemdaScopedMixin, View):
    """/pemda/<kode>/ekspor/?tahun=YYYY[&tw=N]&format=xlsx|csv|json: the rows the user
    may see (an OPD user gets its own OPD's row only)."""

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format", "xlsx")
        if fmt not in exports.FORMATS:
            raise Http404("Format tidak dikenal")
        period = pick_period(periods_of(self.pemda, request.user), request)
        if period is None:
            raise Http404("Periode tidak ditemukan")
        content, content_type, filename = exports.export(
            period, fmt, Assessment.objects.visible_to(request.user)
        )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
