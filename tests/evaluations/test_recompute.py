"""Storing the computed figures on assessments (recompute services).

A pemda with five OPDs on the 25-indicator OPD template, with levels chosen so that the
figures can be worked out by hand:

- A: evaluator level 4 everywhere                    → 4.00 Sangat Baik, green
- B: evaluator level ((n − 1) % 5) + 1 on indicator n → 3.13625 → 3.14 Baik, yellow
  (worked out in tests/evaluations/test_scoring.py::test_opd_template_levels_1_to_5_pattern)
- C: evaluator level 2 everywhere                    → 2.00 Cukup, red
- D: self-assessed level 2 everywhere, no evaluator  → in progress: no figures, no rank;
  its own claim (indeks mandiri) 2.00
- E: nothing filled                                  → in progress, 0 of 25 filled
"""

from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from kombu.exceptions import OperationalError as BrokerError

from evaluations.models import Assessment, FigureStatus, Period, Score
from evaluations.queueing import request_recompute
from evaluations.services.recompute import recompute_assessment, recompute_period
from evaluations.services.scoring import ZONE_GREEN, ZONE_RED, ZONE_YELLOW
from tests.factories import OPDFactory, ProvinceFactory, make_period, set_levels

pytestmark = pytest.mark.django_db

D = Decimal

PATTERN = {n: (n - 1) % 5 + 1 for n in range(1, 26)}


def uniform(index, predikat, zone, part):
    """Figures of an assessment with the same level everywhere (7 aspects, 4 domains)."""
    return (
        D(index),
        predikat,
        zone,
        dict.fromkeys(map(str, range(1, 8)), part),
        dict.fromkeys(map(str, range(1, 5)), part),
    )


FIGURES_A = uniform("4.000000", "Sangat Baik", ZONE_GREEN, "4.0000")
FIGURES_B = (
    D("3.136250"),
    "Baik",
    ZONE_YELLOW,
    {
        "1": "2.5000",
        "2": "2.7500",
        "3": "3.0000",
        "4": "3.5000",
        "5": "3.0000",
        "6": "2.7500",
        "7": "4.5000",
    },
    # Domain 4 = (11 × 6.875 + 9 × 9) / 45.5 = 156.625 / 45.5 = 3.44230…
    {"1": "2.5000", "2": "3.0000", "3": "3.0000", "4": "3.4423"},
)
FIGURES_C = uniform("2.000000", "Cukup", ZONE_RED, "2.0000")
NO_FIGURES = (None, "", "", {}, {})


@pytest.fixture
def pemda_period():
    province = ProvinceFactory(kode="76", nama="Provinsi Sulawesi Barat")
    opds = {name: OPDFactory(pemda=province, kode=name) for name in "ABCDE"}
    period = make_period(province, 2024)
    a = {key: period.assessments.get(opd=opd) for key, opd in opds.items()}
    set_levels(a["A"], 4)
    set_levels(a["B"], PATTERN)
    set_levels(a["C"], 2)
    set_levels(a["D"], 2, evaluator=False)
    return SimpleNamespace(province=province, period=period, a=a)


def figures(assessment):
    assessment.refresh_from_db()
    return (
        assessment.indeks,
        assessment.predikat,
        assessment.zona,
        assessment.indeks_aspek,
        assessment.indeks_domain,
    )


def ranks(period):
    return dict(period.assessments.values_list("opd__kode", "peringkat"))


def snapshot(period):
    """Everything recompute stores, except when it did it."""
    return {
        a.opd.kode: (
            *figures(a),
            a.peringkat,
            a.status_nilai,
            a.indeks_mandiri,
            a.terisi,
            a.tervalidasi,
            a.jumlah_indikator,
            a.is_stale,
        )
        for a in period.assessments.select_related("opd")
    }


def test_recompute_period_stores_hand_computed_figures(pemda_period):
    period, a = pemda_period.period, pemda_period.a
    assert all(x.computed_at is None and x.is_stale for x in a.values())

    assert recompute_period(period.pk) == 5

    assert figures(a["A"]) == FIGURES_A
    assert figures(a["B"]) == FIGURES_B
    assert figures(a["C"]) == FIGURES_C
    # D is only self-assessed and E empty: in progress, no index, predikat or zone.
    assert figures(a["D"]) == NO_FIGURES
    assert figures(a["E"]) == NO_FIGURES
    assert a["B"].indeks_bulat == D("3.14")
    # Only OPDs with figures are ranked: D and E are not ranked at all (never above or
    # among the assessed ones).
    assert ranks(period) == {"A": 1, "B": 2, "C": 3, "D": None, "E": None}
    progress = {
        key: (x.status_nilai, x.terisi, x.tervalidasi, x.jumlah_indikator, x.indeks_mandiri)
        for key, x in ((k, Assessment.objects.get(pk=v.pk)) for k, v in a.items())
    }
    assert progress == {
        "A": (FigureStatus.PROVISIONAL, 0, 25, 25, None),
        "B": (FigureStatus.PROVISIONAL, 0, 25, 25, None),
        "C": (FigureStatus.PROVISIONAL, 0, 25, 25, None),
        "D": (FigureStatus.IN_PROGRESS, 25, 0, 25, D("2.000000")),
        "E": (FigureStatus.IN_PROGRESS, 0, 0, 25, None),
    }
    for key, assessment in a.items():
        assessment.refresh_from_db()
        assert assessment.computed_at is not None, key
        assert not assessment.is_stale, key
        # The period is under evaluation: nothing is final yet.
        assert not assessment.is_final, key


def test_recompute_period_uses_the_periods_zone_thresholds(pemda_period):
    period, a = pemda_period.period, pemda_period.a
    Period.objects.filter(pk=period.pk).update(
        zona_hijau_dari=D("3.10"), zona_kuning_dari=D("2.00")
    )
    recompute_period(period.pk)
    zones = {key: Assessment.objects.get(pk=x.pk).zona for key, x in a.items()}
    assert zones == {
        "A": ZONE_GREEN,
        "B": ZONE_GREEN,  # 3.14 ≥ 3.10
        "C": ZONE_YELLOW,  # 2.00 ≥ 2.00
        "D": "",  # in progress: no zone whatever the thresholds
        "E": "",
    }


def test_ties_are_judged_on_the_rounded_index(pemda_period):
    period, a = pemda_period.period, pemda_period.a
    # A: level 4 everywhere but indicator 1 (weight 3.25) at 3 → 4 − 3.25/100 = 3.9675 → 3.97
    # C: level 4 everywhere but indicator 15 (weight 3.3) at 3 → 4 − 3.3/100 = 3.967 → 3.97
    set_levels(a["A"], {**dict.fromkeys(range(1, 26), 4), 1: 3})
    set_levels(a["C"], {**dict.fromkeys(range(1, 26), 4), 15: 3})
    recompute_period(period.pk)
    a["A"].refresh_from_db()
    a["C"].refresh_from_db()
    assert (a["A"].indeks, a["C"].indeks) == (D("3.967500"), D("3.967000"))
    assert ranks(period) == {"A": 1, "C": 1, "B": 3, "D": None, "E": None}


def test_recompute_assessment_updates_one_and_reranks_the_period(pemda_period):
    period, a = pemda_period.period, pemda_period.a
    recompute_period(period.pk)
    before = snapshot(period)

    # C is now evaluated at 5 everywhere.
    set_levels(a["C"], 5)
    result = recompute_assessment(a["C"].pk)

    assert result.pk == a["C"].pk
    assert figures(a["C"]) == uniform("5.000000", "Memuaskan", ZONE_GREEN, "5.0000")
    assert ranks(period) == {"C": 1, "A": 2, "B": 3, "D": None, "E": None}
    after = snapshot(period)
    # The other assessments keep their figures; only their ranks moved.
    for key in "ABDE":
        assert after[key][:5] == before[key][:5], key
    assert result.peringkat == 1


def test_recompute_assessment_ranks_only_assessments_with_figures(pemda_period):
    period, a = pemda_period.period, pemda_period.a
    recompute_assessment(a["B"].pk)
    assessment = Assessment.objects.get(pk=a["B"].pk)
    assert assessment.indeks == D("3.136250") and not assessment.is_stale
    # The others have no stored figures yet: B is ranked alone, none is ranked with it.
    assert ranks(period) == {"B": 1, "A": None, "C": None, "D": None, "E": None}
    assert Assessment.objects.filter(period=period, is_stale=True).count() == 4


def test_final_only_when_validated_and_period_final(pemda_period):
    period, a = pemda_period.period, pemda_period.a
    recompute_period(period.pk)
    assert not Assessment.objects.filter(period=period, status_nilai=FigureStatus.FINAL).exists()

    Period.objects.filter(pk=period.pk).update(status=Period.Status.FINAL)
    recompute_period(period.pk)
    statuses = dict(period.assessments.values_list("opd__kode", "status_nilai"))
    # D is only self-assessed and E is empty: in progress even in a final period.
    assert statuses == {
        "A": FigureStatus.FINAL,
        "B": FigureStatus.FINAL,
        "C": FigureStatus.FINAL,
        "D": FigureStatus.IN_PROGRESS,
        "E": FigureStatus.IN_PROGRESS,
    }

    # Indicator 7 of A loses its evaluator's level (it only has a self-assessed 2 now):
    # A has no figures any more, rather than a mixed 3.95.
    Score.objects.filter(assessment=a["A"], indicator__nomor=7).update(
        level_evaluator=None, level_mandiri=2
    )
    recompute_assessment(a["A"].pk)
    a["A"].refresh_from_db()
    assert a["A"].is_in_progress and a["A"].indeks is None and a["A"].tervalidasi == 24
    assert ranks(period) == {"B": 1, "C": 2, "A": None, "D": None, "E": None}


def test_recompute_twice_gives_identical_figures(pemda_period):
    period = pemda_period.period
    recompute_period(period.pk)
    first = snapshot(period)
    recompute_period(period.pk)
    assert snapshot(period) == first
    for assessment in period.assessments.all():
        recompute_assessment(assessment.pk)
    assert snapshot(period) == first


def test_request_recompute_marks_stale_then_recomputes_on_commit(
    pemda_period, django_capture_on_commit_callbacks
):
    period, a = pemda_period.period, pemda_period.a
    recompute_period(period.pk)
    computed_at = Assessment.objects.get(pk=a["E"].pk).computed_at

    set_levels(a["E"], 3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        request_recompute([a["E"].pk])
        # Until the transaction commits the old figures stand, marked outdated.
        pending = Assessment.objects.get(pk=a["E"].pk)
        assert pending.is_stale
        assert pending.indeks is None
    assert len(callbacks) == 1

    done = Assessment.objects.get(pk=a["E"].pk)
    assert not done.is_stale
    assert done.computed_at > computed_at
    assert (done.indeks, done.predikat, done.zona) == (D("3.000000"), "Baik", ZONE_YELLOW)
    assert ranks(period) == {"A": 1, "B": 2, "E": 3, "C": 4, "D": None}


def test_request_recompute_leaves_assessments_stale_when_broker_is_down(
    pemda_period, django_capture_on_commit_callbacks
):
    period, a = pemda_period.period, pemda_period.a
    recompute_period(period.pk)
    set_levels(a["E"], 3)
    with (
        mock.patch("evaluations.queueing._send", side_effect=BrokerError("down")) as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        request_recompute([a["E"].pk, a["D"].pk])  # does not raise
    assert send.called
    stale = set(
        Assessment.objects.filter(period=period, is_stale=True).values_list("opd__kode", flat=True)
    )
    assert stale == {"D", "E"}
    assert Assessment.objects.get(pk=a["E"].pk).indeks is None
