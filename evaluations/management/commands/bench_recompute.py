"""Benchmark of the recompute: a national-scale synthetic load, then the timings.

    python manage.py bench_recompute [--pemda 552] [--opd 30] [--indicators 25]
                                     [--sample 200] [--keep]

Builds, in the database the settings point at, `--pemda` regional governments (38 of
them provinces, the rest kabupaten/kota spread over those provinces) with `--opd` OPDs
each, one yearly period each on a synthetic instrument of `--indicators` indicators, and
random levels (some empty). Every row it makes hangs off pemda codes starting with
"BENCH-" and an instrument coded "bench-recompute": it deletes those (and only those)
before building and, unless --keep, after timing. Other data in the database is left
alone and is not part of the timings.

Prints as its last lines: the full set-based recompute of every synthetic period, the
per-assessment ORM path (timed on --sample assessments and extrapolated to all), their
ratio, and the time of one single-assessment recompute (median of the sample).
"""

import io
import random
import statistics
import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

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
from evaluations.services.recompute import recompute_assessment, recompute_periods
from evaluations.services.scoring import DEFAULT_PREDIKAT_BANDS
from opd.models import OPD, Pemda

PREFIX = "BENCH-"
INSTRUMENT = "bench-recompute"
PROVINCES = 38
DOMAINS = 4
ASPECTS = 8
YEAR = 2025


class Command(BaseCommand):
    help = "Build a national-scale synthetic load and time the set-based recompute."

    def add_arguments(self, parser):
        parser.add_argument("--pemda", type=int, default=552)
        parser.add_argument("--opd", type=int, default=30)
        parser.add_argument("--indicators", type=int, default=25)
        parser.add_argument("--sample", type=int, default=200)
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--keep", action="store_true", help="keep the synthetic rows")

    def handle(self, *args, **options):
        rng = random.Random(options["seed"])
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
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

        started = time.perf_counter()
        recompute_periods(period_ids)
        full = time.perf_counter() - started

        ids = list(assessments.values_list("pk", flat=True))
        sample = rng.sample(ids, min(options["sample"], len(ids)))
        timings = []
        for assessment_id in sample:
            started = time.perf_counter()
            recompute_assessment(assessment_id)
            timings.append(time.perf_counter() - started)
        per_assessment = statistics.mean(timings) * total
        single = statistics.median(timings)

        if not options["keep"]:
            self.out("Menghapus data sintetis…")
            cleanup()
        self.out(f"full set-based recompute: {full:.2f} s ({total} assessments)")
        self.out(
            f"per-assessment ORM recompute: {per_assessment:.1f} s "
            f"(extrapolated from {len(sample)} sampled assessments, "
            f"mean {statistics.mean(timings) * 1000:.1f} ms each)"
        )
        self.out(f"ratio: {per_assessment / full:.1f}x")
        self.out(f"single-assessment recompute: {single * 1000:.1f} ms (median)")

    def out(self, line):
        self.stdout.write(line)


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
    instrument = Instrument.objects.create(kode=INSTRUMENT, nama="Instrumen sintetis (bench)")
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
