"""`{{ value|day }}` and `{{ value|moment:pemda }}`: the one date format and the one
date-and-time format with its time zone, the pemda's when given (spbe_dashboard.dates)."""

from django import template

from spbe_dashboard import dates

register = template.Library()

register.filter("day", dates.day)
register.filter("moment", dates.moment)
