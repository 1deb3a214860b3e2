"""Decimal numbers as people type them: "3,50" (the Indonesian decimal comma) or "3.50",
never read with thousands separators (Django's localised fields read "4,00" as 400 in an
English interface). One rule for every number input of both apps."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

DECIMAL = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def parse_decimal(text):
    """The Decimal written in `text` with a comma or a point, or None when `text` is not
    one plain decimal number (no thousands separators, no exponent)."""
    text = str(text or "").strip()
    if not DECIMAL.match(text):
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        return None


class DecimalCommaField(forms.DecimalField):
    """A DecimalField that reads "3,5" and "3.5" alike, in every interface language."""

    default_error_messages = {
        "invalid": _("Enter a number such as 3,50 (comma or point as the decimal sign)."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_decimal(value)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    def prepare_value(self, value):
        # Shown with the decimal comma, as Indonesian users write it.
        if isinstance(value, Decimal):
            return format(value, "f").replace(".", ",")
        return value


def weight_text(value):
    """A weight as the regulation writes it: the decimals it has and no trailing zeros,
    the language's decimal sign and a (non-breaking) space before the per cent sign:
    1.300 → "1,3 %", 2.000 → "2 %", 0.625 → "0,625 %"; "—" when empty."""
    from django.utils.formats import number_format

    if value in (None, ""):
        return "—"
    number = Decimal(str(value)).normalize()
    places = max(0, -number.as_tuple().exponent)
    if number == number.to_integral_value():
        number, places = number.quantize(Decimal(1)), 0
    return f"{number_format(number, places)}\u00a0%"
