"""Summaries of stored figures for pages: never recompute, only aggregate what is stored."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Avg, Count, Q
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


def _zone_aggregates():
    # Only assessments with figures have an index and a zone: Avg and the zone counts
    # leave the in-progress ones out by themselves.
    return {f"zona_{zone.value}": Count("id", filter=Q(zona=zone.value)) for zone in Zone} | {
        "opd_count": Count("id"),
        "assessed": Count("id", filter=~Q(status_nilai=FigureStatus.IN_PROGRESS)),
        "average": Avg("indeks"),
        "provisional": Count("id", filter=Q(status_nilai=FigureStatus.PROVISIONAL)),
    }


def summarise_periods(periods):
    """One summary per period, in one aggregate query."""
    periods = list(periods)
    rows = {
        row["period_id"]: row
        for row in Assessment.objects.filter(period__in=periods)
        .values("period_id")
        .annotate(**_zone_aggregates())
    }
    bands_by_instrument = {}
    summaries = []
    for period in periods:
        row = rows.get(period.id)
        summary = PeriodSummary(period=period)
        if row:
            summary.opd_count = row["opd_count"]
            summary.assessed = row["assessed"]
            summary.average = None if row["average"] is None else round_index(row["average"])
            summary.zones = {zone.value: row[f"zona_{zone.value}"] for zone in Zone}
            summary.provisional = row["provisional"]
            if summary.average is not None:
                if period.instrument_id not in bands_by_instrument:
                    bands_by_instrument[period.instrument_id] = predikat_bands(period.instrument_id)
                summary.predikat = predikat_for(
                    summary.average, bands_by_instrument[period.instrument_id]
                )
        summaries.append(summary)
    return summaries


def lock_province_year(province_id, tahun):
    """Serialise the writers of one province's summaries for a year (PostgreSQL advisory
    lock, released at commit), so that recomputes of two kabupaten of one province do
    not deadlock on each other's summary rows."""
    if province_id is not None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [province_id, tahun])


def store_summary(period, rank=True):
    """Store the pemda's summary of the period, then re-rank the kabupaten/kota of its
    province for that year (a province's own summary is ranked with nobody).

    `rank=False` leaves the ranking to the caller (a recompute of many periods ranks
    each province once at the end)."""
    province_id = period.pemda.parent_id
    if rank:
        lock_province_year(province_id, period.tahun)
    [summary] = summarise_periods([period])
    PemdaSummary.objects.update_or_create(
        period=period,
        defaults={
            "pemda_id": period.pemda_id,
            "opd_count": summary.opd_count,
            "dinilai": summary.assessed,
            "rata_rata": summary.average,
            "predikat": summary.predikat,
            "zona_merah": summary.zones.get(Zone.MERAH, 0),
            "zona_kuning": summary.zones.get(Zone.KUNING, 0),
            "zona_hijau": summary.zones.get(Zone.HIJAU, 0),
            "sementara": summary.provisional,
            "computed_at": timezone.now(),
        },
    )
    if rank and province_id is not None and period.triwulan is None:
        rank_kabupaten(province_id, period.tahun)


def rank_kabupaten(province_id, tahun):
    """Rank the kabupaten/kota of a province for a year by the average index of their OPDs
    and, where recorded, by their official national index."""
    lock_province_year(province_id, tahun)
    summaries = list(
        PemdaSummary.objects.filter(
            pemda__parent_id=province_id, period__tahun=tahun, period__triwulan__isnull=True
        )
    )
    by_average = competition_ranks(
        {s.id: s.rata_rata for s in summaries if s.rata_rata is not None}
    )
    official = dict(
        OfficialIndex.objects.filter(pemda__parent_id=province_id, tahun=tahun).values_list(
            "pemda_id", "indeks"
        )
    )
    by_official = competition_ranks(
        {s.id: official[s.pemda_id] for s in summaries if s.pemda_id in official}
    )
    for s in summaries:
        s.peringkat_provinsi = by_average.get(s.id)
        s.peringkat_resmi = by_official.get(s.id)
    PemdaSummary.objects.bulk_update(summaries, ["peringkat_provinsi", "peringkat_resmi"])


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
