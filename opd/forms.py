"""Forms of the SPBE team pages. They only check input types; the rules (NIP, limits,
workflow) are in opd/services/teams.py, whose ValidationErrors the views put back on the
form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spbe_dashboard import text

from .models import OPD, TeamCertificate, TeamMember, TeamRole
from .roles import Role


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class BootstrapMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class MemberForm(BootstrapMixin, forms.Form):
    role = forms.ModelChoiceField(
        label=_("role"), queryset=TeamRole.objects.none(), empty_label=_("Choose a role")
    )
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


# --- The pemda's people and OPD registry (issue 12) -------------------------------------
# Like the team forms, these only check the shape of the input; the rules are in
# opd/services/accounts.py and opd/services/registry.py.


def opd_label(opd):
    """An OPD in a choice: its full name and code (acronyms repeat across pemdas)."""
    return f"{opd.nama} ({opd.kode})"


class AccountForm(BootstrapMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    opd = forms.ModelChoiceField(
        label=_("OPD"),
        queryset=OPD.objects.none(),
        required=False,
        empty_label=_("No OPD (pemda staff)"),
        help_text=_("Only for the head and the operator of an OPD."),
    )

    def __init__(self, *args, pemda, **kwargs):
        super().__init__(*args, **kwargs)
        # The pemda's OPDs active this year: the only ones an account can belong to.
        year = timezone.localdate().year
        self.fields["opd"].queryset = OPD.objects.filter(pemda=pemda).active_in(year)
        self.fields["opd"].label_from_instance = opd_label

    def data_for_service(self):
        from .services.accounts import AccountData

        data = self.cleaned_data
        return AccountData(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            role=data["role"],
            opd=data["opd"],
        )

    @classmethod
    def initial_for(cls, account):
        membership = account.membership
        return {
            "first_name": account.first_name,
            "last_name": account.last_name,
            "email": account.email,
            "role": membership.role,
            "opd": membership.opd_id,
        }


class PasswordForm(BootstrapMixin, forms.Form):
    password1 = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        required=False,
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        required=False,
    )

    # Whether an empty password is allowed (a new account may get a reset link instead).
    password_required = True

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif self.password_required and not first:
            self.add_error("password1", _("Enter the new password."))
        return cleaned


class NewAccountForm(AccountForm, PasswordForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Used to log in, e.g. operator.dinkes; cannot be changed later."),
    )
    password_required = False

    field_order = ["username", "first_name", "last_name", "email", "role", "opd"]


class ReasonMixin(forms.Form):
    alasan = forms.CharField(
        label=_("Reason or legal basis"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text=_("E.g. the regional regulation on the organisation; kept in the history."),
    )


class OPDForm(BootstrapMixin, forms.Form):
    kode = forms.CharField(label=_("Code"), max_length=30)
    nama = forms.CharField(label=_("Name"), max_length=200)
    singkatan = forms.CharField(label=_("Acronym"), max_length=40, required=False)
    jenis = forms.ChoiceField(label=_("Kind"), choices=OPD.Kind.choices)

    def opd_data(self, prefix=""):
        from .services.registry import OPDData

        data = self.cleaned_data
        return OPDData(
            kode=data[f"{prefix}kode"],
            nama=data[f"{prefix}nama"],
            singkatan=data[f"{prefix}singkatan"],
            jenis=data[f"{prefix}jenis"],
        )

    @classmethod
    def initial_for(cls, opd):
        return {"kode": opd.kode, "nama": opd.nama, "singkatan": opd.singkatan, "jenis": opd.jenis}


def year_field(label, help_text=""):
    return forms.IntegerField(label=label, min_value=2000, max_value=2100, help_text=help_text)


class NewOPDForm(OPDForm):
    aktif_dari = year_field(_("Active from (year)"))


class DeactivateOPDForm(BootstrapMixin, ReasonMixin):
    dari_tahun = year_field(
        _("No longer active from (year)"),
        _("Its assessments before that year stay; from that year it has none."),
    )


class ReactivateOPDForm(BootstrapMixin, ReasonMixin):
    pass


class MergeOPDForm(OPDForm, ReasonMixin):
    """Two or more OPDs become one new OPD from a year."""

    opds = forms.ModelMultipleChoiceField(
        label=_("OPDs to merge"), queryset=OPD.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    dari_tahun = year_field(
        _("Merged from (year)"),
        _("The OPDs end the year before and keep their assessments; the new OPD starts then."),
    )

    field_order = ["opds", "dari_tahun", "kode", "nama", "singkatan", "jenis", "alasan"]

    def __init__(self, *args, pemda, **kwargs):
        super().__init__(*args, **kwargs)
        year = timezone.localdate().year
        self.fields["opds"].queryset = (
            OPD.objects.filter(pemda=pemda).active_in(year).order_by("kode")
        )
        self.fields["opds"].label_from_instance = opd_label


SPLIT_PARTS = 4


class SplitOPDForm(BootstrapMixin, ReasonMixin):
    """One OPD becomes two or more new OPDs from a year: up to four rows of code, name,
    acronym and kind; empty rows are ignored."""

    dari_tahun = year_field(
        _("Split from (year)"),
        _("The OPD ends the year before and keeps its assessments; the new OPDs start then."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, SPLIT_PARTS + 1):
            required = n <= 2
            self.fields[f"p{n}_kode"] = forms.CharField(
                label=_("Code"), max_length=30, required=required
            )
            self.fields[f"p{n}_nama"] = forms.CharField(
                label=_("Name"), max_length=200, required=required
            )
            self.fields[f"p{n}_singkatan"] = forms.CharField(
                label=_("Acronym"), max_length=40, required=False
            )
            self.fields[f"p{n}_jenis"] = forms.ChoiceField(
                label=_("Kind"), choices=OPD.Kind.choices, initial=OPD.Kind.DINAS
            )
            for name in ("kode", "nama", "singkatan", "jenis"):
                widget = self.fields[f"p{n}_{name}"].widget
                widget.attrs["class"] = "form-select" if name == "jenis" else "form-control"

    def rows(self):
        """The bound fields per new OPD, for the template."""
        return [
            [self[f"p{n}_{name}"] for name in ("kode", "nama", "singkatan", "jenis")]
            for n in range(1, SPLIT_PARTS + 1)
        ]

    def parts(self):
        from .services.registry import OPDData

        data = self.cleaned_data
        return [
            OPDData(
                kode=data[f"p{n}_kode"],
                nama=data[f"p{n}_nama"],
                singkatan=data[f"p{n}_singkatan"],
                jenis=data[f"p{n}_jenis"],
            )
            for n in range(1, SPLIT_PARTS + 1)
            if data.get(f"p{n}_kode") or data.get(f"p{n}_nama")
        ]

    def clean(self):
        cleaned = super().clean()
        for n in range(3, SPLIT_PARTS + 1):
            kode, nama = cleaned.get(f"p{n}_kode"), cleaned.get(f"p{n}_nama")
            if bool(kode) != bool(nama):
                self.add_error(
                    f"p{n}_nama" if kode else f"p{n}_kode", _("Give both code and name.")
                )
        return cleaned


class TeamRoleForm(BootstrapMixin, forms.Form):
    """One row of the roles table; each row is its own <form> (`form_id`), so its inputs
    name that form and carry the role's prefix."""

    name = forms.CharField(label=_("Role"), max_length=120)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=99)
    is_technical = forms.BooleanField(label=_("Technical"), required=False)
    max_members = forms.IntegerField(label=_("Maximum members"), min_value=1, max_value=50)

    def __init__(self, *args, role=None, **kwargs):
        key = role.pk if role is not None else "new"
        super().__init__(*args, prefix=f"role{key}", **kwargs)
        self.form_id = f"role-{key}"
        for field in self.fields.values():
            field.widget.attrs["form"] = self.form_id
            field.widget.attrs["aria-label"] = field.label

    @classmethod
    def initial_for(cls, role):
        return {
            "name": role.name,
            "order": role.order,
            "is_technical": role.is_technical,
            "max_members": role.max_members,
        }


class TeamSizeForm(BootstrapMixin, forms.Form):
    max_team_size = forms.IntegerField(label=_("Maximum team size"), min_value=1, max_value=100)
