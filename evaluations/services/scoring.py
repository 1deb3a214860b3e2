"""The scoring rules of an SPBE evaluation, as pure functions over Decimal.

No ORM here: callers pass plain values (levels, weights, bands, thresholds) so that the
same rules serve a single assessment, a set-based recompute of a whole period, the
tests and the "what would lift us out of the red" projections.

Weights are percentages of the whole index (they sum to 100), as in PermenPANRB 59/2020:
index = Σ level × weight / 100. A domain or aspect index is the weighted average of the
levels of its indicators, which equals the aspect → domain weighted averages.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

LEVEL_MIN = 1
LEVEL_MAX = 5
NOT_FILLED = 0

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")

ZONE_RED = "merah"
ZONE_YELLOW = "kuning"
ZONE_GREEN = "hijau"

# Default zone thresholds (SPBE.md): green from 3.50, yellow from 2.60, red below.
DEFAULT_GREEN_FROM = Decimal("3.50")
DEFAULT_YELLOW_FROM = Decimal("2.60")

# Default predikat bands, lower bound inclusive, highest first.
DEFAULT_PREDIKAT_BANDS = (
    (Decimal("4.20"), "Memuaskan"),
    (Decimal("3.50"), "Sangat Baik"),
    (Decimal("2.60"), "Baik"),
    (Decimal("1.80"), "Cukup"),
    (Decimal("0.00"), "Kurang"),
)


@dataclass(frozen=True)
class IndicatorWeight:
    """One indicator of an instrument, as the scoring rules see it."""

    indicator: int  # any key that identifies the indicator (id or number)
    aspect: int
    domain: int
    weight: Decimal


@dataclass(frozen=True)
class Figures:
    index: Decimal
    aspect_indices: dict
    domain_indices: dict
    is_complete: bool  # every indicator has a level
    is_validated: bool  # every indicator has an evaluator's level


def effective_level(evaluator_level, self_level):
    """The evaluator's level if set, else the self-assessed level, else 0 (not filled)."""
    if evaluator_level is not None:
        return evaluator_level
    if self_level is not None:
        return self_level
    return NOT_FILLED


def _weighted_average(pairs):
    total_weight = sum((weight for _level, weight in pairs), Decimal(0))
    if not total_weight:
        return Decimal(0)
    return sum((level * weight for level, weight in pairs), Decimal(0)) / total_weight


def compute_figures(indicators: Sequence[IndicatorWeight], levels: Mapping) -> Figures:
    """Index, aspect and domain indices of one assessment.

    `levels` maps an indicator key to its (evaluator_level, self_level); a missing key
    means neither is filled.
    """
    by_aspect, by_domain = {}, {}
    index = Decimal(0)
    complete = validated = True
    for item in indicators:
        evaluator_level, self_level = levels.get(item.indicator, (None, None))
        level = effective_level(evaluator_level, self_level)
        complete &= level != NOT_FILLED
        validated &= evaluator_level is not None
        index += level * item.weight
        by_aspect.setdefault(item.aspect, []).append((level, item.weight))
        by_domain.setdefault(item.domain, []).append((level, item.weight))
    return Figures(
        index=index / HUNDRED,
        aspect_indices={key: _weighted_average(pairs) for key, pairs in by_aspect.items()},
        domain_indices={key: _weighted_average(pairs) for key, pairs in by_domain.items()},
        is_complete=complete and bool(indicators),
        is_validated=validated and bool(indicators),
    )


def round_index(value) -> Decimal:
    """An index as it is shown and judged: rounded half-up to 2 decimals (3.495 → 3.50).

    A float is taken as written (1.795, not its binary value 1.79499…)."""
    if isinstance(value, float):
        value = str(value)
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def predikat_for(index, bands: Iterable = DEFAULT_PREDIKAT_BANDS) -> str:
    """The predikat whose lower bound (inclusive) the rounded index reaches.

    `bands` is a sequence of (lower_bound, name); the order does not matter.
    """
    rounded = round_index(index)
    for lower_bound, name in sorted(bands, key=lambda band: band[0], reverse=True):
        if rounded >= lower_bound:
            return name
    return ""


def zone_for(index, green_from=DEFAULT_GREEN_FROM, yellow_from=DEFAULT_YELLOW_FROM) -> str:
    """Red, yellow or green by the period thresholds, on the rounded index."""
    rounded = round_index(index)
    if rounded >= green_from:
        return ZONE_GREEN
    if rounded >= yellow_from:
        return ZONE_YELLOW
    return ZONE_RED


def competition_ranks(indices: Mapping) -> dict:
    """Rank within a pemda: higher index first, equal indices share a rank (1, 2, 2, 4).

    Equality is judged on the rounded index, the figure people see, so that two OPDs
    shown with the same index never get different ranks.
    """
    rounded = {key: round_index(value) for key, value in indices.items()}
    ordered = sorted(rounded.values(), reverse=True)
    first_position = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return {key: first_position[value] for key, value in rounded.items()}


def _percent(value):
    return format(Decimal(value).normalize(), "f")


def weight_errors(domains, aspects, indicators) -> list[str]:
    """Why an instrument's weights cannot be used for a period; empty when they can.

    domains: (number, weight); aspects: (number, domain_number, weight);
    indicators: (number, aspect_number, weight). Weights are percentages.
    """
    errors = []
    if not indicators:
        return [_("The instrument has no indicators.")]
    total = sum((Decimal(weight) for _n, _a, weight in indicators), Decimal(0))
    if total != HUNDRED:
        errors.append(
            _("The indicator weights add up to %(total)s%%, not 100%%.")
            % {"total": _percent(total)}
        )
    if any(Decimal(weight) <= 0 for _n, _a, weight in indicators):
        errors.append(_("Every indicator weight must be greater than zero."))
    for number, _domain, weight in aspects:
        own = sum((Decimal(w) for _n, aspect, w in indicators if aspect == number), Decimal(0))
        if own != Decimal(weight):
            errors.append(
                _("Aspect %(number)s weighs %(weight)s%% but its indicators add up to %(own)s%%.")
                % {"number": number, "weight": _percent(weight), "own": _percent(own)}
            )
    for number, weight in domains:
        own = sum((Decimal(w) for _n, domain, w in aspects if domain == number), Decimal(0))
        if own != Decimal(weight):
            errors.append(
                _("Domain %(number)s weighs %(weight)s%% but its aspects add up to %(own)s%%.")
                % {"number": number, "weight": _percent(weight), "own": _percent(own)}
            )
    return errors
