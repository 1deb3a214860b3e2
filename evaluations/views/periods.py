"""Which period a page shows: the one named by ?tahun=YYYY[&tw=N], else the one the user
means (README, "Periode bawaan"):

- pages of figures (home, dashboard, OPD list and detail, scorecard, kabupaten ranking,
  exports, reports, appeals): the period under evaluation, else the newest with figures;
  a period just opened for self-assessment, with nothing evaluated yet, is never their
  default;
- pages of work (self-assessment, the review queue, the period administration): the
  newest period still running (not final), else the newest.
"""

import contextlib

from django.db.models import Count
from django.http import Http404

from ..links import period_query  # noqa: F401 (the views import it from here)
from ..models import Assessment, PemdaSummary, Period


def whole_number(value):
    """The int in a query or form value, or None. Only ASCII digits: str.isdigit() also
    accepts "²", which int() then refuses."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


def periods_of(pemda, user):
    """The pemda's periods the user may see, newest first, with their stored summary."""
    return list(
        Period.objects.visible_to(user)
        .filter(pemda=pemda)
        .select_related("instrument", "summary")
        .order_by("-tahun", "-triwulan")
    )


def has_results(period):
    """Does the period have figures (provisional or final) for at least one OPD?"""
    with contextlib.suppress(PemdaSummary.DoesNotExist):
        return period.summary.dinilai > 0
    return False


def results_period(periods):
    """The period under evaluation, else the newest with figures, else None."""
    for period in periods:
        if period.status == Period.Status.EVALUATION:
            return period
    return next((p for p in periods if has_results(p)), None)


def work_period(periods):
    """The newest period that is not final, else the newest; None without periods."""
    return next((p for p in periods if not p.is_final), periods[0] if periods else None)


def pick_period(periods, request, default=results_period):
    """The period named by ?tahun=YYYY[&tw=N], else `default(periods)` (None when there
    is none). An unknown year is a 404 rather than a silent fallback, so a shared link
    never shows another year's figures than the one it names."""
    year, quarter = request.GET.get("tahun"), request.GET.get("tw")
    if year and "-" in year:  # the period switcher names a quarter "2027-1"
        year, quarter = year.split("-", 1)
    if not year:
        return default(periods)
    for period in periods:
        if str(period.tahun) == year and str(period.triwulan or "") == (quarter or ""):
            return period
    raise Http404("Periode tidak ditemukan")


def opd_history(opd, user):
    """The OPD's assessments the user may see, newest first, each with `opd_count`: how
    many OPDs its period ranks (the N of "rank n of N": those with figures), in two
    queries. Figures the user may not see yet are concealed (services.disclosure)."""
    from ..services.disclosure import conceal_review

    history = list(
        Assessment.objects.visible_to(user)
        .filter(opd=opd)
        .select_related("period__summary")
        .order_by("-period__tahun", "-period__triwulan")
    )
    counts = dict(
        Assessment.objects.filter(
            period__in=[a.period_id for a in history], peringkat__isnull=False
        )
        .values_list("period")
        .annotate(n=Count("id"))
    )
    for assessment in history:
        assessment.opd_count = counts.get(assessment.period_id, 0)
    return conceal_review(user, history)


def pick_assessment(history, request):
    """The assessment of the period a figures page means (`pick_period`) from an OPD's
    history; None when the OPD has none there."""
    period = pick_period([a.period for a in history], request)
    return next((a for a in history if a.period == period), None)
