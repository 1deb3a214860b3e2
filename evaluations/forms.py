"""Forms of the scoring pages. They only check the shape of the input; the rules of the
process (who, when, which levels) are enforced by services.scores and services.evidence."""

from django import forms
from django.utils.translation import gettext_lazy as _

from spbe_dashboard import text
from spbe_dashboard.numbers import DecimalCommaField

from .services.thresholds import check_thresholds


class VersionedForm(forms.Form):
    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The form is incomplete: reload the page and try again."),
            "invalid": _("The form is incomplete: reload the page and try again."),
        },
    )

    def first_error(self):
        for errors in self.errors.values():
            return errors[0]
        return ""


class SelfAssessmentForm(VersionedForm):
    # A level (1–5) or a decimal value (1,00–5,00): services.scores.parse_level checks it
    # against the indicator's instrument; empty where the indicator is assessed by items.
    level = forms.CharField(required=False, max_length=10)
    penjelasan = forms.CharField(label=_("Explanation"), required=False, max_length=text.LONG)


class ReviewForm(VersionedForm):
    level = forms.CharField(required=False, max_length=10)
    catatan = forms.CharField(label=_("Evaluator's note"), required=False, max_length=text.LONG)


class EvidenceFileForm(forms.Form):
    berkas = forms.FileField(
        label=_("File"),
        allow_empty_file=True,  # the service refuses empty files with its own message
        error_messages={"required": _("Choose a file to upload.")},
    )
    keterangan = forms.CharField(label=_("Description"), required=False, max_length=250)


class EvidenceLinkForm(forms.Form):
    tautan = forms.CharField(
        label=_("Link"), max_length=500, error_messages={"required": _("Enter the link.")}
    )
    keterangan = forms.CharField(label=_("Description"), required=False, max_length=250)


class ReasonForm(forms.Form):
    alasan = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=text.NOTE,
        error_messages={"required": _("Give a reason.")},
    )


class ThresholdForm(forms.Form):
    """A period's zone thresholds (the rounded index from which a zone starts) and the
    reason for changing them. "3,50" and "3.50" are both read as 3.50."""

    hijau = DecimalCommaField(label=_("Green zone from"), max_digits=3, decimal_places=2)
    kuning = DecimalCommaField(label=_("Yellow zone from"), max_digits=3, decimal_places=2)
    alasan = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=text.NOTE,
        required=False,
        help_text=_("Recorded in the period's history; required to save."),
    )

    def clean(self):
        cleaned = super().clean()
        green, yellow = cleaned.get("hijau"), cleaned.get("kuning")
        if green is not None and yellow is not None:
            for problem in check_thresholds(green, yellow):
                self.add_error(None, problem)
        return cleaned


class ExternalValueForm(forms.Form):
    """The value of an indicator scored from another national index (checked against the
    instrument by services.scores.set_external_value), its score there and its date."""

    nilai = forms.CharField(
        label=_("Value"), max_length=10, error_messages={"required": _("Enter the value.")}
    )
    skor = forms.CharField(label=_("Score in the index"), max_length=40, required=False)
    tanggal = forms.DateField(
        label=_("Date"),
        error_messages={
            "required": _("Give the date of the external value."),
            "invalid": _("Enter a valid date."),
        },
    )

    def first_error(self):
        for errors in self.errors.values():
            return errors[0]
        return ""
