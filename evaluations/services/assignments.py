"""Which evaluator looks after which OPD in a period: the Kominfo administrator shares
out the OPDs (several evaluators per OPD, several OPDs per evaluator), and each evaluator
gets "my queue". Only a way to share the work: every evaluator of the pemda may still
review every OPD (review.may_review does not look here)."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from opd.roles import Role

from ..models import Assessment, ReviewAssignment
from .scores import ScoreError, _check_not_final, admin_period, log_change


def evaluators_of(pemda):
    """The pemda's own evaluators (active accounts), by name."""
    return (
        get_user_model()
        .objects.filter(is_active=True, membership__pemda=pemda, membership__role=Role.EVALUATOR)
        .order_by("first_name", "last_name", "username")
    )


def assigned_opd_ids(user, period):
    """The OPDs assigned to the user in the period."""
    return set(
        ReviewAssignment.objects.filter(period=period, evaluator=user).values_list(
            "opd_id", flat=True
        )
    )


def pairs_of(period):
    """{(opd id, evaluator id)} of the period."""
    return set(ReviewAssignment.objects.filter(period=period).values_list("opd_id", "evaluator_id"))


@transaction.atomic
def set_assignments(user, period_id, pairs):
    """Make the period's assignments exactly `pairs` ({(opd id, evaluator id)}), each
    added or removed pair logged. Only the pemda's administrator; only the pemda's OPDs of
    the period and its own evaluators, else a ScoreError and nothing changes. Returns
    (added, removed) counts."""
    period = admin_period(user, period_id)
    _check_not_final(period)
    codes = dict(Assessment.objects.filter(period=period).values_list("opd_id", "opd__kode"))
    opds = set(codes)
    evaluators = set(evaluators_of(period.pemda).values_list("pk", flat=True))
    pairs = set(pairs)
    if any(opd not in opds or evaluator not in evaluators for opd, evaluator in pairs):
        raise ScoreError(_("Assign only this period's OPDs to this pemda's evaluators."))
    current = {(a.opd_id, a.evaluator_id): a for a in period.assignments.all()}
    removed = set(current) - pairs
    added = pairs - set(current)
    names = dict(get_user_model().objects.filter(pk__in=evaluators).values_list("pk", "username"))
    for key in sorted(removed):
        current[key].delete()
        log_change(user, period, "penugasan", f"{codes[key[0]]} → {names[key[1]]}", "")
    for opd_id, evaluator_id in sorted(added):
        ReviewAssignment.objects.create(
            pemda_id=period.pemda_id,
            period=period,
            opd_id=opd_id,
            evaluator_id=evaluator_id,
            ditugaskan_oleh=user,
        )
        log_change(user, period, "penugasan", "", f"{codes[opd_id]} → {names[evaluator_id]}")
    return len(added), len(removed)
