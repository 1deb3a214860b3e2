"""Storing the computed figures (index, predikat, zone, rank) on assessments.

The rules are the pure functions of `scoring`; this module only reads levels and
weights in a few queries, applies the rules and writes the results in bulk. Pages read
the stored figures and never recompute.
"""

import logging
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from ..models import Assessment, Indicator, Period, PredikatBand, Score
from .scoring import IndicatorWeight, competition_ranks, compute_figures, predikat_for, zone_for

logger = logging.getLogger(__name__)

INDEX_PLACES = Decimal("0.000001")
PART_PLACES = Decimal("0.0001")
FIGURE_FIELDS = [
    "indeks",
    "predikat",
    "zona",
    "indeks_aspek",
    "indeks_domain",
    "is_complete",
    "is_final",
    "computed_at",
    "is_stale",
]


def instrument_weights(instrument_id):
    rows = Indicator.objects.filter(instrument_id=instrument_id).values_list(
        "id", "aspect__nomor", "aspect__domain__nomor", "bobot"
    )
    return [IndicatorWeight(*row) for row in rows]


def predikat_bands(instrument_id):
    return list(
        PredikatBand.objects.filter(instrument_id=instrument_id).values_list("batas_bawah", "nama")
    )


def _levels_by_assessment(scores):
    levels = defaultdict(dict)
    for assessment_id, indicator_id, evaluator_level, self_level in scores.values_list(
        "assessment_id", "indicator_id", "level_evaluator", "level_mandiri"
    ):
        levels[assessment_id][indicator_id] = (evaluator_level, self_level)
    return levels


def _store_figures(assessment, figures, period, bands, now):
    assessment.indeks = figures.index.quantize(INDEX_PLACES)
    assessment.predikat = predikat_for(figures.index, bands)
    assessment.zona = zone_for(figures.index, period.zona_hijau_dari, period.zona_kuning_dari)
    assessment.indeks_aspek = {
        str(k): str(v.quantize(PART_PLACES)) for k, v in figures.aspect_indices.items()
    }
    assessment.indeks_domain = {
        str(k): str(v.quantize(PART_PLACES)) for k, v in figures.domain_indices.items()
    }
    assessment.is_complete = figures.is_complete
    assessment.is_final = figures.is_validated and period.is_final
    assessment.computed_at = now
    assessment.is_stale = False


def _rank(period_id, known=None):
    """Store the competition rank of every assessment of the period."""
    assessments = list(
        Assessment.objects.filter(period_id=period_id).only("id", "indeks", "peringkat")
    )
    indices = {a.id: (known or {}).get(a.id, a.indeks) or Decimal(0) for a in assessments}
    ranks = competition_ranks(indices)
    changed = [a for a in assessments if a.peringkat != ranks[a.id]]
    for assessment in changed:
        assessment.peringkat = ranks[assessment.id]
    Assessment.objects.bulk_update(changed, ["peringkat"], batch_size=500)


@transaction.atomic
def recompute_period(period_id):
    """Recompute every assessment of a period, then the ranks. Returns how many."""
    period = Period.objects.select_for_update().get(pk=period_id)
    weights = instrument_weights(period.instrument_id)
    bands = predikat_bands(period.instrument_id)
    levels = _levels_by_assessment(Score.objects.filter(assessment__period_id=period_id))
    assessments = list(Assessment.objects.filter(period_id=period_id))
    now = timezone.now()
    for assessment in assessments:
        _store_figures(
            assessment, compute_figures(weights, levels[assessment.id]), period, bands, now
        )
    ranks = competition_ranks({a.id: a.indeks for a in assessments})
    for assessment in assessments:
        assessment.peringkat = ranks[assessment.id]
    Assessment.objects.bulk_update(assessments, [*FIGURE_FIELDS, "peringkat"], batch_size=500)
    return len(assessments)


@transaction.atomic
def recompute_assessment(assessment_id):
    """Recompute one assessment, then the ranks of its period."""
    assessment = Assessment.objects.select_related("period").get(pk=assessment_id)
    period = Period.objects.select_for_update().get(pk=assessment.period_id)
    weights = instrument_weights(period.instrument_id)
    levels = _levels_by_assessment(Score.objects.filter(assessment_id=assessment_id))
    figures = compute_figures(weights, levels[assessment_id])
    _store_figures(
        assessment, figures, period, predikat_bands(period.instrument_id), timezone.now()
    )
    assessment.save(update_fields=FIGURE_FIELDS)
    _rank(period.id)
    assessment.refresh_from_db(fields=["peringkat"])
    return assessment


def request_recompute(assessment_ids):
    """Mark assessments stale and queue their recompute once the transaction commits.

    If the broker cannot be reached the change itself still stands: the assessments stay
    marked stale and the periodic sweep (or `recompute_zones`) brings them up to date.
    """
    from ..tasks import recompute_assessment_task

    ids = list(assessment_ids)
    Assessment.objects.filter(pk__in=ids).update(is_stale=True)

    def queue():
        for assessment_id in ids:
            try:
                recompute_assessment_task.delay(assessment_id)
            except BrokerError:
                logger.warning("Broker unreachable; assessment %s left stale", assessment_id)
                return

    transaction.on_commit(queue)
