"""Summaries of stored figures for pages: never recompute, only aggregate what is stored."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q

from ..models import Assessment, Period, Zone
from .recompute import predikat_bands
from .scoring import predikat_for, round_index


@dataclass
class PeriodSummary:
    period: Period
    opd_count: int = 0
    average: Decimal | None = None
    predikat: str = ""
    zones: dict = field(default_factory=dict)  # zone code → count
    provisional: int = 0
    stale: int = 0

    @property
    def zone_rows(self):
        """(code, label, count) for every zone, red first."""
        return [(z.value, z.label, self.zones.get(z.value, 0)) for z in Zone]


def _zone_aggregates():
    return {f"zona_{zone.value}": Count("id", filter=Q(zona=zone.value)) for zone in Zone} | {
        "opd_count": Count("id"),
        "average": Avg("indeks"),
        "provisional": Count("id", filter=Q(is_final=False)),
        "stale": Count("id", filter=Q(is_stale=True)),
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
            summary.average = None if row["average"] is None else round_index(row["average"])
            summary.zones = {zone.value: row[f"zona_{zone.value}"] for zone in Zone}
            summary.provisional = row["provisional"]
            summary.stale = row["stale"]
            if summary.average is not None:
                if period.instrument_id not in bands_by_instrument:
                    bands_by_instrument[period.instrument_id] = predikat_bands(period.instrument_id)
                summary.predikat = predikat_for(
                    summary.average, bands_by_instrument[period.instrument_id]
                )
        summaries.append(summary)
    return summaries
