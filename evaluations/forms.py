"""Forms of the scoring pages. They only check the shape of the input; the rules of the
process (who, when, which levels) are enforced by services.scores and services.evidence."""

from types import SimpleNamespace

from django import forms
from django.utils.translation import gettext_lazy as _

from opd.forms import BootstrapMixin, DateInput
from spbe_dashboard import text
from spbe_dashboard.numbers import DecimalCommaField

from .services.schedule import SCHEDULE_FIELDS, schedule_problems
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


class ThresholdFields(forms.Form):
    """A period's zone thresholds: the rounded index from which a zone starts. "3,50" and
    "3.50" are both read as 3.50."""

    hijau = DecimalCommaField(label=_("Green zone from"), max_digits=3, decimal_places=2)
    kuning = DecimalCommaField(label=_("Yellow zone from"), max_digits=3, decimal_places=2)

    def clean(self):
        cleaned = super().clean()
        green, yellow = cleaned.get("hijau"), cleaned.get("kuning")
        if green is not None and yellow is not None:
            for problem in check_thresholds(green, yellow):
                self.add_error(None, problem)
        return cleaned


class ThresholdForm(ThresholdFields):
    """Changing the thresholds, with the reason."""

    alasan = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=text.NOTE,
        required=False,
        help_text=_("Recorded in the period's history; required to save."),
    )


def schedule_fields():
    """One optional date per dated stage, labelled as the Period model names them."""
    from .models import Period

    return {
        name: Period._meta.get_field(name).formfield(widget=DateInput()) for name in SCHEDULE_FIELDS
    }


class ScheduleForm(BootstrapMixin, forms.Form):
    """A period's schedule: the last day of each stage, and the appeal window's length."""

    jendela_sanggahan_hari = forms.IntegerField(
        label=_("Appeal window (days)"),
        min_value=1,
        max_value=60,
        help_text=_("The window opens when document review ends."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = schedule_fields()
        for field in fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        # The dates first, in the order of the stages.
        self.fields = {**fields, **self.fields}

    def clean(self):
        cleaned = super().clean()
        for field, problem in schedule_problems(SimpleNamespace(**self.dates)):
            self.add_error(field, problem)
        return cleaned

    @property
    def dates(self):
        return {name: self.cleaned_data.get(name) for name in SCHEDULE_FIELDS}

    @property
    def date_fields(self):
        return [self[name] for name in SCHEDULE_FIELDS]


class ScheduleChangeForm(ScheduleForm):
    alasan = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=text.NOTE,
        required=False,
        help_text=_("Optional; recorded in the period's history."),
    )


QUARTERS = [("", _("Yearly"))] + [(str(n), _("Quarter %(n)s") % {"n": n}) for n in range(1, 5)]


class NewPeriodForm(ThresholdFields, ScheduleForm):
    """A new period: which year (and quarter), instrument, thresholds and schedule."""

    tahun = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    triwulan = forms.TypedChoiceField(
        label=_("Yearly or quarterly"),
        choices=QUARTERS,
        coerce=int,
        empty_value=None,
        required=False,
    )
    instrument = forms.ModelChoiceField(label=_("Instrument"), queryset=None, empty_label=None)

    def __init__(self, *args, instruments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].queryset = instruments

    @classmethod
    def initial_from(cls, choice):
        """The form's values for a proposed period (services.periods.NewPeriod)."""
        return {
            "tahun": choice.tahun,
            "triwulan": choice.triwulan or "",
            "instrument": choice.instrument.pk if choice.instrument else None,
            "hijau": choice.zona_hijau_dari,
            "kuning": choice.zona_kuning_dari,
            "jendela_sanggahan_hari": choice.jendela_sanggahan_hari,
            **choice.schedule,
        }


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


class TppMappingForm(BootstrapMixin, forms.Form):
    """The pemda's rule from index to the SPBE component of the TPP (services.tpp checks
    it; the errors come back on the form)."""

    cara = forms.ChoiceField(
        label=_("Method"),
        choices=[("pita", _("Index bands")), ("linier", _("Linear"))],
    )
    pita = forms.CharField(
        label=_("Bands"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One band per line: the lower bound of the index and the percentage of the SPBE "
            'component, e.g. "3,50 100". The lowest band starts at 1,00.'
        ),
    )
    linier_dari = DecimalCommaField(label=_("Linear: index of 0 percent"), required=False)
    linier_sampai = DecimalCommaField(
        label=_("Linear: index from which 100 percent"), required=False
    )
    bagian_spbe = DecimalCommaField(
        label=_("SPBE share of the work-achievement component (%)"),
        help_text=_("E.g. 30: SPBE counts for 30% of the work-achievement component."),
    )
