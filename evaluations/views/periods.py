from django.db.models import Count
from django.http import Http404

from ..models import Assessment, Period


def whole_number(value):
    """The int in a query or form value, or None. Only ASCII digits: str.isdigit() also
    accepts "²", which int() then refuses."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


def periods_of(pemda, user):
    """The pemda's periods the user may see, newest first."""
    return list(
        Period.objects.visible_to(user)
        .filter(pemda=pemda)
        .select_related("instrument")
        .order_by("-tahun", "-triwulan")
    )


def pick_period(periods, request):
    """The period named by ?tahun=YYYY[&tw=N], else the newest; None when there is none.

    An unknown year is a 404 rather than a silent fallback, so a shared link never shows
    another year's figures than the one it names.
    """
    year, quarter = request.GET.get("tahun"), request.GET.get("tw")
    if not year:
        return periods[0] if periods else None
    for period in periods:
        if str(period.tahun) == year and str(period.triwulan or "") == (quarter or ""):
            return period
    raise Http404("Periode tidak ditemukan")


def opd_history(opd, user):
    """The OPD's assessments the user may see, newest first, each with `opd_count`: how
    many OPDs its period ranks (the N of "rank n of N"), in two queries."""
    history = list(
        Assessment.objects.visible_to(user)
        .filter(opd=opd)
        .select_related("period")
        .order_by("-period__tahun", "-period__triwulan")
    )
    counts = dict(
        Assessment.objects.filter(period__in=[a.period_id for a in history])
        .values_list("period")
        .annotate(n=Count("id"))
    )
    for assessment in history:
        assessment.opd_count = counts.get(assessment.period_id, 0)
    return history
