"""Forms of the SPBE team pages. They only check input types; the rules (NIP, limits,
workflow) are in opd/services/teams.py, whose ValidationErrors the views put back on the
form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from spbe_dashboard import text

from .models import TeamCertificate, TeamMember, TeamRole


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class BootstrapMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class MemberForm(BootstrapMixin, forms.Form):
    role = forms.ModelChoiceField(label=_("role"), queryset=TeamRole.objects.none())
    name = forms.CharField(label=_("name"), max_length=150)
    status = forms.ChoiceField(label=_("employment status"), choices=TeamMember.Status.choices)
    nip = forms.CharField(
        label=_("NIP"),
        max_length=30,
        required=False,
        help_text=_("18 digits; required for PNS, optional for PPPK, empty for PTT and non-ASN."),
    )
    position = forms.CharField(label=_("position"), max_length=150, required=False)
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("email"), required=False)

    def __init__(self, *args, pemda, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = TeamRole.objects.filter(pemda=pemda).order_by(
            "order", "name"
        )

    @classmethod
    def initial_for(cls, member):
        return {
            "role": member.role_id,
            "name": member.name,
            "status": member.status,
            "nip": member.nip,
            "position": member.position,
            "phone": member.phone,
            "email": member.email,
        }


class CertificateForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("certificate"), max_length=200)
    issuer = forms.ChoiceField(label=_("issuer"), choices=TeamCertificate.Issuer.choices)
    number = forms.CharField(label=_("number"), max_length=100, required=False)
    issued_on = forms.DateField(label=_("date"), widget=DateInput())
    expires_on = forms.DateField(
        label=_("valid until"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty when the certificate does not expire."),
    )
    file = forms.FileField(
        label=_("file"), required=False, help_text=_("PDF, PNG or JPEG scan of the certificate.")
    )


class ApproveForm(BootstrapMixin, forms.Form):
    sk_number = forms.CharField(label=_("decree (SK) number"), max_length=100)
    sk_date = forms.DateField(label=_("decree (SK) date"), widget=DateInput())


class ReturnForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("reason for returning"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=text.NOTE,
    )


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
