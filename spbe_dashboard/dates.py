"""Dates and times as every page, export and report shows them: one format per kind.

- a day: the language's DATE_FORMAT ("2 Des. 2026");
- a moment: the language's DATETIME_FORMAT in the pemda's time zone (`Pemda.zona_waktu`,
  given as `zone`; else the current time zone, the `TIME_ZONE` setting) followed by its
  Indonesian name ("2 Des. 2026, 14.05 WITA"), so nobody has to guess which clock a
  deadline uses.
"""

import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import formats, timezone

EMPTY = "—"


def _zone(zone):
    """A tzinfo from a pemda (its `tzinfo`), a zone name, a tzinfo or None (current)."""
    if zone is None or zone == "":
        return timezone.get_current_timezone()
    if hasattr(zone, "tzinfo") and not isinstance(zone, datetime.tzinfo):
        return zone.tzinfo
    if isinstance(zone, str):
        try:
            return ZoneInfo(zone)
        except (ValueError, ZoneInfoNotFoundError):
            return timezone.get_current_timezone()
    return zone if isinstance(zone, datetime.tzinfo) else timezone.get_current_timezone()


def zone_name(zone=None):
    """WIB/WITA/WIT for an Indonesian zone (Asia/Pontianak is WIB), else the zone's own
    abbreviation."""
    from opd.models import TIME_ZONE_ABBREVIATIONS

    zone = _zone(zone)
    key = getattr(zone, "key", None) or str(zone)
    names = {**TIME_ZONE_ABBREVIATIONS, "Asia/Pontianak": "WIB"}
    if key in names:
        return names[key]
    return timezone.localtime(timezone.now(), zone).tzname() or key


def day(value):
    """A date (or the local date of a moment) in the one date format."""
    if value in (None, ""):
        return EMPTY
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return formats.date_format(value, "DATE_FORMAT")


def moment(value, zone=None):
    """A moment with its time zone: "2 Des. 2026, 14.05 WITA". `zone`: the pemda (or a
    zone name or tzinfo); the current time zone when not given."""
    if value in (None, ""):
        return EMPTY
    if not isinstance(value, datetime.datetime):
        return day(value)
    zone = _zone(zone)
    if timezone.is_aware(value):
        value = timezone.localtime(value, zone)
    return f"{formats.date_format(value, 'DATETIME_FORMAT')} {zone_name(zone)}"
