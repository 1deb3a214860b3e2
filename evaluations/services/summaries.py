"""Summaries of stored figures for pages: never recompute, only aggregate what is stored."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from ..models import Assessment, FigureStatus, OfficialIndex, PemdaSummary, Period, Zone
from .instruments import predikat_bands
from .scoring import competition_ranks, predikat_for, round_index


@dataclass
class PeriodSummary:
    """Figures of one period built from the OPDs that have figures (`assessed` of
    `opd_count`); the others are in progress and counted apart."""

    period: Period
    opd_count: int = 0
    assessed: int = 0
    average: Decimal | None = None
    predikat: str = ""
    zones: dict = field(default_factory=dict)  # zone code → count
    provisional: int = 0

    @property
    def zone_rows(self):
        """(code, label, count) for every zone, red first."""
        return [(z.value, z.label, self.zones.get(z.value, 0)) for z in Zone]


def summarise(period, figures, bands):
    """The summary of a period from its assessments' figures: (status, index, zone) per
    assessment, and the predikat bands of its instrument. The one place that says how
    OPD figures add up to a pemda's: only the OPDs with figures count."""
    summary = PeriodSummary(period=period)
    total = Decimal(0)
    for status, index, zone in figures:
        summary.opd_count += 1
        if status == FigureStatus.IN_PROGRESS:
            continue
        summary.assessed += 1
        summary.provisional += status == FigureStatus.PROVISIONAL
        summary.zones[zone] = summary.zones.get(zone, 0) + 1
        total += index
    if summary.assessed:
        summary.average = round_index(total / summary.assessed)
        summary.predikat = predikat_for(summary.average, bands)
    return summary


def summarise_periods(periods):
    """One summary per period, from the stored figures of its assessments."""
    periods = list(periods)
    figures = {period.id: [] for period in periods}
    for period_id, *row in Assessment.objects.filter(period__in=periods).values_list(
        "period_id", "status_nilai", "indeks", "zona"
    ):
        figures[period_id].append(row)
    bands = {}
    for period in periods:
        if period.instrument_id not in bands:
            bands[period.instrument_id] = predikat_bands(period.instrument_id)
    return [summarise(p, figures[p.id], bands[p.instrument_id]) for p in periods]


def lock_province_years(pairs):
    """Serialise the writers of provinces' summaries for a year (PostgreSQL advisory
    locks, released at commit; taken in one order, so two writers never wait on each
    other crosswise), so that recomputes of two kabupaten of one province do not
    deadlock on each other's summary rows."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for province_id, tahun in sorted(set(pairs)):
            if province_id is not None:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [province_id, tahun])


def province_year(period):
    """The (province, year) whose kabupaten ranking a period's summary feeds, or None (a
    province's own period, a quarterly period)."""
    if period.pemda.parent_id is None or period.triwulan is not None:
        return None
    return (period.pemda.parent_id, period.tahun)


SUMMARY_FIELDS = [
    "opd_count",
    "dinilai",
    "rata_rata",
    "predikat",
    "zona_merah",
    "zona_kuning",
    "zona_hijau",
    "sementara",
]


def _stored_values(summary):
    """A PeriodSummary as its row stores it, in SUMMARY_FIELDS order."""
    return (
        summary.opd_count,
        summary.assessed,
        summary.average,
        summary.predikat,
        summary.zones.get(Zone.MERAH, 0),
        summary.zones.get(Zone.KUNING, 0),
        summary.zones.get(Zone.HIJAU, 0),
        summary.provisional,
    )


def changed_summaries(summaries):
    """The summaries that differ from their stored rows (or have none): only those need
    a write, and only their provinces a new kabupaten ranking. Most recomputes after a
    save change no pemda figure (a self-assessed level, an OPD still in progress). The
    caller holds the periods' row locks, so nothing else writes these rows meanwhile."""
    summaries = list(summaries)
    stored = {
        period_id: tuple(values)
        for period_id, *values in PemdaSummary.objects.filter(
            period_id__in=[s.period.id for s in summaries]
        )
        .order_by()  # the model's ordering would join periods and pemda for nothing
        .values_list("period_id", *SUMMARY_FIELDS)
    }
    return [s for s in summaries if stored.get(s.period.id) != _stored_values(s)]


def store_summaries(summaries):
    """Store the summaries (PeriodSummary) in one upsert. The caller holds the locks
    (`lock_province_years`) and re-ranks the kabupaten afterwards."""
    now = timezone.now()
    rows = [
        PemdaSummary(
            period=s.period,
            pemda_id=s.period.pemda_id,
            computed_at=now,
            **dict(zip(SUMMARY_FIELDS, _stored_values(s), strict=True)),
        )
        for s in summaries
    ]
    PemdaSummary.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["period"],
        update_fields=[*SUMMARY_FIELDS, "pemda", "computed_at"],
    )


def store_summary(period):
    """Store the pemda's summary of the period from its stored figures, then re-rank the
    kabupaten/kota of its province for that year."""
    pairs = [pair for pair in [province_year(period)] if pair]
    lock_province_years(pairs)
    store_summaries(summarise_periods([period]))
    rerank_kabupaten(pairs)


def rank_kabupaten(province_id, tahun):
    """Rank the kabupaten/kota of a province for a year by the average index of their OPDs
    and, where recorded, by their official national index."""
    lock_province_years([(province_id, tahun)])
    rerank_kabupaten([(province_id, tahun)])


def rerank_kabupaten(pairs):
    """`rank_kabupaten` for many (province, year) pairs, the caller holding their locks
    (`lock_province_years`): one read, one write of the ranks that changed."""
    pairs = set(pairs)
    if not pairs:
        return
    official = OfficialIndex.objects.filter(
        pemda_id=OuterRef("pemda_id"), tahun=OuterRef("period__tahun")
    ).values("indeks")[:1]
    groups = defaultdict(list)
    for summary in (
        PemdaSummary.objects.filter(
            pemda__parent_id__in={province for province, _year in pairs},
            period__tahun__in={year for _province, year in pairs},
            period__triwulan__isnull=True,
        )
        .annotate(
            province=F("pemda__parent_id"), tahun=F("period__tahun"), official=Subquery(official)
        )
        .only("id", "pemda_id", "rata_rata", "peringkat_provinsi", "peringkat_resmi")
    ):
        if (summary.province, summary.tahun) in pairs:
            groups[(summary.province, summary.tahun)].append(summary)
    changed = []
    for group in groups.values():
        by_average = competition_ranks(
            {s.id: s.rata_rata for s in group if s.rata_rata is not None}
        )
        by_official = competition_ranks({s.id: s.official for s in group if s.official is not None})
        for s in group:
            ranks = (by_average.get(s.id), by_official.get(s.id))
            if ranks != (s.peringkat_provinsi, s.peringkat_resmi):
                s.peringkat_provinsi, s.peringkat_resmi = ranks
                changed.append(s)
    PemdaSummary.objects.bulk_update(
        changed, ["peringkat_provinsi", "peringkat_resmi"], batch_size=500
    )


@dataclass(frozen=True)
class Comparison:
    """Like with like: the average index of the same OPDs in two periods."""

    previous: Period
    opd_count: int  # OPDs with figures in both periods
    before: Decimal  # their average then, rounded as shown
    after: Decimal  # their average now, rounded as shown

    @property
    def change(self):
        return self.after - self.before


def compare_periods(period, previous):
    """How the OPDs with figures in both periods moved, or None when no OPD has figures
    in both, or when the periods use different instruments (their indices measure
    different things)."""
    if previous is None or period.instrument_id != previous.instrument_id:
        return None
    now, then = (
        dict(
            Assessment.objects.filter(period=p, indeks__isnull=False).values_list(
                "opd_id", "indeks"
            )
        )
        for p in (period, previous)
    )
    common = now.keys() & then.keys()
    if not common:
        return None
    n = len(common)
    return Comparison(
        previous=previous,
        opd_count=n,
        before=round_index(sum(then[o] for o in common) / n),
        after=round_index(sum(now[o] for o in common) / n),
    )
