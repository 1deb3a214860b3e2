"""Changing a period's zone thresholds: the effect is shown before saving, a reason is
required, the change is recorded in the period's history and the zones are recomputed.
A final period's thresholds never change (its figures are final)."""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Assessment, Zone
from ..queueing import request_period_recompute
from .scores import ScoreError, admin_period, log_change
from .scoring import LEVEL_MAX, LEVEL_MIN, zone_for


@dataclass(frozen=True)
class Move:
    old: str  # zone code
    new: str
    count: int

    @property
    def old_label(self):
        return Zone(self.old).label

    @property
    def new_label(self):
        return Zone(self.new).label


def check_thresholds(green, yellow):
    """Why these thresholds cannot be used (empty when they can)."""
    problems = []
    for value in (green, yellow):
        if value is None or not Decimal(LEVEL_MIN) <= value <= Decimal(LEVEL_MAX):
            problems.append(_("A threshold is a number from 1,00 to 5,00."))
            return problems
        if value != value.quantize(Decimal("0.01")):
            problems.append(_("A threshold has at most two decimals."))
            return problems
    if yellow >= green:
        problems.append(_("The yellow threshold must be below the green one."))
    return problems


def threshold_effect(period, green, yellow):
    """How the OPDs with figures would move between zones with these thresholds: the
    moves (old zone → new zone, how many), biggest first. Nothing is written."""
    moves = Counter()
    for index, zone in Assessment.objects.filter(period=period, indeks__isnull=False).values_list(
        "indeks", "zona"
    ):
        new = zone_for(index, green, yellow)
        if new != zone:
            moves[(zone, new)] += 1
    return [Move(old, new, n) for (old, new), n in moves.most_common()]


@transaction.atomic
def change_thresholds(user, period_id, green, yellow, reason):
    """Set the period's green and yellow thresholds (the Kominfo administrator of its
    pemda), recorded with the reason; the zones follow through the recompute."""
    period = admin_period(user, period_id)
    if period.is_final:
        raise ScoreError(_("The period is final: its zone thresholds can no longer change."))
    reason = (reason or "").strip()
    if not reason:
        raise ScoreError(_("Give the reason for changing the thresholds."))
    problems = check_thresholds(green, yellow)
    if problems:
        raise ScoreError(" ".join(problems))
    changed = []
    for field, value in (("zona_hijau_dari", green), ("zona_kuning_dari", yellow)):
        if getattr(period, field) != value:
            log_change(user, period, field, getattr(period, field), value, reason=reason)
            setattr(period, field, value)
            changed.append(field)
    if changed:
        period.save(update_fields=changed)
        request_period_recompute([period.id], user)
    return period
