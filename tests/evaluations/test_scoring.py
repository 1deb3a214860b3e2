"""The pure scoring rules (no database).

Every expected figure below is worked out by hand in a comment, from the weights in
evaluations/data/instruments.csv (the two shipped instruments) and the bands and zones
of SPBE.md.
"""

from decimal import Decimal

import pytest

from evaluations.services.instruments import read_rows
from evaluations.services.scoring import (
    DEFAULT_PREDIKAT_BANDS,
    FIGURE_FINAL,
    FIGURE_IN_PROGRESS,
    FIGURE_PROVISIONAL,
    ZONE_GREEN,
    ZONE_RED,
    ZONE_YELLOW,
    IndicatorWeight,
    competition_ranks,
    compute_figures,
    effective_level,
    figure_status,
    has_figures,
    predikat_for,
    round_index,
    split_levels,
    weight_errors,
    zone_for,
)

D = Decimal


def csv_rows(code):
    rows = [row for row in read_rows() if row["instrument"] == code]
    assert rows, code
    return rows


def weights_of(code):
    """The instrument as compute_figures sees it, keyed by indicator number."""
    return [
        IndicatorWeight(
            indicator=int(row["indicator_no"]),
            aspect=int(row["aspect_no"]),
            domain=int(row["domain_no"]),
            weight=D(row["indicator_weight"]),
        )
        for row in csv_rows(code)
    ]


def weight_tables(code):
    """(domains, aspects, indicators) as weight_errors takes them, as editable lists."""
    rows = csv_rows(code)
    domains = sorted({(int(r["domain_no"]), D(r["domain_weight"])) for r in rows})
    aspects = sorted(
        {(int(r["aspect_no"]), int(r["domain_no"]), D(r["aspect_weight"])) for r in rows}
    )
    indicators = [
        (int(r["indicator_no"]), int(r["aspect_no"]), D(r["indicator_weight"])) for r in rows
    ]
    return domains, aspects, indicators


def evaluator_levels(levels):
    """compute_figures takes one value per indicator: the evaluators' levels."""
    return dict(levels)


OPD = "opd-25-template"
NATIONAL = "permenpanrb-59-2020"


# --- effective level ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("evaluator", "self_assessed", "expected"),
    [
        (2, 5, 2),  # the evaluator's level wins, even when lower
        (4, 1, 4),  # ... and when higher
        (1, None, 1),
        (None, 4, 4),  # no evaluator's level yet: the self-assessment counts
        (None, None, 0),  # nothing filled: counts as 0
    ],
)
def test_effective_level(evaluator, self_assessed, expected):
    assert effective_level(evaluator, self_assessed) == expected


# --- compute_figures on the shipped instruments ------------------------------------


def test_opd_template_levels_1_to_5_pattern():
    # Indicator n gets level ((n - 1) % 5) + 1: 1,2,3,4,5,1,2,3,4,5,...
    # Aspect 1 (ind 1–4 × 3.25):   levels 1,2,3,4 = 10 → 32.5    aspect index 10/4  = 2.5
    # Aspect 2 (ind 5–8 × 2.5):    levels 5,1,2,3 = 11 → 27.5    aspect index 11/4  = 2.75
    # Aspect 3 (ind 9–12 × 2.5):   levels 4,5,1,2 = 12 → 30      aspect index 12/4  = 3
    # Aspect 4 (ind 13–14 × 2.5):  levels 3,4     = 7  → 17.5    aspect index 7/2   = 3.5
    # Aspect 5 (ind 15–19 × 3.3):  levels 5,1,2,3,4 = 15 → 49.5  aspect index 15/5  = 3
    # Aspect 6 (ind 20–23 × 6.875): levels 5,1,2,3 = 11 → 75.625 aspect index 11/4 = 2.75
    # Aspect 7 (ind 24–25 × 9):    levels 4,5     = 9  → 81      aspect index 9/2   = 4.5
    # Domain 1 = 32.5/13 = 2.5; domain 2 = (27.5+30+17.5)/25 = 3; domain 3 = 49.5/16.5 = 3;
    # domain 4 = (75.625+81)/45.5 = 156.625/45.5 = 3.442307…
    # Index = (32.5+27.5+30+17.5+49.5+75.625+81)/100 = 313.625/100 = 3.13625 → 3.14
    levels = {n: (n - 1) % 5 + 1 for n in range(1, 26)}
    figures = compute_figures(weights_of(OPD), evaluator_levels(levels))

    assert figures.index == D("3.13625")
    assert round_index(figures.index) == D("3.14")
    assert figures.aspect_indices == {
        1: D("2.5"),
        2: D("2.75"),
        3: D("3"),
        4: D("3.5"),
        5: D("3"),
        6: D("2.75"),
        7: D("4.5"),
    }
    assert {k: v.quantize(D("0.0001")) for k, v in figures.domain_indices.items()} == {
        1: D("2.5000"),
        2: D("3.0000"),
        3: D("3.0000"),
        4: D("3.4423"),
    }
    assert figures.domain_indices[4] == D("156.625") / D("45.5")
    assert figures.is_complete
    assert (figures.counted, figures.total) == (25, 25)
    assert predikat_for(figures.index) == "Baik"
    assert zone_for(figures.index) == ZONE_YELLOW


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("code", [OPD, NATIONAL])
def test_same_level_everywhere_gives_that_level(code, level):
    # The weights add up to exactly 100, so Σ level × weight / 100 = level, and every
    # aspect and domain index is that level too.
    indicators = weights_of(code)
    figures = compute_figures(indicators, evaluator_levels(dict.fromkeys(range(1, 48), level)))
    assert figures.index == level
    assert set(figures.aspect_indices.values()) == {level}
    assert set(figures.domain_indices.values()) == {level}


def test_national_instrument_hand_computed():
    levels = {}
    # Aspect 1 (ind 1–10 × 1.3): 4,4,4,3,3,3,3,3,2,2 = 31 → 40.3; aspect index 3.1
    levels.update(zip(range(1, 11), [4, 4, 4, 3, 3, 3, 3, 3, 2, 2], strict=True))
    # Aspect 2 (ind 11–14 × 2.5): 3,3,2,2 = 10 → 25; aspect index 2.5
    levels.update(zip(range(11, 15), [3, 3, 2, 2], strict=True))
    # Aspect 3 (ind 15–18 × 2.5): 3,3,3,3 = 12 → 30; aspect index 3
    levels.update(dict.fromkeys(range(15, 19), 3))
    # Aspect 4 (ind 19–20 × 2.5): 2,1 = 3 → 7.5; aspect index 1.5
    levels.update({19: 2, 20: 1})
    # Aspect 5 (ind 21–28 × 1.5): all 2 = 16 → 24; aspect index 2
    levels.update(dict.fromkeys(range(21, 29), 2))
    # Aspect 6 (ind 29–31 × 1.5): all 1 = 3 → 4.5; aspect index 1
    levels.update(dict.fromkeys(range(29, 32), 1))
    # Aspect 7 (ind 32–41 × 2.75): all 4 = 40 → 110; aspect index 4
    levels.update(dict.fromkeys(range(32, 42), 4))
    # Aspect 8 (ind 42–47 × 3): 4,4,3,3,3,3 = 20 → 60; aspect index 20/6 = 3.333…
    levels.update(zip(range(42, 48), [4, 4, 3, 3, 3, 3], strict=True))
    # Domain 1 = 40.3/13 = 3.1; domain 2 = (25+30+7.5)/25 = 2.5;
    # domain 3 = (24+4.5)/16.5 = 1.7272…; domain 4 = (110+60)/45.5 = 3.7362…
    # Index = (40.3+62.5+28.5+170)/100 = 301.3/100 = 3.013 → 3.01 Baik
    figures = compute_figures(weights_of(NATIONAL), evaluator_levels(levels))

    assert figures.index == D("3.013")
    assert {k: v.quantize(D("0.0001")) for k, v in figures.aspect_indices.items()} == {
        1: D("3.1000"),
        2: D("2.5000"),
        3: D("3.0000"),
        4: D("1.5000"),
        5: D("2.0000"),
        6: D("1.0000"),
        7: D("4.0000"),
        8: D("3.3333"),
    }
    assert {k: v.quantize(D("0.0001")) for k, v in figures.domain_indices.items()} == {
        1: D("3.1000"),
        2: D("2.5000"),
        3: D("1.7273"),
        4: D("3.7363"),
    }
    # The same index, the other way round: Σ domain index × domain weight / 100.
    domain_weights = {1: D("13"), 2: D("25"), 3: D("16.5"), 4: D("45.5")}
    via_domains = sum(figures.domain_indices[d] * w for d, w in domain_weights.items()) / 100
    assert round_index(via_domains) == D("3.01")
    assert abs(via_domains - figures.index) < D("1e-20")
    assert predikat_for(figures.index) == "Baik"


def test_national_2024_check_from_domain_indices():
    # SPBE.md: national 2024 domain indices 3.36 / 2.62 / 1.86 / 3.78 weighted
    # 13 / 25 / 16.5 / 45.5: 43.68 + 65.5 + 30.69 + 171.99 = 311.86 → 3.1186 → 3.12 (Baik).
    domains = [
        IndicatorWeight(indicator=1, aspect=1, domain=1, weight=D("13")),
        IndicatorWeight(indicator=2, aspect=2, domain=2, weight=D("25")),
        IndicatorWeight(indicator=3, aspect=3, domain=3, weight=D("16.5")),
        IndicatorWeight(indicator=4, aspect=4, domain=4, weight=D("45.5")),
    ]
    levels = {1: D("3.36"), 2: D("2.62"), 3: D("1.86"), 4: D("3.78")}
    figures = compute_figures(domains, evaluator_levels(levels))
    assert figures.index == D("3.1186")
    assert round_index(figures.index) == D("3.12")
    assert predikat_for(figures.index) == "Baik"
    assert figures.domain_indices == levels


def test_aspect_index_is_weighted_within_its_weight():
    # Unequal weights inside one aspect: 1 × 3 and 4 × 1 (weights 75 and 25):
    # aspect index = (3×75 + 1×25)/100 = 2.5, not the plain mean 2.
    indicators = [
        IndicatorWeight(indicator=1, aspect=1, domain=1, weight=D("75")),
        IndicatorWeight(indicator=2, aspect=1, domain=1, weight=D("25")),
    ]
    figures = compute_figures(indicators, evaluator_levels({1: 3, 2: 1}))
    assert figures.aspect_indices == {1: D("2.5")}
    assert figures.domain_indices == {1: D("2.5")}
    assert figures.index == D("2.5")


def test_an_unfilled_indicator_leaves_no_index_rather_than_a_zero():
    # OPD template, level 4 everywhere except indicator 25 left empty. Counting the blank
    # as zero would give (100 − 9) × 4 / 100 = 3.64, a figure nobody measured: there is no
    # index, no aspect or domain index, only how far the filling got.
    levels = dict.fromkeys(range(1, 25), 4)
    figures = compute_figures(weights_of(OPD), levels)
    assert figures.index is None
    assert figures.aspect_indices == {} and figures.domain_indices == {}
    assert (figures.counted, figures.total) == (24, 25)
    assert not figures.is_complete


def test_one_of_25_filled_is_in_progress_not_red():
    # The header after the first indicator once read "Indeks 0,13 · Kurang · Merah".
    figures = compute_figures(weights_of(OPD), {1: 4})
    assert figures.index is None and (figures.counted, figures.total) == (1, 25)
    assert figure_status(figures.counted, figures.total, period_final=False) == FIGURE_IN_PROGRESS
    assert not has_figures(FIGURE_IN_PROGRESS)


def test_nothing_filled_and_no_indicators_are_never_complete():
    assert compute_figures(weights_of(OPD), {}).index is None
    figures = compute_figures([], {})
    assert figures.index is None and not figures.is_complete


@pytest.mark.parametrize(
    ("validated", "total", "final", "status"),
    [
        (0, 25, False, FIGURE_IN_PROGRESS),
        (24, 25, False, FIGURE_IN_PROGRESS),  # one indicator not validated yet
        (24, 25, True, FIGURE_IN_PROGRESS),  # even in a final period
        (25, 25, False, FIGURE_PROVISIONAL),  # complete, period not final
        (25, 25, True, FIGURE_FINAL),
        (0, 0, True, FIGURE_IN_PROGRESS),  # an instrument without indicators
    ],
)
def test_figure_status(validated, total, final, status):
    assert figure_status(validated, total, final) == status
    assert has_figures(status) == (status != FIGURE_IN_PROGRESS)


def test_the_figures_count_the_evaluators_levels_only():
    indicators = weights_of(OPD)
    pairs = dict.fromkeys(range(1, 26), (3, 5))
    evaluated, own = split_levels(pairs)
    assert compute_figures(indicators, evaluated).index == 3
    assert compute_figures(indicators, own).index == 5  # the OPD's own claim, apart

    # Indicator 13 only self-assessed (5): the evaluators' figures are not complete (24 of
    # 25 validated) although every indicator has some level: no mixed index of 3.05.
    evaluated, own = split_levels({**pairs, 13: (None, 5)})
    figures = compute_figures(indicators, evaluated)
    assert figures.index is None and figures.counted == 24
    assert compute_figures(indicators, own).index == 5


# --- rounding, predikat and zone ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("3.495"), D("3.50")),  # half-up, not banker's rounding
        (D("3.494999"), D("3.49")),
        (D("2.585"), D("2.59")),
        (D("3.13625"), D("3.14")),
        (D("4.2"), D("4.20")),
        (3, D("3.00")),
        ("1.795", D("1.80")),
        # A float is taken as written: 1.795 is 1.79499… in binary, which would give 1.79.
        (1.795, D("1.80")),
        (2.675, D("2.68")),
    ],
)
def test_round_index_half_up(value, expected):
    rounded = round_index(value)
    assert rounded == expected
    assert rounded.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("index", "predikat"),
    [
        ("0", "Kurang"),
        ("1.79", "Kurang"),
        ("1.794999", "Kurang"),
        ("1.795", "Cukup"),
        ("1.80", "Cukup"),
        ("2.59", "Cukup"),
        ("2.60", "Baik"),
        ("3.49", "Baik"),
        ("3.494999", "Baik"),
        ("3.495", "Sangat Baik"),
        ("3.50", "Sangat Baik"),
        ("4.19", "Sangat Baik"),
        ("4.195", "Memuaskan"),
        ("4.20", "Memuaskan"),
        ("5.00", "Memuaskan"),
    ],
)
def test_predikat_at_band_boundaries(index, predikat):
    assert predikat_for(D(index)) == predikat
    assert predikat_for(D(index), DEFAULT_PREDIKAT_BANDS) == predikat


def test_predikat_with_custom_bands_in_any_order():
    bands = [(D("2.00"), "B"), (D("0"), "C"), (D("3.00"), "A")]
    assert predikat_for(D("2.995"), bands) == "A"
    assert predikat_for(D("2.994"), bands) == "B"
    assert predikat_for(D("1.99"), bands) == "C"
    # Below every band there is no predikat.
    assert predikat_for(D("0.5"), [(D("1.00"), "X")]) == ""


@pytest.mark.parametrize(
    ("index", "zone"),
    [
        ("0", ZONE_RED),
        ("2.59", ZONE_RED),
        ("2.594999", ZONE_RED),
        ("2.595", ZONE_YELLOW),
        ("2.60", ZONE_YELLOW),
        ("3.49", ZONE_YELLOW),
        ("3.495", ZONE_GREEN),
        ("3.50", ZONE_GREEN),
        ("5", ZONE_GREEN),
    ],
)
def test_zone_with_default_thresholds(index, zone):
    assert zone_for(D(index)) == zone


@pytest.mark.parametrize(
    ("index", "zone"),
    [
        ("1.99", ZONE_RED),
        ("1.995", ZONE_YELLOW),
        ("2.00", ZONE_YELLOW),
        ("2.99", ZONE_YELLOW),
        ("2.995", ZONE_GREEN),
        ("3.00", ZONE_GREEN),
        ("3.50", ZONE_GREEN),
    ],
)
def test_zone_with_custom_thresholds(index, zone):
    assert zone_for(D(index), green_from=D("3.00"), yellow_from=D("2.00")) == zone


# --- ranking -----------------------------------------------------------------------


def test_competition_ranks_share_ties_and_skip():
    ranks = competition_ranks({"a": D("3.20"), "b": D("3.10"), "c": D("3.10"), "d": D("2.00")})
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_competition_ranks_judge_ties_on_the_rounded_index():
    # 3.104 and 3.095 are both shown as 3.10 → same rank; 3.105 is shown as 3.11.
    ranks = competition_ranks({"x": D("3.104"), "y": D("3.095"), "z": D("3.105"), "w": D("3.0949")})
    assert ranks == {"z": 1, "x": 2, "y": 2, "w": 4}


def test_competition_ranks_all_equal_and_empty():
    assert competition_ranks({1: D("0"), 2: D("0"), 3: D("0")}) == {1: 1, 2: 1, 3: 1}
    assert competition_ranks({}) == {}


# --- weight errors -----------------------------------------------------------------


@pytest.mark.parametrize("code", [OPD, NATIONAL])
def test_shipped_instruments_have_usable_weights(code):
    assert weight_errors(*weight_tables(code)) == []


def test_total_not_100_names_the_total():
    domains, aspects, indicators = weight_tables(NATIONAL)
    # Indicator 47: 3 → 2.9, the total becomes 99.9 (and aspect 8 17.9 instead of 18).
    indicators[-1] = (47, 8, D("2.9"))
    errors = weight_errors(domains, aspects, indicators)
    assert any("99.9" in e and "100" in e for e in errors), errors
    assert any("17.9" in e and "18" in e for e in errors), errors
    assert len(errors) == 2


def test_aspect_weight_must_match_its_indicators():
    domains, aspects, indicators = weight_tables(OPD)
    # Aspect 2 claims 11 while its indicators add up to 10 (and domain 2's aspects to 26).
    aspects = [(n, d, D("11") if n == 2 else w) for n, d, w in aspects]
    errors = weight_errors(domains, aspects, indicators)
    assert any("2" in e and "11" in e and "10" in e for e in errors), errors
    assert any("25" in e and "26" in e for e in errors), errors
    assert len(errors) == 2


def test_domain_weight_must_match_its_aspects():
    domains, aspects, indicators = weight_tables(OPD)
    domains = [(n, D("14") if n == 1 else w) for n, w in domains]
    errors = weight_errors(domains, aspects, indicators)
    assert len(errors) == 1
    assert "14" in errors[0] and "13" in errors[0]


def test_indicator_weights_must_be_positive():
    domains, aspects, indicators = weight_tables(OPD)
    # Indicator 1: 3.25 → 0, indicator 2: 3.25 → 6.5: every sum still adds up.
    indicators[0] = (1, 1, D("0"))
    indicators[1] = (2, 1, D("6.5"))
    errors = weight_errors(domains, aspects, indicators)
    assert len(errors) == 1
    indicators[0] = (1, 1, D("-1"))
    indicators[1] = (2, 1, D("7.5"))
    assert len(weight_errors(domains, aspects, indicators)) == 1


def test_an_instrument_without_indicators_is_refused():
    errors = weight_errors([(1, D("100"))], [(1, 1, D("100"))], [])
    assert len(errors) == 1
    assert errors[0]
