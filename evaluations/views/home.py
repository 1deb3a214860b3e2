from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from opd.models import Pemda
from opd.querysets import membership_of

from ..models import Assessment, Period
from ..services.reports import headlines
from .periods import opd_history, periods_of

TOP_N = 5


@login_required
def home(request):
    """The start page: what the signed-in user's role needs first."""
    user = request.user
    membership = membership_of(user)
    if user.is_superuser:
        return _superuser_home(request)
    if membership is None:
        return render(request, "evaluations/home_no_role.html", status=403)
    if membership.is_opd_role:
        return _opd_home(request, membership)
    return _pemda_home(request, membership.pemda)


def _superuser_home(request):
    provinces = Pemda.objects.filter(parent__isnull=True).prefetch_related("children")
    return render(request, "evaluations/home_superuser.html", {"provinces": provinces})


def _opd_home(request, membership):
    history = opd_history(membership.opd, request.user)
    latest = history[0] if history else None
    return render(
        request,
        "evaluations/home_opd.html",
        {
            "opd": membership.opd,
            "pemda": membership.pemda,
            "latest": latest,
            "previous": history[1] if len(history) > 1 else None,
            "history": history,
        },
    )


def _pemda_home(request, pemda):
    periods = periods_of(pemda, request.user)
    # Stored per-pemda summaries, as on the zone dashboard (one place for the headline).
    summaries = headlines(periods[:2])
    current = summaries[0] if summaries else None
    previous = summaries[1] if len(summaries) > 1 else None
    context = {"pemda": pemda, "current": current, "previous": previous}
    if current:
        context["stale"] = Assessment.objects.filter(period=current.period, is_stale=True).exists()
    if current:
        ranked = (
            Assessment.objects.filter(period=current.period)
            .select_related("opd")
            .order_by("peringkat", "opd__kode")
        )
        context["top"] = list(ranked[:TOP_N])
        context["bottom"] = (
            list(ranked.reverse()[:TOP_N])[::-1] if current.opd_count > TOP_N else []
        )
        if current.average is not None and previous and previous.average is not None:
            context["change"] = current.average - previous.average
    if pemda.is_province and current:
        child_periods = (
            Period.objects.visible_to(request.user)
            .filter(
                pemda__parent=pemda, tahun=current.period.tahun, triwulan=current.period.triwulan
            )
            .select_related("pemda")
            .order_by("pemda__kode")
        )
        context["kabupaten"] = sorted(
            headlines(child_periods),
            key=lambda s: (s.average is None, -(s.average or 0)),
        )
    return render(request, "evaluations/home_pemda.html", context)
