"""Storing the computed figures (index, predikat, zone, rank) on assessments.

The rules are the pure functions of `scoring`; this module only reads levels and
weights, applies the rules and writes the results in bulk. Pages read the stored
figures and never recompute.

Two paths store the same figures:

- `recompute_period` is set-based: one aggregate query sums effective level × weight
  per assessment and aspect in the database, the rules (rounding, predikat, zone, rank)
  are applied in Python on those sums, and the assessments are written in one bulk
  update. It is what every period-wide change and the schedule use.
- `recompute_assessment` reads one assessment's levels through the ORM and applies
  `scoring.compute_figures`: the reference path, used after a level changes.

Both take a row lock on the period, so two recomputes of one period never interleave,
and both run in one transaction: a worker killed halfway leaves the old figures.
"""

import json
import logging
import uuid
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, DecimalField, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from ..models import Assessment, Period, Score
from .instruments import instrument_weights, predikat_bands
from .scoring import (
    HUNDRED,
    Figures,
    competition_ranks,
    compute_figures,
    figure_status,
    has_figures,
    predikat_for,
    split_levels,
    waiting_for_default,
    zone_for,
)
from .summaries import rank_kabupaten, store_summary

logger = logging.getLogger(__name__)

INDEX_PLACES = Decimal("0.000001")
PART_PLACES = Decimal("0.0001")
FIGURE_FIELDS = [
    "status_nilai",
    "indeks",
    "predikat",
    "zona",
    "indeks_aspek",
    "indeks_domain",
    "indeks_mandiri",
    "jumlah_indikator",
    "terisi",
    "tervalidasi",
    "menunggu_eksternal",
    "computed_at",
    "is_stale",
]


def _levels_by_assessment(scores):
    levels = defaultdict(dict)
    for assessment_id, indicator_id, evaluator_level, self_level in scores.values_list(
        "assessment_id", "indicator_id", "level_evaluator", "level_mandiri"
    ):
        levels[assessment_id][indicator_id] = (evaluator_level, self_level)
    return levels


def _parts(values):
    return {str(k): str(v.quantize(PART_PLACES)) for k, v in values.items()}


def _store_figures(assessment, evaluated, own, period, bands, now, waiting=0):
    """Set the stored figures from the evaluators' `Figures` and the OPD's own, by the
    rule of scoring.figure_status: an index, predikat, zone and aspect indices only when
    every indicator is validated."""
    status = figure_status(evaluated.counted, evaluated.total, period.is_final)
    assessment.status_nilai = status
    if has_figures(status):
        assessment.indeks = evaluated.index.quantize(INDEX_PLACES)
        assessment.predikat = predikat_for(evaluated.index, bands)
        assessment.zona = zone_for(evaluated.index, period.zona_hijau_dari, period.zona_kuning_dari)
        assessment.indeks_aspek = _parts(evaluated.aspect_indices)
        assessment.indeks_domain = _parts(evaluated.domain_indices)
    else:
        assessment.indeks, assessment.predikat, assessment.zona = None, "", ""
        assessment.indeks_aspek, assessment.indeks_domain = {}, {}
    assessment.indeks_mandiri = None if own.index is None else own.index.quantize(INDEX_PLACES)
    assessment.jumlah_indikator = evaluated.total
    assessment.terisi = own.counted
    assessment.tervalidasi = evaluated.counted
    assessment.menunggu_eksternal = waiting
    assessment.computed_at = now
    assessment.is_stale = False


def _ranks(assessments):
    """Competition ranks among the assessments that have figures; None for the rest
    (an OPD without figures is never ranked, above or below anyone)."""
    ranks = competition_ranks({a.id: a.indeks for a in assessments if has_figures(a.status_nilai)})
    return {a.id: ranks.get(a.id) for a in assessments}


def _rank(period_id):
    """Store the competition rank of every assessment of the period."""
    assessments = list(
        Assessment.objects.filter(period_id=period_id).only(
            "id", "indeks", "status_nilai", "peringkat"
        )
    )
    ranks = _ranks(assessments)
    changed = [a for a in assessments if a.peringkat != ranks[a.id]]
    for assessment in changed:
        assessment.peringkat = ranks[assessment.id]
    Assessment.objects.bulk_update(changed, ["peringkat"], batch_size=500)


# --- Set-based: a whole period -------------------------------------------------------


class InstrumentShape:
    """What the set-based path needs of an instrument: its total weight and indicator
    count per aspect and per domain (keyed by number, as `compute_figures` keys them),
    and its predikat bands. Built once per instrument and reused across periods."""

    def __init__(self, instrument_id):
        weights = instrument_weights(instrument_id)
        self.indicator_count = len(weights)
        self.aspect_weight = defaultdict(Decimal)
        self.domain_weight = defaultdict(Decimal)
        self.domain_of = {}
        for item in weights:
            self.aspect_weight[item.aspect] += item.weight
            if item.domain is not None:
                self.domain_weight[item.domain] += item.weight
            self.domain_of[item.aspect] = item.domain
        self.bands = predikat_bands(instrument_id)


def _ratio(total, weight):
    # As scoring._weighted_average: Σ level × weight / Σ weight, 0 without weight.
    return total / weight if weight else Decimal(0)


def _aggregate(period):
    """{assessment id: {aspect number: (evaluators' sums, self-assessed sums, waiting)}}
    for the period in one aggregate query; each sums is (Σ value × weight, values
    counted), an indicator without a value counting its default where it has one (an
    external indicator waiting for its value); waiting counts those."""
    total = DecimalField(max_digits=20, decimal_places=6)
    evaluated = Coalesce("level_evaluator", "indicator__nilai_bawaan")
    own = Coalesce("level_mandiri", "indicator__nilai_bawaan")
    rows = (
        Score.objects.filter(
            assessment__period_id=period.id, indicator__instrument_id=period.instrument_id
        )
        .order_by()
        .values_list("assessment_id", "indicator__aspect__nomor")
        .annotate(
            evaluated=Sum(evaluated * F("indicator__bobot"), output_field=total),
            validated=Count(evaluated),
            own=Sum(own * F("indicator__bobot"), output_field=total),
            filled=Count(own),
            waiting=Count(
                "id",
                filter=Q(level_evaluator__isnull=True, indicator__nilai_bawaan__isnull=False),
            ),
        )
    )
    sums = defaultdict(dict)
    for assessment_id, aspect, evaluated_sum, validated, own_sum, filled, waiting in rows:
        sums[assessment_id][aspect] = (
            (Decimal(evaluated_sum or 0), validated),
            (Decimal(own_sum or 0), filled),
            waiting,
        )
    return sums


def _figures_from_sums(instrument, sums, which):
    """The `Figures` of one assessment from its per-aspect sums (`which`: 0 for the
    evaluators' levels, 1 for the self-assessed ones): the same arithmetic as
    `scoring.compute_figures`, done on the aggregated figures."""
    index_total = Decimal(0)
    domain_totals = defaultdict(Decimal)
    aspect_indices = {}
    counted = 0
    for aspect, weight in instrument.aspect_weight.items():
        total, aspect_counted = sums[aspect][which] if aspect in sums else (Decimal(0), 0)
        index_total += total
        if instrument.domain_of[aspect] is not None:
            domain_totals[instrument.domain_of[aspect]] += total
        aspect_indices[aspect] = _ratio(total, weight)
        counted += aspect_counted
    count = instrument.indicator_count
    if not count or counted < count:
        return Figures(None, {}, {}, counted, count)
    return Figures(
        index=index_total / HUNDRED,
        aspect_indices=aspect_indices,
        domain_indices={
            domain: _ratio(domain_totals[domain], weight)
            for domain, weight in instrument.domain_weight.items()
        },
        counted=counted,
        total=count,
    )


def _recompute_period_locked(period_id, instruments, summary=True):
    # The period lock serialises recomputes of one period. FOR NO KEY UPDATE of the period
    # row alone: it still excludes another recompute, but not the key-share locks that
    # saving a score takes on its period and pemda (change-log rows point at them), which
    # a plain FOR UPDATE over the joined rows did, deadlocking saves against the worker.
    period = (
        Period.objects.select_for_update(no_key=True, of=("self",))
        .select_related("pemda")
        .get(pk=period_id)
    )
    if period.instrument_id not in instruments:
        instruments[period.instrument_id] = InstrumentShape(period.instrument_id)
    instrument = instruments[period.instrument_id]
    sums = _aggregate(period)
    assessments = list(
        Assessment.objects.filter(period_id=period_id).only("id", "period_id", "peringkat")
    )
    now = timezone.now()
    for assessment in assessments:
        own_sums = sums.get(assessment.id, {})
        _store_figures(
            assessment,
            _figures_from_sums(instrument, own_sums, 0),
            _figures_from_sums(instrument, own_sums, 1),
            period,
            instrument.bands,
            now,
            waiting=sum(parts[2] for parts in own_sums.values()),
        )
    ranks = _ranks(assessments)
    for assessment in assessments:
        assessment.peringkat = ranks[assessment.id]
    _write_figures(assessments, now)
    store_summary(period, rank=summary)
    return period, len(assessments)


def _write_figures(assessments, now):
    """One bulk write of the figures: UPDATE … FROM (VALUES …) on PostgreSQL (Django's
    bulk_update builds a CASE per row and field, which costs more than the query)."""
    if not assessments:
        return
    if connection.vendor != "postgresql":
        Assessment.objects.bulk_update(assessments, [*FIGURE_FIELDS, "peringkat"], batch_size=500)
        return
    rows, params = [], []
    for a in assessments:
        rows.append("(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
        params += [
            a.id,
            a.status_nilai,
            a.indeks,
            a.predikat,
            a.zona,
            json.dumps(a.indeks_aspek),
            json.dumps(a.indeks_domain),
            a.indeks_mandiri,
            a.jumlah_indikator,
            a.terisi,
            a.tervalidasi,
            a.menunggu_eksternal,
            a.peringkat,
        ]
    table = Assessment._meta.db_table
    sql = (
        f"UPDATE {table} AS a SET status_nilai = v.status, indeks = v.indeks::numeric, "
        "predikat = v.predikat, zona = v.zona, indeks_aspek = v.aspek::jsonb, "
        "indeks_domain = v.domain::jsonb, indeks_mandiri = v.mandiri::numeric, "
        "jumlah_indikator = v.total::smallint, terisi = v.filled::smallint, "
        "tervalidasi = v.validated::smallint, menunggu_eksternal = v.waiting::smallint, "
        "peringkat = v.rank::integer, "
        "computed_at = %s, is_stale = false "
        f"FROM (VALUES {', '.join(rows)}) "
        "AS v(id, status, indeks, predikat, zona, aspek, domain, mandiri, total, filled, "
        "validated, waiting, rank) "
        "WHERE a.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, *params])


def recompute_period(period_id):
    """Recompute every assessment of a period set-based, then its ranks and its pemda's
    summary, in one transaction under the period's lock. Returns how many assessments."""
    with transaction.atomic():
        return _recompute_period_locked(period_id, {})[1]


def recompute_periods(period_ids, on_progress=None):
    """Recompute many periods, each in its own transaction (a failure or a kill keeps
    the periods already done), then rank the kabupaten/kota of every province and year
    touched, once each. `on_progress(done, total)` is called after each period.
    Returns how many assessments."""
    period_ids = list(period_ids)
    instruments, provinces, count = {}, set(), 0
    for done, period_id in enumerate(period_ids, start=1):
        with transaction.atomic():
            period, n = _recompute_period_locked(period_id, instruments, summary=False)
        count += n
        if period.pemda.parent_id is not None and period.triwulan is None:
            provinces.add((period.pemda.parent_id, period.tahun))
        if on_progress is not None:
            on_progress(done, len(period_ids))
    for province_id, tahun in sorted(provinces):
        with transaction.atomic():
            rank_kabupaten(province_id, tahun)
    return count


def periods_to_recompute(pemda_kode=None, tahun=None, stale_only=False):
    """Ids of the periods a full recompute (or the sweep) covers, in a stable order.

    A final period is left out unless it holds stale assessments: its figures are final
    (nothing that feeds them may change), so the nightly recompute never rewrites them;
    finalising and reopening mark them stale, and those recomputes go through."""
    periods = Period.objects.all()
    if pemda_kode:
        periods = periods.filter(pemda__kode=pemda_kode)
    if tahun:
        periods = periods.filter(tahun=tahun)
    stale = Assessment.objects.filter(is_stale=True).values("period_id")
    if stale_only:
        periods = periods.filter(pk__in=stale)
    else:
        periods = periods.exclude(~Q(pk__in=stale), status=Period.Status.FINAL)
    return list(periods.order_by("pk").values_list("pk", flat=True))


# --- Per assessment: the ORM reference path -------------------------------------------


@transaction.atomic
def recompute_assessment(assessment_id):
    """Recompute one assessment, then the ranks of its period."""
    assessment = Assessment.objects.select_related("period").get(pk=assessment_id)
    period = Period.objects.select_for_update(no_key=True).get(pk=assessment.period_id)
    weights = instrument_weights(period.instrument_id)
    levels = _levels_by_assessment(Score.objects.filter(assessment_id=assessment_id))
    evaluated, own = split_levels(levels[assessment_id])
    waiting = waiting_for_default(weights, evaluated)
    _store_figures(
        assessment,
        compute_figures(weights, evaluated),
        compute_figures(weights, own),
        period,
        predikat_bands(period.instrument_id),
        timezone.now(),
        waiting=waiting,
    )
    assessment.save(update_fields=FIGURE_FIELDS)
    _rank(period.id)
    store_summary(period)
    assessment.refresh_from_db(fields=["peringkat"])
    return assessment


# --- Queueing on commit ---------------------------------------------------------------


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


def request_period_recompute(period_ids, user=None):
    """Mark the periods' assessments stale and queue a set-based recompute of each once
    the transaction commits (after a change of weights, thresholds, status or OPDs).

    A job record shows the run as queued; if the broker cannot be reached the job says so
    and the assessments stay stale until the sweep or `recompute_zones`."""
    from ..tasks import recompute_period_task
    from . import jobs

    ids = list(period_ids)
    Assessment.objects.filter(period_id__in=ids).update(is_stale=True)

    def queue():
        for period_id in ids:
            task_id = str(uuid.uuid4())
            job = jobs.queued(
                jobs.Job.Kind.RECOMPUTE_PERIOD, task_id, period_id=period_id, user=user
            )
            try:
                recompute_period_task.apply_async((period_id,), task_id=task_id)
            except BrokerError as exc:
                logger.warning("Broker unreachable; period %s left stale", period_id)
                jobs.fail(job, f"Broker unreachable: {exc}")
                return

    transaction.on_commit(queue)
