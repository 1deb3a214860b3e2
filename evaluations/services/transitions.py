"""What each step of a period will do, shown on its confirmation page before the
administrator (or, for the stages, an evaluator) confirms it with one POST to the
services in scores.py. Nothing here writes."""

from dataclasses import dataclass

from django.utils import timezone

from ..models import Assessment
from .scores import finalisation_problems


def not_submitted(period):
    """The period's assessments whose self-assessment is not submitted: closing
    self-assessment locks them as they are (an evaluator may still return one)."""
    return list(
        Assessment.objects.filter(period=period)
        .exclude(status_mandiri=Assessment.SelfStatus.SUBMITTED)
        .select_related("opd")
        .order_by("opd__kode")
    )


def appeal_window_if_ended_now(period, now=None):
    """Until when the OPDs may appeal if document review ends now (the rule of
    scores.appeal_deadline: the window lasts the period's appeal days)."""
    from datetime import timedelta

    return (now or timezone.now()) + timedelta(days=period.jendela_sanggahan_hari)


@dataclass
class MissingOPD:
    """One OPD's indicators still without an evaluator's level."""

    opd: object
    scores: list


def missing_by_opd(period):
    """What keeps the period from being final, per OPD (each score links to its
    indicator on the review page), and the open appeals."""
    missing, open_appeals = finalisation_problems(period)
    groups = {}
    for score in missing:
        opd = score.assessment.opd
        groups.setdefault(opd.pk, MissingOPD(opd, [])).scores.append(score)
    return list(groups.values()), open_appeals
