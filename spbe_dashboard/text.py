"""Free text from users (forms, imported cells, service arguments): one rule for both apps.

Text is stripped, may not contain a NUL character (PostgreSQL refuses it in any text
column, and no keyboard types one) and has a maximum length: the column's for CharFields,
and for the TextFields of notes, reasons and arguments the lengths below, which the
forms use as their max_length.
"""

from django.utils.translation import gettext as _

NOTE = 2_000  # reasons and decisions: returning, rejecting, reopening, an appeal's answer
LONG = 10_000  # explanations, evaluators' notes, an appeal's argument


class TextError(ValueError):
    """Refused text; the message is for the user."""


def problem(value, max_length):
    """Why `value` (already a str) is refused, or None."""
    if "\x00" in value:
        return _("The text contains a character that is not allowed (NUL).")
    if len(value) > max_length:
        return _("The text is too long: at most %(max)s characters.") % {"max": max_length}
    return None


def clean(value, max_length):
    """`value` as stripped text, or a TextError."""
    text = "" if value is None else str(value).strip()
    message = problem(text, max_length)
    if message:
        raise TextError(message)
    return text
