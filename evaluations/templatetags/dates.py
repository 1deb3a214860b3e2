"""`{{ value|day }}` and `{{ value|moment }}`: the one date format and the one
date-and-time format with its zone (spbe_dashboard.dates)."""

from django import template

from spbe_dashboard import dates

register = template.Library()

register.filter("day", dates.day)
register.filter("moment", dates.moment)
