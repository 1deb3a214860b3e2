"""Benchmark of the recompute: a national-scale synthetic load, then the timings.

    python manage.py bench_recompute [--pemda 552] [--opd 30] [--indicators 25]
                                     [--sample 200] [--rounds 3] [--keep]

Builds, in the database the settings point at (PostgreSQL), `--pemda` regional
governments (38 of them provinces, the rest kabupaten/kota spread over those provinces)
with `--opd` OPDs each, one yearly period each on a synthetic instrument of
`--indicators` indicators, and random levels (some empty). Every row it makes hangs off
pemda codes starting with "BENCH-" and an instrument coded "bench-recompute": it deletes
those (and only those) before building and, unless --keep, after timing. Other data in
the database is left alone and is not part of the timings.

Times, interleaved over `--rounds` rounds (each run on freshly vacuumed tables), our
full recompute of every synthetic period and the floor: hand-written SQL storing the
same figures (assessment figures, ranks, pemda summaries, kabupaten rankings) in four
statements with no Python between them. It checks that both store exactly the same
figures. Then times the single-assessment recompute as the worker runs it after one
saved level, on `--sample` assessments.

Prints as its last lines: whether the floor stored our figures, ours, the floor, their
ratio, the single-assessment median, and the per-assessment path (the single recompute
extrapolated to every assessment) against the full recompute.
"""

import io
import logging
import random
import statistics
import time
import uuid
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from evaluations import jobs, queueing
from evaluations.models import (
    Aspect,
    Assessment,
    Domain,
    Indicator,
    Instrument,
    Job,
    PemdaSummary,
    Period,
    PredikatBand,
    Score,
)
from evaluations.services.recompute import FIGURE_FIELDS, recompute_periods
from evaluations.services.scoring import DEFAULT_PREDIKAT_BANDS
from evaluations.services.summaries import SUMMARY_FIELDS
from evaluations.tasks import recompute_period_task
from opd.models import OPD, Pemda

PREFIX = "BENCH-"
INSTRUMENT = "bench-recompute"
PROVINCES = 38
DOMAINS = 4
ASPECTS = 8
YEAR = 2025


class Command(BaseCommand):
    help = "Build a national-scale synthetic load and time the recompute against its floor."

    def add_arguments(self, parser):
        parser.add_argument("--pemda", type=int, default=552)
        parser.add_argument("--opd", type=int, default=30)
        parser.add_argument("--indicators", type=int, default=25)
        parser.add_argument("--sample", type=int, default=200)
        parser.add_argument("--rounds", type=int, default=3, help="timed runs of each, interleaved")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--keep", action="store_true", help="keep the synthetic rows")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_recompute needs PostgreSQL (its floor is PostgreSQL SQL).")
        rng = random.Random(options["seed"])
        # One log line per task run would bury the figures.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        self.out("Menghapus data sintetis lama (kode BENCH-)…")
        cleanup()
        started = time.perf_counter()
        period_ids = build(rng, options["pemda"], options["opd"], options["indicators"])
        scores = Score.objects.filter(assessment__period_id__in=period_ids).count()
        assessments = Assessment.objects.filter(period_id__in=period_ids)
        total = assessments.count()
        self.out(
            f"Data sintetis: {len(period_ids)} pemda/periode, {total} asesmen, {scores} skor "
            f"({time.perf_counter() - started:.1f} s)."
        )
        vacuum()

        # Warm up both (caches, the summaries' first insert), then time them interleaved,
        # so that a burst of load on the machine hits both alike.
        recompute_periods(period_ids)
        sql_floor(period_ids)
        ours, floor = [], []
        for _round in range(max(1, options["rounds"])):
            vacuum()
            ours.append(timed(lambda: recompute_periods(period_ids)))
            vacuum()
            floor.append(timed(lambda: sql_floor(period_ids)))
        ours_figures = stored_figures(period_ids)
        recompute_periods(period_ids)
        same = stored_figures(period_ids) == ours_figures
        sql_floor(period_ids)
        floor_figures = stored_figures(period_ids)
        differing = figure_differences(ours_figures, floor_figures)

        ids = list(assessments.values_list("pk", flat=True))
        sample = rng.sample(ids, min(options["sample"], len(ids)))
        vacuum()  # the two untimed runs above left a dead row per assessment
        single = [timed(lambda a=a: worker_recompute(a)) for a in sample]
        full, floor_time = statistics.median(ours), statistics.median(floor)
        per_assessment = statistics.mean(single) * total

        if not options["keep"]:
            self.out("Menghapus data sintetis…")
            cleanup()
        self.out(
            "same figures as the SQL floor: "
            + ("yes" if not differing else f"NO, {differing} rows differ")
            + f" ({total} assessments, {len(period_ids)} summaries)"
            + ("" if same else "; ours changed between two runs")
        )
        self.out(
            f"full set-based recompute: {full:.2f} s ({total} assessments, median of "
            f"{len(ours)}: {', '.join(f'{t:.2f}' for t in ours)})"
        )
        self.out(
            f"hand-written SQL floor: {floor_time:.2f} s (median of {len(floor)}: "
            f"{', '.join(f'{t:.2f}' for t in floor)})"
        )
        self.out(f"ratio to the floor: {full / floor_time:.2f}x (target ≤ 2)")
        self.out(
            f"single-assessment recompute in the worker: {statistics.median(single) * 1000:.1f} "
            f"ms (median of {len(single)}; target ≤ 10 ms)"
        )
        self.out(
            f"per-assessment path: {per_assessment:.1f} s for all, extrapolated "
            f"(mean {statistics.mean(single) * 1000:.1f} ms each), "
            f"{per_assessment / full:.1f}x the full recompute"
        )

    def out(self, line):
        self.stdout.write(line)


def vacuum():
    """Clear the dead rows the previous run left (every run rewrites 16,560 assessments)
    and write its pages to disk (a checkpoint, where the user may), so that each timed
    run starts from the same tables and no timed run pays for the previous one's
    writes. Not timed."""
    if connection.in_atomic_block:  # under a test's transaction VACUUM cannot run
        return
    tables = [m._meta.db_table for m in (Assessment, Score, PemdaSummary, Period, Job)]
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("CHECKPOINT")


def timed(work):
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def worker_recompute(assessment_id):
    """What the worker does after one saved level, timed: the coalesced task's whole run
    (its wait check, its job record, the outdated assessment recomputed, the period
    re-ranked, the summary and the kabupaten ranking checked). What the save itself does
    is done first and not timed: the assessment marked outdated, the job row queued."""
    period = Period.objects.get(assessments__pk=assessment_id)
    # The save's side, not timed: the assessment marked outdated, the job row queued.
    Assessment.objects.filter(pk=assessment_id).update(is_stale=True, revisi=F("revisi") + 1)
    task_id = str(uuid.uuid4())
    jobs.queued(Job.Kind.RECOMPUTE_PERIOD, task_id, period_id=period.id, pemda_id=period.pemda_id)
    started = time.perf_counter()
    queueing.postpone_for(period.id)
    recompute_period_task.apply(args=(period.id,), task_id=task_id)
    return time.perf_counter() - started


# --- The floor: hand-written SQL storing the same figures ----------------------------

FLOOR_FIGURES = """
WITH per_aspect AS (
    SELECT s.assessment_id, i.aspect_id,
           SUM(COALESCE(s.level_evaluator, i.nilai_bawaan) * i.bobot) AS ev,
           COUNT(COALESCE(s.level_evaluator, i.nilai_bawaan)) AS validated,
           SUM(COALESCE(s.level_mandiri, i.nilai_bawaan) * i.bobot) AS own,
           COUNT(COALESCE(s.level_mandiri, i.nilai_bawaan)) AS filled,
           COUNT(*) FILTER (WHERE s.level_evaluator IS NULL AND i.nilai_bawaan IS NOT NULL)
               AS waiting
    FROM evaluations_score s
    JOIN evaluations_assessment a ON a.id = s.assessment_id
    JOIN evaluations_period p ON p.id = a.period_id
    JOIN evaluations_indicator i ON i.id = s.indicator_id AND i.instrument_id = p.instrument_id
    WHERE a.period_id = ANY(%(ids)s)
    GROUP BY 1, 2
),
aspects AS (
    SELECT asp.id, asp.instrument_id, asp.nomor, d.nomor AS domain,
           SUM(i.bobot) AS weight, COUNT(*) AS n
    FROM evaluations_aspect asp
    JOIN evaluations_indicator i ON i.aspect_id = asp.id
    LEFT JOIN evaluations_domain d ON d.id = asp.domain_id
    GROUP BY asp.id, d.nomor
),
cells AS MATERIALIZED (
    SELECT a.id, sh.nomor AS aspect, sh.domain, sh.weight, sh.n,
           COALESCE(x.ev, 0) AS ev, COALESCE(x.validated, 0) AS validated,
           COALESCE(x.own, 0) AS own, COALESCE(x.filled, 0) AS filled,
           COALESCE(x.waiting, 0) AS waiting
    FROM evaluations_assessment a
    JOIN evaluations_period p ON p.id = a.period_id
    JOIN aspects sh ON sh.instrument_id = p.instrument_id
    LEFT JOIN per_aspect x ON x.assessment_id = a.id AND x.aspect_id = sh.id
    WHERE a.period_id = ANY(%(ids)s)
),
domains AS (
    SELECT id, jsonb_object_agg(
               domain::text,
               round(CASE WHEN weight > 0 THEN ev / weight ELSE 0 END, 4)::text) AS parts
    FROM (SELECT id, domain, SUM(ev) AS ev, SUM(weight) AS weight
          FROM cells WHERE domain IS NOT NULL GROUP BY 1, 2) per_domain
    GROUP BY id
),
totals AS (
    SELECT c.id, SUM(c.n) AS n, SUM(c.validated) AS validated, SUM(c.filled) AS filled,
           SUM(c.waiting) AS waiting, SUM(c.ev) / 100 AS idx, SUM(c.own) / 100 AS own_idx,
           jsonb_object_agg(
               c.aspect::text,
               round(CASE WHEN c.weight > 0 THEN c.ev / c.weight ELSE 0 END, 4)::text) AS parts
    FROM cells c GROUP BY c.id
),
figures AS (
    SELECT t.*, p.status, p.instrument_id, p.zona_hijau_dari, p.zona_kuning_dari,
           t.n > 0 AND t.validated >= t.n AS complete, round(t.idx, 2) AS shown
    FROM totals t
    JOIN evaluations_assessment a ON a.id = t.id
    JOIN evaluations_period p ON p.id = a.period_id
)
UPDATE evaluations_assessment a SET
    status_nilai = CASE WHEN NOT f.complete THEN 'proses'
                        WHEN f.status = 'final' THEN 'final' ELSE 'sementara' END,
    indeks = CASE WHEN f.complete THEN round(f.idx, 6) END,
    predikat = CASE WHEN f.complete THEN COALESCE(
        (SELECT b.nama FROM evaluations_predikatband b
         WHERE b.instrument_id = f.instrument_id AND b.batas_bawah <= f.shown
         ORDER BY b.batas_bawah DESC LIMIT 1), '') ELSE '' END,
    zona = CASE WHEN NOT f.complete THEN ''
                WHEN f.shown >= f.zona_hijau_dari THEN 'hijau'
                WHEN f.shown >= f.zona_kuning_dari THEN 'kuning' ELSE 'merah' END,
    indeks_aspek = CASE WHEN f.complete THEN f.parts ELSE '{}'::jsonb END,
    indeks_domain = CASE WHEN f.complete THEN COALESCE(d.parts, '{}'::jsonb)
                         ELSE '{}'::jsonb END,
    indeks_mandiri = CASE WHEN f.n > 0 AND f.filled >= f.n THEN round(f.own_idx, 6) END,
    jumlah_indikator = f.n, terisi = f.filled, tervalidasi = f.validated,
    menunggu_eksternal = f.waiting, computed_at = now(), is_stale = false
FROM figures f LEFT JOIN domains d ON d.id = f.id
WHERE a.id = f.id
"""

FLOOR_RANKS = """
UPDATE evaluations_assessment a SET peringkat = r.rank
FROM (SELECT id, CASE WHEN indeks IS NOT NULL THEN rank() OVER (
          PARTITION BY period_id, indeks IS NULL ORDER BY round(indeks, 2) DESC) END AS rank
      FROM evaluations_assessment WHERE period_id = ANY(%(ids)s)) r
WHERE a.id = r.id
"""

FLOOR_SUMMARIES = """
INSERT INTO evaluations_pemdasummary (period_id, pemda_id, opd_count, dinilai, rata_rata,
    predikat, zona_merah, zona_kuning, zona_hijau, sementara, computed_at)
SELECT p.id, p.pemda_id, COUNT(a.id), COUNT(a.indeks), round(AVG(a.indeks), 2),
       COALESCE((SELECT b.nama FROM evaluations_predikatband b
                 WHERE b.instrument_id = p.instrument_id
                   AND b.batas_bawah <= round(AVG(a.indeks), 2)
                 ORDER BY b.batas_bawah DESC LIMIT 1), ''),
       COUNT(a.id) FILTER (WHERE a.zona = 'merah'), COUNT(a.id) FILTER (WHERE a.zona = 'kuning'),
       COUNT(a.id) FILTER (WHERE a.zona = 'hijau'),
       COUNT(a.id) FILTER (WHERE a.status_nilai = 'sementara'), now()
FROM evaluations_period p LEFT JOIN evaluations_assessment a ON a.period_id = p.id
WHERE p.id = ANY(%(ids)s)
GROUP BY p.id
ON CONFLICT (period_id) DO UPDATE SET pemda_id = EXCLUDED.pemda_id,
    opd_count = EXCLUDED.opd_count, dinilai = EXCLUDED.dinilai,
    rata_rata = EXCLUDED.rata_rata, predikat = EXCLUDED.predikat,
    zona_merah = EXCLUDED.zona_merah, zona_kuning = EXCLUDED.zona_kuning,
    zona_hijau = EXCLUDED.zona_hijau, sementara = EXCLUDED.sementara,
    computed_at = EXCLUDED.computed_at
"""

FLOOR_KABUPATEN = """
WITH touched AS (
    SELECT DISTINCT pm.parent_id, p.tahun
    FROM evaluations_period p JOIN opd_pemda pm ON pm.id = p.pemda_id
    WHERE p.id = ANY(%(ids)s) AND pm.parent_id IS NOT NULL AND p.triwulan IS NULL
),
ranked AS (
    SELECT s.id,
        CASE WHEN s.rata_rata IS NOT NULL THEN rank() OVER (
            PARTITION BY pm.parent_id, p.tahun, s.rata_rata IS NULL
            ORDER BY round(s.rata_rata, 2) DESC) END AS by_average,
        CASE WHEN o.indeks IS NOT NULL THEN rank() OVER (
            PARTITION BY pm.parent_id, p.tahun, o.indeks IS NULL
            ORDER BY round(o.indeks, 2) DESC) END AS by_official
    FROM evaluations_pemdasummary s
    JOIN evaluations_period p ON p.id = s.period_id AND p.triwulan IS NULL
    JOIN opd_pemda pm ON pm.id = s.pemda_id
    JOIN touched t ON t.parent_id = pm.parent_id AND t.tahun = p.tahun
    LEFT JOIN evaluations_officialindex o ON o.pemda_id = s.pemda_id AND o.tahun = p.tahun
)
UPDATE evaluations_pemdasummary s
SET peringkat_provinsi = r.by_average, peringkat_resmi = r.by_official
FROM ranked r WHERE s.id = r.id
"""


def sql_floor(period_ids):
    """The floor: the figures, ranks, summaries and kabupaten rankings that
    `recompute_periods` stores, computed by four hand-written statements in one
    transaction, with no Python between them."""
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in (FLOOR_FIGURES, FLOOR_RANKS, FLOOR_SUMMARIES, FLOOR_KABUPATEN):
            cursor.execute(statement, {"ids": list(period_ids)})


def stored_figures(period_ids):
    """Every stored figure of the periods (not the timestamps), to compare two runs."""
    figures = [f for f in FIGURE_FIELDS if f != "computed_at"]
    assessments = list(
        Assessment.objects.filter(period_id__in=period_ids)
        .order_by("pk")
        .values_list("pk", *figures, "peringkat")
    )
    summaries = list(
        PemdaSummary.objects.filter(period_id__in=period_ids)
        .order_by("period_id")
        .values_list("period_id", *SUMMARY_FIELDS, "peringkat_provinsi", "peringkat_resmi")
    )
    return assessments, summaries


def figure_differences(one, other):
    """How many assessment and summary rows differ between two `stored_figures`."""
    if len(one[0]) != len(other[0]) or len(one[1]) != len(other[1]):
        return max(len(one[0]), len(other[0])) + max(len(one[1]), len(other[1]))
    return sum(a != b for a, b in zip(one[0], other[0], strict=True)) + sum(
        a != b for a, b in zip(one[1], other[1], strict=True)
    )


def cleanup():
    """Delete the synthetic rows (and nothing else). Scores and assessments go with one
    SQL DELETE each: Django's delete() would first load 400,000 rows to cascade."""
    pemdas = Pemda.objects.filter(kode__startswith=PREFIX)
    with transaction.atomic():
        periods = Period.objects.filter(pemda__in=pemdas)
        Job.objects.filter(pemda__in=pemdas).delete()
        PemdaSummary.objects.filter(pemda__in=pemdas).delete()
        for queryset in (
            Score.objects.filter(assessment__period__in=periods),
            Assessment.objects.filter(period__in=periods),
        ):
            sql, params = queryset.values("pk").query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {queryset.model._meta.db_table} WHERE id IN ({sql})", params
                )
        periods.delete()
        OPD.objects.filter(pemda__in=pemdas).delete()
        pemdas.filter(parent__isnull=False).delete()
        pemdas.delete()
        Instrument.objects.filter(kode=INSTRUMENT).delete()


def _instrument(indicator_count):
    # Published, as every instrument a period is opened on.
    instrument = Instrument.objects.create(
        kode=INSTRUMENT,
        nama="Instrumen sintetis (bench)",
        status=Instrument.Status.PUBLISHED,
        diterbitkan_pada=timezone.now(),
    )
    # Weights: equal shares of 100 with 4 decimals, the rest on the last indicator.
    share = (Decimal(100) / indicator_count).quantize(Decimal("0.0001"), rounding="ROUND_DOWN")
    weights = [share] * indicator_count
    weights[-1] += Decimal(100) - sum(weights)
    aspect_of = [n * ASPECTS // indicator_count for n in range(indicator_count)]
    domains = Domain.objects.bulk_create(
        Domain(instrument=instrument, nomor=d + 1, nama=f"Domain {d + 1}", bobot=0)
        for d in range(DOMAINS)
    )
    aspects = Aspect.objects.bulk_create(
        Aspect(
            instrument=instrument,
            domain=domains[a * DOMAINS // ASPECTS],
            nomor=a + 1,
            nama=f"Aspek {a + 1}",
            bobot=sum(w for w, x in zip(weights, aspect_of, strict=True) if x == a),
        )
        for a in range(ASPECTS)
    )
    for domain in domains:
        domain.bobot = sum(a.bobot for a in aspects if a.domain_id == domain.id)
    Domain.objects.bulk_update(domains, ["bobot"])
    indicators = Indicator.objects.bulk_create(
        Indicator(
            instrument=instrument,
            aspect=aspects[aspect_of[n]],
            nomor=n + 1,
            nama=f"Indikator {n + 1}",
            bobot=weights[n],
            skala=Indicator.Scale.PROSES,
        )
        for n in range(indicator_count)
    )
    PredikatBand.objects.bulk_create(
        PredikatBand(instrument=instrument, nama=name, batas_bawah=bound)
        for bound, name in DEFAULT_PREDIKAT_BANDS
    )
    return instrument, [i.id for i in indicators]


def _level(rng):
    return None if rng.random() < 0.1 else rng.randint(1, 5)


@transaction.atomic
def build(rng, pemda_count, opd_count, indicator_count):
    instrument, indicator_ids = _instrument(indicator_count)
    province_count = min(PROVINCES, pemda_count)
    provinces = Pemda.objects.bulk_create(
        Pemda(kode=f"{PREFIX}{p:02d}", nama=f"Provinsi Sintetis {p}", jenis="provinsi")
        for p in range(1, province_count + 1)
    )
    kabupaten = Pemda.objects.bulk_create(
        Pemda(
            kode=f"{PREFIX}{k % province_count + 1:02d}.{k:03d}",
            nama=f"Kabupaten Sintetis {k}",
            jenis="kabupaten",
            parent=provinces[k % province_count],
        )
        for k in range(1, pemda_count - province_count + 1)
    )
    pemdas = provinces + kabupaten
    opds = OPD.objects.bulk_create(
        (
            OPD(pemda=p, kode=f"OPD-{o:02d}", nama=f"Dinas {o}", jenis="dinas", aktif_dari=2019)
            for p in pemdas
            for o in range(1, opd_count + 1)
        ),
        batch_size=5000,
    )
    periods = Period.objects.bulk_create(
        Period(pemda=p, tahun=YEAR, instrument=instrument, status=Period.Status.EVALUATION)
        for p in pemdas
    )
    period_of = {p.pemda_id: p for p in periods}
    assessments = Assessment.objects.bulk_create(
        (Assessment(pemda_id=o.pemda_id, period=period_of[o.pemda_id], opd=o) for o in opds),
        batch_size=5000,
    )
    _copy_scores(rng, [a.id for a in assessments], indicator_ids)
    return [p.id for p in periods]


def _copy_scores(rng, assessment_ids, indicator_ids):
    """The scores, with PostgreSQL's COPY when available (bulk_create otherwise)."""
    now = timezone.now()
    rows = (
        (a, i, _level(rng), _level(rng) if rng.random() < 0.7 else None)
        for a in assessment_ids
        for i in indicator_ids
    )
    if connection.vendor != "postgresql":
        Score.objects.bulk_create(
            (
                Score(assessment_id=a, indicator_id=i, level_mandiri=m, level_evaluator=e)
                for a, i, m, e in rows
            ),
            batch_size=5000,
        )
        return
    buffer = io.StringIO()
    for a, i, m, e in rows:
        m, e = ("\\N" if x is None else x for x in (m, e))
        buffer.write(f"{a}\t{i}\t{m}\t{e}\t\t\t\t1\t{now}\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {Score._meta.db_table} (assessment_id, indicator_id, level_mandiri, "
            "level_evaluator, penjelasan, catatan_evaluator, eksternal_skor, version, "
            "updated_at) FROM STDIN",
            buffer,
        )
