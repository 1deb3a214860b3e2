"""The "jalan keluar dari zona merah" rule on hand-computed cases (pure, no database)."""

from decimal import Decimal

import pytest

from evaluations.services.projections import exit_path, rise_candidates
from evaluations.services.scoring import IndicatorWeight, compute_figures

D = Decimal


def instrument(*weights):
    """Indicators 1..n, one aspect and domain each, with the given weights (%)."""
    return [IndicatorWeight(n, n, 1, D(str(w))) for n, w in enumerate(weights, start=1)]


def evaluated(*levels):
    """The evaluators' levels of indicators 1..n: the projection starts from figures."""
    return dict(enumerate(levels, start=1))


def test_red_opd_takes_the_heaviest_indicators_until_yellow():
    # 40/30/20/10 % at level 2: index 2,00 (red). +0,40 → 2,40 (red); +0,30 → 2,70 (yellow).
    path = exit_path(instrument(40, 30, 20, 10), evaluated(2, 2, 2, 2))
    assert path.index == D("2.00") and path.zone == "merah" and path.target_zone == "kuning"
    assert path.reached
    assert [(s.indicator, s.level_from, s.level_to) for s in path.steps] == [(1, 2, 3), (2, 2, 3)]
    assert [s.gain for s in path.steps] == [D("0.40"), D("0.30")]
    assert [s.projected_index for s in path.steps] == [D("2.40"), D("2.70")]
    assert [s.projected_zone for s in path.steps] == ["merah", "kuning"]
    assert path.projected_index == D("2.70") and path.projected_zone == "kuning"


def test_projection_equals_the_index_of_the_raised_levels():
    indicators = instrument(40, 30, 20, 10)
    path = exit_path(indicators, evaluated(2, 2, 2, 2))
    raised = compute_figures(indicators, evaluated(3, 3, 2, 2)).index
    assert path.projected_index == raised


def test_equal_weights_go_in_indicator_order():
    # 50/25/25 % at levels 2, 2 and 1: 1,00 + 0,50 + 0,25 = 1,75 (red). +0,50 → 2,25;
    # +0,25 (indicator 2) → 2,50; +0,25 (indicator 3) → 2,75: yellow.
    path = exit_path(instrument(50, 25, 25), evaluated(2, 2, 1))
    assert path.index == D("1.75")
    assert [(s.indicator, s.level_from, s.level_to) for s in path.steps] == [
        (1, 2, 3),
        (2, 2, 3),
        (3, 1, 2),
    ]
    assert path.projected_index == D("2.75") and path.reached


def test_not_reaching_the_next_zone_returns_every_rise():
    # 50/50 % at level 1: 1,00 (red); +0,50, +0,50 → 2,00: still red.
    path = exit_path(instrument(50, 50), evaluated(1, 1))
    assert len(path.steps) == 2 and path.projected_index == D("2.00")
    assert not path.reached and path.projected_zone == "merah"


def test_an_assessment_without_figures_has_no_projection():
    with pytest.raises(ValueError):
        exit_path(instrument(50, 50), {1: 2})


def test_the_threshold_is_judged_on_the_rounded_index():
    # 59,5/40,5 % at levels 2 and 1: 1,19 + 0,405 = 1,595. +0,595 → 2,19; +0,405 → 2,595,
    # shown as 2,60: yellow.
    path = exit_path(instrument("59.5", "40.5"), evaluated(2, 1))
    assert path.index == D("1.595")
    assert [s.projected_index for s in path.steps] == [D("2.190"), D("2.595")]
    assert path.steps[-1].projected_rounded == D("2.60")
    assert path.reached and path.projected_zone == "kuning"


def test_indicators_at_level_5_are_skipped_and_yellow_aims_for_green():
    # 60/40 % at levels 5 and 1: 3,00 + 0,40 = 3,40 (yellow). Only indicator 2 can rise:
    # +0,40 → 3,80 (green).
    path = exit_path(instrument(60, 40), evaluated(5, 1))
    assert path.zone == "kuning" and path.target_zone == "hijau"
    assert [(s.indicator, s.level_from, s.level_to) for s in path.steps] == [(2, 1, 2)]
    assert path.projected_index == D("3.80") and path.reached


def test_green_has_no_next_zone():
    path = exit_path(instrument(60, 40), evaluated(4, 4))
    assert path.zone == "hijau" and path.target_zone is None
    assert path.steps == [] and path.projected_index == D("4.00")


def test_custom_thresholds_are_used():
    # Yellow from 2,00: 40/30/20/10 at level 1 is 1,00 (red); +0,40, +0,30, +0,20 → 1,90
    # (red), +0,10 → 2,00 (yellow).
    path = exit_path(instrument(40, 30, 20, 10), evaluated(1, 1, 1, 1), D("3.00"), D("2.00"))
    assert len(path.steps) == 4 and path.projected_index == D("2.00") and path.reached


def test_candidates_are_sorted_by_gain():
    candidates = rise_candidates(instrument(10, 30, 30, 30), evaluated(1, 5, 2, 3))
    assert [(item.indicator, level, gain) for item, level, gain in candidates] == [
        (3, 2, D("0.30")),
        (4, 3, D("0.30")),
        (1, 1, D("0.10")),
    ]
