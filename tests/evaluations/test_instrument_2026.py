"""PermenPANRB 8/2026 (Indeks Pemerintah Digital) as data: the shipped instrument, its
decimal values, its bands, the indicators scored from other indices, items. Every
expected figure is worked out by hand in a comment (weights from
evaluations/data/instruments-2026.csv, bands from SPBE.md)."""

from decimal import Decimal

import pytest

from evaluations.models import FigureStatus, Instrument
from evaluations.services.instruments import (
    BANDS_2026,
    CSV_2026,
    instrument_weights,
    read_rows,
)
from evaluations.services.recompute import recompute_period
from evaluations.services.scoring import (
    IndicatorWeight,
    clean_value,
    compute_figures,
    item_value,
    predikat_for,
    round_index,
    waiting_for_default,
)
from tests.factories import make_period

D = Decimal
CODE = "permenpanrb-8-2026"


def weights_2026():
    """The instrument as the scoring rules see it, keyed by code (I1 … I20)."""
    return [
        IndicatorWeight(
            indicator=row["indicator_code"],
            aspect=int(row["aspect_no"]),
            domain=None,
            weight=D(row["indicator_weight"]),
            default=D("1.00") if row["external_source"] else None,
        )
        for row in read_rows(CSV_2026)
    ]


# I5 and I7 wait for their external value (None: their default 1.00 counts); I6 and
# I18 … I18 waits too; I6 is entered at 2.40.
VALUES = {
    "I1": D("2.50"),
    "I2": D("1.26"),  # A1 (5+5): (12.5 + 6.3) / 10 = 1.88
    "I3": D("3.00"),
    "I4": D("2.00"),  # A2 (5+5): (15 + 10) / 10 = 2.5
    "I5": None,
    "I6": D("2.40"),
    "I7": None,
    "I8": D("1.17"),  # fmt: skip
    # A3 (5+3+3+4): (1×5 + 2.4×3 + 1×3 + 1.17×4) / 15 = 19.88 / 15 = 1.32533…
    "I9": D("2.00"),
    "I10": D("2.50"),
    "I11": D("1.50"),
    "I12": D("3.00"),  # fmt: skip
    # A4 (4+4+3+4): (8 + 10 + 4.5 + 12) / 15 = 34.5 / 15 = 2.3
    "I13": D("3.50"),
    "I14": D("3.00"),  # A5 (5+5): (17.5 + 15) / 10 = 3.25
    "I15": D("2.00"),
    "I16": D("2.50"),
    "I17": D("3.00"),
    "I18": None,  # fmt: skip
    # A6 (4+4+4+3): (8 + 10 + 12 + 3) / 15 = 33 / 15 = 2.2
    "I19": D("3.00"),
    "I20": D("2.00"),  # A7 (10+15): (30 + 30) / 25 = 2.4
}
# Index = (18.8 + 25 + 19.88 + 34.5 + 32.5 + 33 + 60) / 100 = 223.68 / 100 = 2.2368
# → 2.24: Cukup (1.50 – <2.50).


def test_the_shipped_instrument_is_the_regulation_as_data(db):
    instrument = Instrument.objects.get(kode=CODE)
    assert instrument.nilai_desimal and instrument.is_published and not instrument.pemda
    assert not instrument.has_domains and instrument.aspects.count() == 7
    assert instrument.weight_problems() == []
    indicators = list(instrument.indicators.order_by("nomor"))
    assert [i.kode for i in indicators] == [f"I{n}" for n in range(1, 21)]
    assert sum(i.bobot for i in indicators) == D("100")  # exactly
    assert {i.kode: i.bobot for i in indicators}["I20"] == D("15")
    external = {i.kode: (i.sumber_eksternal, i.nilai_bawaan) for i in indicators if i.is_external}
    assert set(external) == {"I5", "I6", "I7", "I18"}
    assert external["I5"] == ("Skor Satu Data Indonesia (Bappenas)", D("1.00"))
    aspect_weights = list(instrument.aspects.order_by("nomor").values_list("bobot", flat=True))
    assert aspect_weights == [D(w) for w in (10, 10, 15, 15, 10, 15, 25)]
    assert sorted(instrument.bands.values_list("batas_bawah", "nama")) == sorted(BANDS_2026)
    names = list(indicators[0].criteria.order_by("level").values_list("nama", flat=True))
    assert names == [
        "Rintisan",
        "Terkelola",
        "Terstandarisasi",
        "Terintegrasi dan Terukur",
        "Optimum",
    ]


def test_decimal_values_give_the_hand_computed_index_with_externals_waiting():
    figures = compute_figures(weights_2026(), VALUES)
    assert figures.index == D("2.2368")
    assert round_index(figures.index) == D("2.24")
    assert predikat_for(figures.index, BANDS_2026) == "Cukup"
    assert figures.aspect_indices[1] == D("1.88")
    assert figures.aspect_indices[3] == D("19.88") / 15
    assert figures.aspect_indices[7] == D("2.4")
    assert figures.domain_indices == {}  # no domains: pages show the aspects
    assert figures.counted == 20
    assert waiting_for_default(weights_2026(), VALUES) == 3  # I5, I7, I18


def test_an_external_value_entered_replaces_the_default():
    # I5 (weight 5) entered at 3.00 instead of the waiting 1.00: + 2 × 5 / 100 = + 0.10.
    figures = compute_figures(weights_2026(), {**VALUES, "I5": D("3.00")})
    assert figures.index == D("2.3368")
    assert waiting_for_default(weights_2026(), {**VALUES, "I5": D("3.00")}) == 2


@pytest.mark.parametrize(
    ("index", "predikat"),
    [
        ("1.00", "Kurang"),
        ("1.49", "Kurang"),
        ("1.494", "Kurang"),
        ("1.495", "Cukup"),  # rounded to 1.50 first
        ("1.50", "Cukup"),
        ("2.49", "Cukup"),
        ("2.50", "Baik"),
        ("3.49", "Baik"),
        ("3.50", "Sangat Baik"),
        ("3.99", "Sangat Baik"),
        ("4.00", "Memuaskan"),
        ("5.00", "Memuaskan"),
        ("0.99", ""),  # below 1.00: off the scale
    ],
)
def test_the_2026_bands_at_their_boundaries(index, predikat):
    assert predikat_for(D(index), BANDS_2026) == predikat


def test_item_levels_give_the_indicator_value():
    # Three items at 2, 3, 3 with equal weights: 8 / 3 = 2.66666… → 2.6667.
    assert item_value([(2, None), (3, None), (3, None)]) == D("2.6667")
    # Weighted 1, 1, 2: (2 + 3 + 6) / 4 = 2.75.
    assert item_value([(2, 1), (3, 1), (3, 2)]) == D("2.75")
    assert item_value([(2, None), (None, None)]) is None  # not every item has a level
    assert item_value([]) is None


@pytest.mark.parametrize(
    ("typed", "decimal_values", "value"),
    [
        ("1,26", True, D("1.26")),
        ("1.26", True, D("1.26")),
        ("3", True, D("3.00")),
        ("3", False, D("3")),
        ("3.0", False, D("3")),
        ("", True, None),
    ],
)
def test_values_as_people_type_them(typed, decimal_values, value):
    assert clean_value(typed, decimal_values) == value


@pytest.mark.parametrize(
    ("typed", "decimal_values"),
    [("1,265", True), ("0,99", True), ("5,01", True), ("3,5", False), ("x", True), ("NaN", True)],
)
def test_values_outside_the_scale_or_too_precise_are_refused(typed, decimal_values):
    with pytest.raises(ValueError):
        clean_value(typed, decimal_values)


def test_a_period_on_8_2026_stores_the_hand_computed_figures(world):
    instrument = Instrument.objects.get(kode=CODE)
    period = make_period(world.sulbar, 2026, instrument=instrument)
    assessment = period.assessments.get(opd=world.kominfo)
    for score in assessment.scores.select_related("indicator"):
        value = VALUES[score.indicator.kode]
        score.level_evaluator = value
        score.level_mandiri = value
        score.save()
    recompute_period(period.pk)
    assessment.refresh_from_db()
    assert (assessment.indeks, assessment.predikat, assessment.status_nilai) == (
        D("2.236800"),
        "Cukup",
        FigureStatus.PROVISIONAL,
    )
    assert assessment.menunggu_eksternal == 3
    assert assessment.indeks_aspek["3"] == "1.3253"
    assert assessment.indeks_domain == {}
    assert len(instrument_weights(instrument.pk)) == 20
