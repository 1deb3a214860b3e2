"""Dates and times as every page, export and report shows them: one format per kind.

- a day: the language's DATE_FORMAT ("2 Des. 2026");
- a moment: the language's DATETIME_FORMAT in the time zone of the installation (the
  pemda's zone: WITA by default, `TIME_ZONE` setting) followed by its Indonesian name
  ("2 Des. 2026, 14.05 WITA"), so nobody has to guess which clock a deadline uses.
"""

import datetime

from django.utils import formats, timezone

# Indonesia's three zones by their IANA names (Asia/Pontianak is WIB like Jakarta).
ZONE_NAMES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}
EMPTY = "—"


def zone_name(zone=None):
    """WIB/WITA/WIT for an Indonesian zone, else the zone's own abbreviation."""
    zone = zone or timezone.get_current_timezone()
    key = getattr(zone, "key", None) or str(zone)
    if key in ZONE_NAMES:
        return ZONE_NAMES[key]
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
    """A moment with its time zone: "2 Des. 2026, 14.05 WITA"."""
    if value in (None, ""):
        return EMPTY
    if not isinstance(value, datetime.datetime):
        return day(value)
    zone = zone or timezone.get_current_timezone()
    if timezone.is_aware(value):
        value = timezone.localtime(value, zone)
    return f"{formats.date_format(value, 'DATETIME_FORMAT')} {zone_name(zone)}"
