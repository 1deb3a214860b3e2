"""The change log in words: labels instead of field codes, names of statuses and stages
instead of their codes, numbers with the language's decimal sign, and people by name.
Pages that show history (the period's, an indicator's, an assessment's) read entries
through `describe`."""

from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from spbe_dashboard import dates

from ..models import Assessment, FigureStatus, Period, Stage
from .schedule import SCHEDULE_FIELDS

FIELD_LABELS = {
    "level_mandiri": _("Self-assessed level"),
    "penjelasan": _("Explanation"),
    "level_evaluator": _("Evaluator's level"),
    "catatan_evaluator": _("Evaluator's note"),
    "bukti": _("Evidence"),
    "status_mandiri": _("Self-assessment status"),
    "status": _("Period status"),
    "tahap": _("Evaluation stage"),
    "sanggahan_dibuka": _("Appeal window opened"),
    "zona_hijau_dari": _("Green zone from"),
    "zona_kuning_dari": _("Yellow zone from"),
    "indeks_resmi": _("Official national index"),
    "status_nilai": _("Status of the figures"),
    "penugasan": _("Review assignment (OPD → evaluator)"),
}
DATE_FIELDS = frozenset(SCHEDULE_FIELDS)
# The schedule reads as the Period model names its fields.
FIELD_LABELS |= {
    name: capfirst(Period._meta.get_field(name).verbose_name)
    for name in (*DATE_FIELDS, "jendela_sanggahan_hari")
}

# Fields whose values are codes of a choice: shown by their label.
VALUE_LABELS = {
    "status": Period.Status,
    "status_mandiri": Assessment.SelfStatus,
    "tahap": Stage,
    "status_nilai": FigureStatus,
}
DECIMAL_FIELDS = frozenset({"zona_hijau_dari", "zona_kuning_dari"})
# Values of indicators: "3" or "1.26" in the log, "3" or "1,26" on the page.
VALUE_FIELDS = frozenset({"level_mandiri", "level_evaluator"})
DATETIME_FIELDS = frozenset({"sanggahan_dibuka"})


def field_label(field):
    # Items of an indicator are logged as "item:<number>:<field>".
    if field.startswith("item:"):
        _prefix, number, inner = field.split(":", 2)
        return _("Item %(number)s · %(field)s") % {
            "number": number,
            "field": FIELD_LABELS.get(inner, inner),
        }
    return FIELD_LABELS.get(field, field)


def value_label(field, value):
    """A stored old/new value as a person reads it ("—" when empty)."""
    if value in (None, ""):
        return "—"
    choices = VALUE_LABELS.get(field)
    if choices is not None and value in choices.values:
        return choices(value).label
    if field in DECIMAL_FIELDS:
        try:
            return formats.number_format(Decimal(value), 2)
        except InvalidOperation:
            return value
    if field in VALUE_FIELDS or field.startswith("item:"):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        places = max(0, -number.normalize().as_tuple().exponent)
        return formats.number_format(number, places)
    if field in DATETIME_FIELDS:
        moment = parse_datetime(value)
        return dates.moment(moment) if moment else value
    if field in DATE_FIELDS:
        day = parse_date(value)
        return dates.day(day) if day else value
    return value


def describe(entry):
    """Attach `label`, `old_label` and `new_label` to a ChangeLog entry; returns it."""
    entry.label = field_label(entry.field)
    entry.old_label = value_label(entry.field, entry.old_value)
    entry.new_label = value_label(entry.field, entry.new_value)
    return entry
