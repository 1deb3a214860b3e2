"""Property: the set-based period recompute and the per-assessment ORM path store the same
figures, for any instrument (with or without domains, whole levels or decimal values,
with indicators scored from another index that count a default while waiting) and any
levels."""

from decimal import ROUND_DOWN, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluations.models import (
    Aspect,
    Assessment,
    Domain,
    FigureStatus,
    Indicator,
    Instrument,
    PemdaSummary,
    Period,
    PredikatBand,
    Score,
)
from evaluations.services.periods import open_period
from evaluations.services.recompute import recompute_assessment, recompute_period
from evaluations.services.scoring import DEFAULT_PREDIKAT_BANDS
from evaluations.services.summaries import SUMMARY_FIELDS
from tests.factories import KabupatenFactory, OPDFactory

pytestmark = pytest.mark.django_db

WHOLE = st.integers(1, 5).map(Decimal)
DECIMAL = st.decimals(min_value=1, max_value=5, places=2)

# An instrument: domains → aspects → raw indicator shares (scaled to 100% below).
SHAPE = st.lists(
    st.lists(st.lists(st.integers(1, 40), min_size=1, max_size=4), min_size=1, max_size=3),
    min_size=1,
    max_size=4,
)


@st.composite
def scenarios(draw):
    shape = draw(SHAPE)
    indicator_count = sum(len(aspect) for domain in shape for aspect in domain)
    decimal_values = draw(st.booleans())
    with_domains = draw(st.booleans())
    external = draw(st.lists(st.booleans(), min_size=indicator_count, max_size=indicator_count))
    value = DECIMAL if decimal_values else WHOLE
    level = st.one_of(st.none(), value)
    opd_count = draw(st.integers(1, 5))
    # Each OPD either fully validated (it has figures) or anything at all (in progress:
    # levels missing, score rows missing), so that both kinds occur in most examples.
    validated = st.lists(
        st.tuples(value, level, st.just(True)),
        min_size=indicator_count,
        max_size=indicator_count,
    )
    anything = st.lists(
        st.tuples(level, level, st.booleans()),
        min_size=indicator_count,
        max_size=indicator_count,
    )
    levels = draw(st.lists(st.one_of(validated, anything), min_size=opd_count, max_size=opd_count))
    yellow = draw(st.sampled_from(["1.00", "2.00", "2.60", "3.00"]))
    green = draw(st.sampled_from(["3.10", "3.50", "4.00"]))
    final = draw(st.booleans())
    kind = (decimal_values, with_domains, external)
    return shape, kind, levels, Decimal(yellow), Decimal(green), final


def make_instrument(shape, kind):
    decimal_values, with_domains, external = kind
    raw = [share for domain in shape for aspect in domain for share in aspect]
    total = sum(raw)
    weights = [(Decimal(100) * r / total).quantize(Decimal("0.0001"), ROUND_DOWN) for r in raw]
    weights[-1] += Decimal(100) - sum(weights)
    instrument = Instrument.objects.create(
        kode="prop-test", nama="Property", nilai_desimal=decimal_values
    )
    n = a = 0
    for d, domain_shape in enumerate(shape, start=1):
        domain = (
            Domain.objects.create(instrument=instrument, nomor=d, nama=f"D{d}", bobot=0)
            if with_domains
            else None
        )
        domain_weight = Decimal(0)
        for aspect_shape in domain_shape:
            a += 1
            aspect = Aspect.objects.create(
                instrument=instrument, domain=domain, nomor=a, nama=f"A{a}", bobot=0
            )
            aspect_weight = Decimal(0)
            for _share in aspect_shape:
                Indicator.objects.create(
                    instrument=instrument,
                    aspect=aspect,
                    nomor=n + 1,
                    nama=f"I{n + 1}",
                    bobot=weights[n],
                    skala=Indicator.Scale.PROSES,
                    sumber_eksternal="Indeks lain" if external[n] else "",
                    nilai_bawaan=Decimal("1.00") if external[n] else None,
                )
                aspect_weight += weights[n]
                n += 1
            aspect.bobot = aspect_weight
            aspect.save()
            domain_weight += aspect_weight
        if domain is not None:
            domain.bobot = domain_weight
            domain.save()
    for bound, name in DEFAULT_PREDIKAT_BANDS:
        PredikatBand.objects.create(instrument=instrument, nama=name, batas_bawah=bound)
    return instrument


def snapshot(period):
    assessments = {
        a.opd_id: (
            a.indeks,
            a.predikat,
            a.zona,
            a.peringkat,
            a.indeks_aspek,
            a.indeks_domain,
            a.status_nilai,
            a.indeks_mandiri,
            a.terisi,
            a.tervalidasi,
            a.jumlah_indikator,
            a.menunggu_eksternal,
            a.is_stale,
        )
        for a in Assessment.objects.filter(period=period)
    }
    summary = PemdaSummary.objects.filter(period=period).values(*SUMMARY_FIELDS).first()
    return assessments, summary


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(scenario=scenarios())
def test_set_based_and_per_assessment_paths_agree(db, scenario):
    shape, kind, levels, yellow, green, final = scenario
    with transaction.atomic():
        pemda = KabupatenFactory(kode="99.01")
        for o in range(len(levels)):
            OPDFactory(pemda=pemda, kode=f"P{o}")
        period = open_period(
            pemda,
            2024,
            make_instrument(shape, kind),
            status=Period.Status.FINAL if final else Period.Status.EVALUATION,
            zona_kuning_dari=yellow,
            zona_hijau_dari=green,
        )
        for assessment, opd_levels in zip(
            period.assessments.order_by("opd__kode"), levels, strict=True
        ):
            scores = assessment.scores.order_by("indicator__nomor")
            for score, (evaluator, own, keep) in zip(scores, opd_levels, strict=True):
                if not keep:  # a missing score row counts as "not filled"
                    score.delete()
                    continue
                Score.objects.filter(pk=score.pk).update(
                    level_evaluator=evaluator, level_mandiri=own
                )

        recompute_period(period.pk)
        set_based = snapshot(period)

        Assessment.objects.filter(period=period).update(
            status_nilai=FigureStatus.IN_PROGRESS,
            indeks=None,
            predikat="",
            zona="",
            peringkat=None,
            indeks_aspek={},
            indeks_domain={},
            indeks_mandiri=None,
            terisi=0,
            tervalidasi=0,
            jumlah_indikator=0,
            menunggu_eksternal=0,
            is_stale=True,
        )
        PemdaSummary.objects.filter(period=period).delete()
        for assessment_id in period.assessments.values_list("pk", flat=True):
            recompute_assessment(assessment_id)
        per_assessment = snapshot(period)

        assert set_based == per_assessment
        transaction.set_rollback(True)
