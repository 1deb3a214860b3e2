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
    domain: int | None  # None in an instrument without domains
    weight: Decimal
    # What the indicator counts while it has no value: an external indicator's default
    # (1.00 until the other index's value is entered); None: not filled.
    default: Decimal | None = None


@dataclass(frozen=True)
class Figures:
    """What one set of values (the evaluators' levels, or the OPD's own) gives.

    `index`, `aspect_indices` and `domain_indices` exist only when every indicator has
    a value: an index over a partly filled instrument would count the blanks as zero
    and tell a story nobody measured. Until then they are None / empty and `counted`
    says how far the filling got."""

    index: Decimal | None
    aspect_indices: dict
    domain_indices: dict
    counted: int  # indicators that have a value
    total: int  # indicators of the instrument

    @property
    def is_complete(self):
        return bool(self.total) and self.counted == self.total


# --- What a figure means (README, "Arti angka") ---------------------------------------
#
# The figures of an assessment (index, predikat, zone, rank) are computed from the
# evaluators' levels only. The OPD's self-assessed levels give a separate "indeks
# mandiri", shown as the OPD's own claim and never ranked or zoned. The status says how
# far the figures can be trusted:
#
#   in progress  not every indicator has an evaluator's level: no index, predikat, zone
#                or rank; pages show how many indicators are filled and validated;
#   provisional  every indicator has an evaluator's level, the period is not final: the
#                figures may still change (appeals, later stages, reopening);
#   final        the period is final: the figures change only through a recorded reopen.
FIGURE_IN_PROGRESS = "proses"
FIGURE_PROVISIONAL = "sementara"
FIGURE_FINAL = "final"


def figure_status(validated: int, total: int, period_final: bool) -> str:
    """In progress, provisional or final (the rule above)."""
    if not total or validated < total:
        return FIGURE_IN_PROGRESS
    return FIGURE_FINAL if period_final else FIGURE_PROVISIONAL


def has_figures(status: str) -> bool:
    """Do figures of this status carry an index, predikat, zone and rank?"""
    return status in (FIGURE_PROVISIONAL, FIGURE_FINAL)


def effective_level(evaluator_level, self_level):
    """The evaluator's level if set, else the self-assessed level, else 0 (not filled).

    Only for what-if projections and comparisons shown as such: stored figures come
    from the evaluators' levels alone (`compute_figures`)."""
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


def compute_figures(indicators: Sequence[IndicatorWeight], values: Mapping) -> Figures:
    """Index, aspect and domain indices from one value per indicator.

    `values` maps an indicator key to its value (a level, or a decimal value). A missing
    key means not filled; None means no value yet, which counts the indicator's default
    where it has one (an external indicator waiting for its value) and is not filled
    otherwise. Index = Σ value × weight / 100; an aspect
    or domain index is the weighted average of its indicators' values."""
    by_aspect, by_domain = {}, {}
    index = Decimal(0)
    counted = 0
    for item in indicators:
        if item.indicator not in values:
            continue  # no score at all: not filled
        value = values[item.indicator]
        if value is None:
            value = item.default
        if value is None:
            continue
        counted += 1
        index += value * item.weight
        by_aspect.setdefault(item.aspect, []).append((value, item.weight))
        if item.domain is not None:
            by_domain.setdefault(item.domain, []).append((value, item.weight))
    total = len(indicators)
    if not total or counted < total:
        return Figures(None, {}, {}, counted, total)
    return Figures(
        index=index / HUNDRED,
        aspect_indices={key: _weighted_average(pairs) for key, pairs in by_aspect.items()},
        domain_indices={key: _weighted_average(pairs) for key, pairs in by_domain.items()},
        counted=counted,
        total=total,
    )


def split_levels(levels: Mapping):
    """{key: (evaluator_level, self_level)} → ({key: evaluator_level}, {key: self_level}),
    keeping every key (None: no value yet)."""
    evaluated = {key: pair[0] for key, pair in levels.items()}
    own = {key: pair[1] for key, pair in levels.items()}
    return evaluated, own


def waiting_for_default(indicators: Sequence[IndicatorWeight], values: Mapping) -> int:
    """How many indicators count their default because they have no value yet (external
    indicators waiting for the other index's value)."""
    return sum(
        1
        for item in indicators
        if item.default is not None and item.indicator in values and values[item.indicator] is None
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

    domains: (number, weight); aspects: (number, domain_number or None, weight);
    indicators: (number, aspect_number, weight). Weights are percentages. An instrument
    may have no domains (its aspects then carry the whole index); if it has domains,
    every aspect belongs to one.
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
    if domains and any(domain is None for _n, domain, _w in aspects):
        errors.append(_("Every aspect must belong to a domain when the instrument has domains."))
    for number, weight in domains:
        own = sum((Decimal(w) for _n, domain, w in aspects if domain == number), Decimal(0))
        if own != Decimal(weight):
            errors.append(
                _("Domain %(number)s weighs %(weight)s%% but its aspects add up to %(own)s%%.")
                % {"number": number, "weight": _percent(weight), "own": _percent(own)}
            )
    return errors


# --- Values as typed -----------------------------------------------------------------

VALUE_PLACES = Decimal("0.01")


def clean_value(value, decimal_values=False):
    """An indicator value from what someone typed or a file holds: a whole level 1–5, or
    (instruments with decimal values) a decimal 1.00–5.00 with at most two decimals,
    written with a comma or a point. Raises ValueError; None for an empty value."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip().replace(",", ".")
    try:
        number = Decimal(text)
    except ArithmeticError:
        raise ValueError(text) from None
    if not number.is_finite() or not LEVEL_MIN <= number <= LEVEL_MAX:
        raise ValueError(text)
    if decimal_values:
        if number != number.quantize(VALUE_PLACES):
            raise ValueError(text)
        return number.quantize(VALUE_PLACES)
    if number != number.to_integral_value():
        raise ValueError(text)
    return Decimal(int(number))


ITEM_VALUE_PLACES = Decimal("0.0001")


def item_value(levels_and_weights):
    """An indicator's value from its items: the weighted mean of their levels, an item
    without a weight weighing 1. None unless every item has a level. Stored with four
    decimals, rounded half-up (11/3 → 3.6667)."""
    pairs = [
        (level, Decimal(1) if weight is None else Decimal(weight))
        for level, weight in levels_and_weights
    ]
    if not pairs or any(level is None for level, _w in pairs):
        return None
    total = sum((weight for _l, weight in pairs), Decimal(0))
    mean = sum((Decimal(level) * weight for level, weight in pairs), Decimal(0)) / total
    return mean.quantize(ITEM_VALUE_PLACES, rounding=ROUND_HALF_UP)


def plain_value(value, decimal_values=False):
    """A stored value as files and APIs write it: a whole level as an int (3); a decimal
    value with two decimals (1.26), or four where an item mean has them (2.6667)."""
    if value is None:
        return None
    value = Decimal(value)
    if not decimal_values:
        return int(value) if value == value.to_integral_value() else value.normalize()
    two = value.quantize(VALUE_PLACES)
    return two if two == value else value.quantize(ITEM_VALUE_PLACES)
