"""Storing the computed figures (index, predikat, zone, rank) on assessments, and the
pemda summaries and kabupaten rankings built from them.

The rules are the pure functions of `scoring` (and `summaries.summarise`); this module
reads values and weights, applies the rules and writes the results in bulk. Pages read
the stored figures and never recompute.

Two ways to compute an assessment's figures, which give the same figures
(tests/evaluations/test_recompute_property.py):

- set-based, for whole periods (a change of weights, thresholds or status, the nightly
  recompute, the sweep): one aggregate query sums value × weight per assessment and
  aspect over many periods at once, and the rules are applied to the sums
  (`_figures_from_sums`);
- per assessment, for the few assessments a burst of saves changed: `compute_figures`
  on the assessment's values.

Either way the periods are then finished alike (`_finish`): ranks, one write of the
figures, the pemda summaries in one upsert and the kabupaten ranking of the provinces
touched. Each batch of periods is one transaction under the periods' row locks, so a
worker killed halfway leaves the old figures and two recomputes of a period never
interleave.
"""

import json
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, DecimalField, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

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
from .summaries import (
    changed_summaries,
    lock_province_years,
    province_year,
    rerank_kabupaten,
    store_summaries,
    summarise,
)

INDEX_PLACES = Decimal("0.000001")
PART_PLACES = Decimal("0.0001")
# Periods per transaction of a many-period recompute: large enough that the fixed cost of
# a transaction is spread, small enough that saves never wait long on its row locks.
BATCH = 50
# Above this share of outdated assessments, a period is recomputed set-based as a whole.
SET_BASED_FROM = Decimal("0.25")
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
# What finishing a period reads of each of its assessments.
READ_FIELDS = [
    "id",
    "period_id",
    "status_nilai",
    "indeks",
    "zona",
    "peringkat",
    "revisi",
    "is_stale",
]


class InstrumentShape:
    """What a recompute needs of an instrument, read once per run: its indicators as the
    scoring rules see them, their total weight and count per aspect and per domain (keyed
    by number, as `compute_figures` keys them), and its predikat bands."""

    def __init__(self, instrument_id):
        self.weights = instrument_weights(instrument_id)
        self.indicator_count = len(self.weights)
        self.aspect_weight = defaultdict(Decimal)
        self.domain_weight = defaultdict(Decimal)
        self.domain_of = {}
        for item in self.weights:
            self.aspect_weight[item.aspect] += item.weight
            if item.domain is not None:
                self.domain_weight[item.domain] += item.weight
            self.domain_of[item.aspect] = item.domain
        self.bands = predikat_bands(instrument_id)


# Shapes of published instruments, kept by the process: a published instrument never
# changes (editing refuses it, and it goes back to draft only while no period uses it,
# which also clears its publication time, part of the key). Drafts are read every run.
_published_shapes = {}


def _shape(shapes, instrument):
    """The shape of `instrument` (an Instrument), from this run's `shapes` or the
    process's published ones, read once."""
    if instrument.id in shapes:
        return shapes[instrument.id]
    key = (instrument.id, instrument.diterbitkan_pada)
    if instrument.is_published and key in _published_shapes:
        shape = _published_shapes[key]
    else:
        shape = InstrumentShape(instrument.id)
        if instrument.is_published:
            _published_shapes[key] = shape
    shapes[instrument.id] = shape
    return shape


def forget_instrument_shapes():
    """Drop the shapes kept by this process (tests that rewrite a published instrument
    behind the services' back)."""
    _published_shapes.clear()


def _parts(values):
    return {str(k): str(v.quantize(PART_PLACES)) for k, v in values.items()}


def _store_figures(assessment, evaluated, own, period, bands, waiting=0):
    """Set the figures from the evaluators' `Figures` and the OPD's own, by the rule of
    scoring.figure_status: an index, predikat, zone and aspect indices only when every
    indicator is validated."""
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


# --- Set-based: sums per assessment and aspect -----------------------------------------


def _ratio(total, weight):
    # As scoring._weighted_average: Σ level × weight / Σ weight, 0 without weight.
    return total / weight if weight else Decimal(0)


def _aggregate(period_ids):
    """{assessment id: {aspect number: (evaluators' sums, self-assessed sums, waiting)}}
    for the periods in one aggregate query; each sums is (Σ value × weight, values
    counted), an indicator without a value counting its default where it has one (an
    external indicator waiting for its value); waiting counts those."""
    total = DecimalField(max_digits=20, decimal_places=6)
    evaluated = Coalesce("level_evaluator", "indicator__nilai_bawaan")
    own = Coalesce("level_mandiri", "indicator__nilai_bawaan")
    rows = (
        Score.objects.filter(
            assessment__period_id__in=period_ids,
            indicator__instrument_id=F("assessment__period__instrument_id"),
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


def _compute_set_based(periods, by_period, shapes):
    """Compute the figures of every assessment of the periods; returns them."""
    sums = _aggregate([p.id for p in periods])
    computed = []
    for period in periods:
        shape = _shape(shapes, period.instrument)
        for assessment in by_period[period.id]:
            own_sums = sums.get(assessment.id, {})
            _store_figures(
                assessment,
                _figures_from_sums(shape, own_sums, 0),
                _figures_from_sums(shape, own_sums, 1),
                period,
                shape.bands,
                waiting=sum(parts[2] for parts in own_sums.values()),
            )
            computed.append(assessment)
    return computed


# --- Per assessment: compute_figures on its values ----------------------------------


def _compute_listed(period, assessments, shapes):
    """Compute the figures of the given assessments of one period from their values."""
    shape = _shape(shapes, period.instrument)
    levels = defaultdict(dict)
    for assessment_id, indicator_id, evaluator_level, self_level in (
        Score.objects.filter(assessment_id__in=[a.id for a in assessments])
        .order_by()  # the model's ordering would join the indicators to sort for nothing
        .values_list("assessment_id", "indicator_id", "level_evaluator", "level_mandiri")
    ):
        levels[assessment_id][indicator_id] = (evaluator_level, self_level)
    for assessment in assessments:
        evaluated, own = split_levels(levels[assessment.id])
        _store_figures(
            assessment,
            compute_figures(shape.weights, evaluated),
            compute_figures(shape.weights, own),
            period,
            shape.bands,
            waiting=waiting_for_default(shape.weights, evaluated),
        )
    return assessments


# --- Finishing periods: ranks, one write, summaries, kabupaten rankings ---------------


def _finish(periods, by_period, computed, shapes):
    """Rank every period, write the computed figures (and the ranks that moved), store
    the periods' summaries and re-rank the kabupaten of the provinces touched."""
    computed_ids = {a.id for a in computed}
    moved = []
    for period in periods:
        assessments = by_period[period.id]
        ranks = competition_ranks(
            {a.id: a.indeks for a in assessments if has_figures(a.status_nilai)}
        )
        for assessment in assessments:
            rank = ranks.get(assessment.id)
            if assessment.peringkat != rank:
                assessment.peringkat = rank
                if assessment.id not in computed_ids:
                    moved.append(assessment)
    _write_figures(computed, timezone.now())
    Assessment.objects.bulk_update(moved, ["peringkat"], batch_size=500)

    summaries = changed_summaries(
        summarise(
            period,
            [(a.status_nilai, a.indeks, a.zona) for a in by_period[period.id]],
            _shape(shapes, period.instrument).bands,
        )
        for period in periods
    )
    pairs = [pair for pair in (province_year(s.period) for s in summaries) if pair]
    lock_province_years(pairs)
    store_summaries(summaries)
    rerank_kabupaten(pairs)


def _write_figures(assessments, now):
    """One write of the figures and ranks: UPDATE … FROM (VALUES …) on PostgreSQL
    (Django's bulk_update builds a CASE per row and field, which costs more than the
    query). An assessment is marked current only if nothing asked for its recompute since
    it was read (`revisi` unchanged): a save racing the recompute keeps it outdated."""
    if not assessments:
        return
    if connection.vendor != "postgresql":
        for a in assessments:
            a.computed_at, a.is_stale = now, False
        Assessment.objects.bulk_update(assessments, [*FIGURE_FIELDS, "peringkat"], batch_size=500)
        return
    rows, params = [], []
    for a in assessments:
        rows.append("(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
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
            a.revisi,
        ]
        a.computed_at, a.is_stale = now, False
    table = Assessment._meta.db_table
    sql = (
        f"UPDATE {table} AS a SET status_nilai = v.status, indeks = v.indeks::numeric, "
        "predikat = v.predikat, zona = v.zona, indeks_aspek = v.aspek::jsonb, "
        "indeks_domain = v.domain::jsonb, indeks_mandiri = v.mandiri::numeric, "
        "jumlah_indikator = v.total::smallint, terisi = v.filled::smallint, "
        "tervalidasi = v.validated::smallint, menunggu_eksternal = v.waiting::smallint, "
        "peringkat = v.rank::integer, computed_at = %s, "
        "is_stale = (a.revisi <> v.revisi::integer) "
        f"FROM (VALUES {', '.join(rows)}) "
        "AS v(id, status, indeks, predikat, zona, aspek, domain, mandiri, total, filled, "
        "validated, waiting, rank, revisi) "
        "WHERE a.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, *params])


def _lock_periods(period_ids):
    """The periods, row-locked in id order (two recomputes never wait on each other
    crosswise). FOR NO KEY UPDATE of the period rows alone: it excludes another
    recompute, but not the key-share locks that saving a score takes on its period and
    pemda (change-log rows point at them), which a plain FOR UPDATE did, deadlocking
    saves against the worker.

    The transaction also stops waiting for its commit to reach the disk: it writes only
    derived figures, and a crash that loses its last commit leaves the assessments as
    the save left them, outdated, for the sweep to recompute. That spares a disk flush
    per recompute, most of the cost of a small one."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    return list(
        Period.objects.select_for_update(no_key=True, of=("self",))
        .select_related("pemda", "instrument")
        .filter(pk__in=period_ids)
        .order_by("pk")
    )


def _assessments_by_period(period_ids):
    by_period = {period_id: [] for period_id in period_ids}
    # By id: the model's ordering (rank, OPD code) would join the OPDs for nothing.
    for assessment in (
        Assessment.objects.filter(period_id__in=period_ids).order_by("pk").only(*READ_FIELDS)
    ):
        by_period[assessment.period_id].append(assessment)
    return by_period


# --- Entry points ---------------------------------------------------------------------


def recompute_periods(period_ids, on_progress=None):
    """Recompute every assessment of the periods set-based, with their ranks, summaries
    and kabupaten rankings; BATCH periods per transaction (a failure or a kill keeps the
    batches done). Periods of one province are kept together, so that each province's
    kabupaten ranking is redone once or twice, not once per period. `on_progress(done,
    total)` is called after each batch. Returns how many assessments."""
    ordered = list(
        Period.objects.filter(pk__in=list(period_ids))
        .annotate(province=Coalesce("pemda__parent_id", "pemda_id"))
        .order_by("province", "tahun", "pk")
        .values_list("pk", flat=True)
    )
    shapes, count = {}, 0
    for start in range(0, len(ordered), BATCH):
        with transaction.atomic():
            periods = _lock_periods(ordered[start : start + BATCH])
            by_period = _assessments_by_period([p.id for p in periods])
            computed = _compute_set_based(periods, by_period, shapes)
            _finish(periods, by_period, computed, shapes)
        count += len(computed)
        if on_progress is not None:
            on_progress(min(start + BATCH, len(ordered)), len(ordered))
    return count


def recompute_period(period_id):
    """Recompute one period set-based. Returns how many assessments."""
    return recompute_periods([period_id])


def recompute_outdated(period_id):
    """Recompute the outdated assessments of a period (what a burst of saves left), then
    re-rank the period once: per assessment when they are few, the whole period
    set-based when they are many. Returns how many assessments were recomputed."""
    # No savepoint when the task's transaction holds this one: a failure fails both.
    with transaction.atomic(savepoint=False):
        periods = _lock_periods([period_id])
        if not periods:
            return 0  # deleted meanwhile
        by_period = _assessments_by_period([period_id])
        assessments = by_period[period_id]
        outdated = [a for a in assessments if a.is_stale]
        if not outdated:
            return 0  # another recompute got there first
        shapes = {}
        if len(outdated) > SET_BASED_FROM * len(assessments):
            computed = _compute_set_based(periods, by_period, shapes)
        else:
            computed = _compute_listed(periods[0], outdated, shapes)
        _finish(periods, by_period, computed, shapes)
        return len(computed)


@transaction.atomic
def recompute_assessment(assessment_id):
    """Recompute one assessment (outdated or not), then re-rank its period; returns it."""
    period_id = Assessment.objects.values_list("period_id", flat=True).get(pk=assessment_id)
    periods = _lock_periods([period_id])
    by_period = _assessments_by_period([period_id])
    [assessment] = [a for a in by_period[period_id] if a.id == assessment_id]
    shapes = {}
    _finish(periods, by_period, _compute_listed(periods[0], [assessment], shapes), shapes)
    return assessment


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
