"""Indicator values as people read them: a whole level as "3", a decimal value as "1,26"
(two decimals, the language's decimal sign; an item mean such as 2.6667 shows 2,67)."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

from spbe_dashboard.numbers import weight_text

register = template.Library()


@register.filter
def nilai(value, decimal_values=False):
    """`{{ score.level_evaluator|nilai:instrument.nilai_desimal }}`; "—" when empty."""
    if value in (None, ""):
        return "—"
    value = Decimal(value)
    if not decimal_values and value == value.to_integral_value():
        return str(int(value))
    # number_format cuts the decimals; round half-up first (2.6667 → 2,67).
    return number_format(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), 2)


@register.filter
def weight(value):
    """`{{ indicator.bobot|weight }}`: "1,3 %" (spbe_dashboard.numbers.weight_text)."""
    return weight_text(value)
