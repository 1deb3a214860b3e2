"""The "jalan keluar dari zona merah" rule: the cheapest way for an OPD to reach the next zone.

Pure functions, no ORM: callers pass the instrument's indicators (`IndicatorWeight`), the
assessment's counted values (the evaluators' levels, as for `scoring.compute_figures`)
and the period's zone thresholds. Only an assessment with figures has a zone to leave.

The rule: raising one indicator by one level adds `weight / 100` to the index (index =
Σ level × weight / 100), so the indicators below level 5 are taken by weight, heaviest
first (ties by key), each raised by one level, and the projected index and zone are
shown cumulatively. The steps stop as soon as the projected zone is the next zone up:
the fewest one-level rises that get there. A green OPD has no next zone (no steps).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .scoring import (
    DEFAULT_GREEN_FROM,
    DEFAULT_YELLOW_FROM,
    HUNDRED,
    LEVEL_MAX,
    ZONE_GREEN,
    ZONE_RED,
    ZONE_YELLOW,
    IndicatorWeight,
    compute_figures,
    round_index,
    zone_for,
)

NEXT_ZONE = {ZONE_RED: ZONE_YELLOW, ZONE_YELLOW: ZONE_GREEN, ZONE_GREEN: None}


@dataclass(frozen=True)
class Step:
    indicator: object  # the IndicatorWeight.indicator key
    level_from: int
    level_to: int
    gain: Decimal  # added to the index by this one-level rise
    projected_index: Decimal  # cumulative, unrounded
    projected_zone: str

    @property
    def projected_rounded(self):
        return round_index(self.projected_index)


@dataclass(frozen=True)
class Projection:
    index: Decimal
    zone: str
    target_zone: str | None
    steps: list = field(default_factory=list)
    reached: bool = False  # the steps reach the target zone

    @property
    def projected_index(self):
        return self.steps[-1].projected_index if self.steps else self.index

    @property
    def projected_zone(self):
        return self.steps[-1].projected_zone if self.steps else self.zone


def rise_candidates(indicators: Sequence[IndicatorWeight], values: Mapping):
    """(indicator, counted level, gain) of every indicator below level 5, biggest gain
    first; equal gains in the order of their keys."""
    candidates = []
    for item in indicators:
        level = values[item.indicator]
        if level < LEVEL_MAX:
            candidates.append((item, level, Decimal(item.weight) / HUNDRED))
    candidates.sort(key=lambda c: (-c[2], c[0].indicator))
    return candidates


def exit_path(
    indicators: Sequence[IndicatorWeight],
    values: Mapping,
    green_from=DEFAULT_GREEN_FROM,
    yellow_from=DEFAULT_YELLOW_FROM,
) -> Projection:
    """The fewest one-level rises that lift the OPD into the next zone.

    `values` maps every indicator key to its counted level, as `compute_figures` takes
    them (a complete assessment: the projection starts from its figures). When even
    raising every indicator below 5 by one level does not reach the next zone, all those
    steps are returned and `reached` is False.
    """
    index = compute_figures(indicators, values).index
    if index is None:
        raise ValueError("exit_path needs a value for every indicator")
    zone = zone_for(index, green_from, yellow_from)
    target = NEXT_ZONE[zone]
    if target is None:
        return Projection(index=index, zone=zone, target_zone=None, reached=True)
    steps, projected = [], index
    for item, level, gain in rise_candidates(indicators, values):
        projected += gain
        projected_zone = zone_for(projected, green_from, yellow_from)
        steps.append(Step(item.indicator, level, level + 1, gain, projected, projected_zone))
        if projected_zone != zone:
            return Projection(index, zone, target, steps, reached=True)
    return Projection(index, zone, target, steps, reached=False)
