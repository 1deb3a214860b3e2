"""What-if figures: `simulate` (the index, predikat, zone and rank that a set of values
would give, nothing saved) and, built on it, the "jalan keluar dari zona merah" rule: the
cheapest way for an OPD to reach the next zone.

Pure functions, no ORM: callers pass the instrument's indicators (`IndicatorWeight`), the
assessment's counted values (the evaluators' levels, as for `scoring.compute_figures`)
and the period's zone thresholds. Only an assessment with figures has a zone to leave.

The rule: raising one indicator by one level adds `weight / 100` to the index (index =
Σ level × weight / 100; a decimal value rises by one, up to 5.00), so the indicators below
level 5 are taken by gain, biggest first (ties by key), each raised by one level, and the
projected index and zone are shown cumulatively. Indicators scored from another index
are not the OPD's to raise and are left out. The steps stop as soon as the projected zone is the next zone up:
the fewest one-level rises that get there. A green OPD has no next zone (no steps).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .scoring import (
    DEFAULT_GREEN_FROM,
    DEFAULT_PREDIKAT_BANDS,
    DEFAULT_YELLOW_FROM,
    HUNDRED,
    LEVEL_MAX,
    ZONE_GREEN,
    ZONE_RED,
    ZONE_YELLOW,
    IndicatorWeight,
    competition_ranks,
    compute_figures,
    predikat_for,
    round_index,
    waiting_for_default,
    zone_for,
)

NEXT_ZONE = {ZONE_RED: ZONE_YELLOW, ZONE_YELLOW: ZONE_GREEN, ZONE_GREEN: None}


@dataclass(frozen=True)
class Rules:
    """A period's rules as the projections need them: predikat bands and zone thresholds."""

    bands: tuple = DEFAULT_PREDIKAT_BANDS
    green_from: Decimal = DEFAULT_GREEN_FROM
    yellow_from: Decimal = DEFAULT_YELLOW_FROM


@dataclass(frozen=True)
class Simulation:
    """The figures a set of values would give (None/"" while not every indicator has a
    value, as for stored figures)."""

    figures: object  # scoring.Figures
    predikat: str
    zone: str
    rank: int | None  # among `others` (the period's other OPDs with figures)
    ranked: int  # how many OPDs that rank counts, this one included
    waiting: int  # external indicators counted at their default

    @property
    def index(self):
        return self.figures.index

    @property
    def rounded(self):
        return None if self.figures.index is None else round_index(self.figures.index)


def simulate(indicators: Sequence[IndicatorWeight], values: Mapping, rules=Rules(), others=None):
    """The index, predikat, zone and (given `others`, the indices of the period's other
    OPDs with figures) rank that `values` would give, by the same rules as the stored
    figures. Nothing is saved."""
    figures = compute_figures(indicators, values)
    waiting = waiting_for_default(indicators, values)
    if figures.index is None:
        return Simulation(figures, "", "", None, 0, waiting)
    rank = ranked = None
    if others is not None:
        ranks = competition_ranks({"this": figures.index, **dict(enumerate(others))})
        rank, ranked = ranks["this"], len(others) + 1
    return Simulation(
        figures,
        predikat_for(figures.index, rules.bands),
        zone_for(figures.index, rules.green_from, rules.yellow_from),
        rank,
        ranked or 0,
        waiting,
    )


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
        level = values.get(item.indicator)
        if level is None:
            level = item.default
        if level is None or item.default is not None:
            # An external indicator is not the OPD's to raise: its value comes from
            # another index.
            continue
        if level < LEVEL_MAX:
            rise = min(Decimal(1), LEVEL_MAX - Decimal(level))
            candidates.append((item, level, rise * Decimal(item.weight) / HUNDRED))
    candidates.sort(key=lambda c: (-c[2], str(c[0].indicator)))
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
    rules = Rules(green_from=green_from, yellow_from=yellow_from)
    start = simulate(indicators, values, rules)
    if start.index is None:
        raise ValueError("exit_path needs a value for every indicator")
    index, zone = start.index, start.zone
    target = NEXT_ZONE[zone]
    if target is None:
        return Projection(index=index, zone=zone, target_zone=None, reached=True)
    steps, raised = [], dict(values)
    for item, level, gain in rise_candidates(indicators, values):
        level_to = min(Decimal(level) + 1, Decimal(LEVEL_MAX))
        raised[item.indicator] = level_to
        # Each step is a what-if of its own: the same function as the simulation page.
        projected = simulate(indicators, raised, rules)
        steps.append(Step(item.indicator, level, level_to, gain, projected.index, projected.zone))
        if projected.zone != zone:
            return Projection(index, zone, target, steps, reached=True)
    return Projection(index, zone, target, steps, reached=False)
