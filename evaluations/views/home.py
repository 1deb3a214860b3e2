from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from opd.models import Pemda
from opd.querysets import membership_of

from ..models import Assessment, FigureStatus, Period
from ..services.reports import headlines, official_index_of, previous_of
from ..services.schedule import open_windows
from ..services.summaries import compare_periods
from .periods import opd_history, periods_of, results_period, work_period

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
    """The OPD's work in the running period (its self-assessment, in progress or
    submitted) and its latest results, each labelled for what it is."""
    history = opd_history(membership.opd, request.user)
    periods = [a.period for a in history]
    by_period = {a.period_id: a for a in history}
    latest = by_period.get(getattr(results_period(periods), "id", None))
    running = by_period.get(getattr(work_period(periods), "id", None))
    if running is not None and (running.period.is_final or running == latest):
        running = None
    previous = None
    if latest is not None:
        before = previous_of(periods, latest.period)
        previous = by_period.get(before.id) if before else None
    return render(
        request,
        "evaluations/home_opd.html",
        {
            "opd": membership.opd,
            "pemda": membership.pemda,
            "latest": latest,
            "running": running,
            "previous": previous,
            "history": history,
            # The windows the OPD can still act in, with when they close (issue 13/14).
            "open_windows": [
                window
                for assessment in history
                if not assessment.period.is_final
                for window in open_windows(assessment)
            ],
        },
    )


def running_progress(period):
    """How far the OPDs of a period still running got: submitted self-assessments and
    validated assessments, of all."""
    return Assessment.objects.filter(period=period).aggregate(
        total=Count("id"),
        submitted=Count("id", filter=Q(status_mandiri=Assessment.SelfStatus.SUBMITTED)),
        assessed=Count("id", filter=~Q(status_nilai=FigureStatus.IN_PROGRESS)),
    )


def _pemda_home(request, pemda):
    periods = periods_of(pemda, request.user)
    period = results_period(periods)
    running = work_period(periods)
    context = {"pemda": pemda, "period": period}
    if running is not None and running != period and not running.is_final:
        context["running"] = running
        context["running_progress"] = running_progress(running)
    if period is None:
        return render(request, "evaluations/home_pemda.html", context)
    [current] = headlines([period])
    previous = previous_of(periods, period)
    context.update(
        current=current,
        previous_period=previous,
        comparison=compare_periods(period, previous),
        official=official_index_of(pemda, period.tahun),
        stale=Assessment.objects.filter(period=period, is_stale=True).exists(),
    )
    ranked = (
        Assessment.objects.filter(period=period, peringkat__isnull=False)
        .select_related("opd")
        .order_by("peringkat", "opd__kode")
    )
    context["top"] = list(ranked[:TOP_N])
    context["bottom"] = list(ranked.reverse()[:TOP_N])[::-1] if current.assessed > TOP_N else []
    if pemda.is_province:
        child_periods = (
            Period.objects.visible_to(request.user)
            .filter(pemda__parent=pemda, tahun=period.tahun, triwulan=period.triwulan)
            .select_related("pemda")
            .order_by("pemda__kode")
        )
        context["kabupaten"] = sorted(
            headlines(child_periods),
            key=lambda s: (s.average is None, -(s.average or 0)),
        )
    return render(request, "evaluations/home_pemda.html", context)
