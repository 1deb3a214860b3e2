from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .querysets import TenantQuerySet, membership_of
from .roles import OPD_ROLES, Role


class PemdaQuerySet(TenantQuerySet):
    pemda_path = ""
    # The pemda record itself (its code, kind and province) is the superuser's to change:
    # a tenant admin must never be able to move their pemda under another province.
    editor_roles = frozenset()

    def home_of(self, user):
        """The pemda the user works in (every pemda for a superuser): where the rows they
        may write belong. Unlike `editable_by`, this is not about changing the pemda."""
        if not getattr(user, "is_active", False):
            return self.none()
        if user.is_superuser:
            return self
        membership = membership_of(user)
        return self.none() if membership is None else self.filter(pk=membership.pemda_id)


# Indonesia's three time zones: WIB (western), WITA (central), WIT (eastern).
class TimeZone(models.TextChoices):
    WIB = "Asia/Jakarta", _("WIB (Western Indonesia Time)")
    WITA = "Asia/Makassar", _("WITA (Central Indonesia Time)")
    WIT = "Asia/Jayapura", _("WIT (Eastern Indonesia Time)")


TIME_ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
# Provinces (first two digits of the Kemendagri code) outside WIB: Bali and Nusa
# Tenggara, Kalimantan Selatan/Timur/Utara and Sulawesi are WITA; Maluku and Papua WIT.
WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96", "97"}


def time_zone_of_code(kode):
    """The time zone of a pemda by its province's code: the default of Pemda.zona_waktu."""
    province = (kode or "").split(".")[0]
    if province in WIT_PROVINCES:
        return TimeZone.WIT
    if province in WITA_PROVINCES:
        return TimeZone.WITA
    return TimeZone.WIB


class Pemda(models.Model):
    """A regional government (pemerintah daerah): the tenant."""

    class Kind(models.TextChoices):
        PROVINSI = "provinsi", _("Province")
        KABUPATEN = "kabupaten", _("Regency (kabupaten)")
        KOTA = "kota", _("City (kota)")

    kode = models.CharField(
        _("region code"),
        max_length=13,
        unique=True,
        help_text=_("Official Kemendagri region code, e.g. 76 or 76.02."),
    )
    nama = models.CharField(_("name"), max_length=120)
    jenis = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        limit_choices_to={"jenis": Kind.PROVINSI},
    )
    # Deadlines and notifications are shown in the pemda's own time zone.
    zona_waktu = models.CharField(
        _("time zone"),
        max_length=20,
        choices=TimeZone.choices,
        blank=True,
        help_text=_("Empty: the time zone of the province (WIB, WITA or WIT) by its code."),
    )

    objects = PemdaQuerySet.as_manager()

    class Meta:
        verbose_name = _("regional government")
        verbose_name_plural = _("regional governments")
        ordering = ["kode"]
        constraints = [
            models.CheckConstraint(
                condition=Q(jenis="provinsi", parent__isnull=True) | ~Q(jenis="provinsi"),
                name="pemda_province_has_no_parent",
            ),
        ]

    def __str__(self):
        return self.nama

    def save(self, *args, **kwargs):
        if not self.zona_waktu:
            self.zona_waktu = time_zone_of_code(self.kode)
        super().save(*args, **kwargs)

    @property
    def is_province(self):
        return self.jenis == self.Kind.PROVINSI

    @property
    def tzinfo(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.zona_waktu or time_zone_of_code(self.kode))

    @property
    def time_zone_label(self):
        """WIB, WITA or WIT."""
        return TIME_ZONE_ABBREVIATIONS[self.zona_waktu or time_zone_of_code(self.kode)]

    def clean(self):
        if self.is_province and self.parent_id:
            raise ValidationError({"parent": _("A province cannot have a parent province.")})
        if not self.is_province and self.parent_id is None:
            raise ValidationError({"parent": _("A kabupaten/kota must belong to a province.")})


class OPDQuerySet(TenantQuerySet):
    opd_path = "pk"

    def active_in(self, year):
        return self.filter(
            Q(aktif_sampai__isnull=True) | Q(aktif_sampai__gte=year), aktif_dari__lte=year
        )


class OPD(models.Model):
    """An organisation of one pemda (dinas, badan, biro ...), the unit that is evaluated."""

    class Kind(models.TextChoices):
        SEKRETARIAT = "sekretariat", _("Secretariat")
        BIRO = "biro", _("Bureau (biro)")
        INSPEKTORAT = "inspektorat", _("Inspectorate")
        BADAN = "badan", _("Agency (badan)")
        DINAS = "dinas", _("Service (dinas)")
        SATUAN = "satuan", _("Unit (satuan)")
        RSUD = "rsud", _("Regional hospital (RSUD)")
        KECAMATAN = "kecamatan", _("District (kecamatan)")
        LAINNYA = "lainnya", _("Other")

    pemda = models.ForeignKey(
        Pemda, verbose_name=_("regional government"), on_delete=models.PROTECT, related_name="opds"
    )
    kode = models.CharField(_("code"), max_length=30)
    nama = models.CharField(_("name"), max_length=200)
    singkatan = models.CharField(_("acronym"), max_length=40, blank=True)
    jenis = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    aktif_dari = models.PositiveSmallIntegerField(_("active from (year)"))
    aktif_sampai = models.PositiveSmallIntegerField(
        _("active until (year)"),
        null=True,
        blank=True,
        help_text=_("Empty while the OPD still exists. A restructured OPD keeps its history."),
    )
    # A restructuring (merge or split) ends the old OPDs and starts new ones; the new
    # OPD names the ones it continues. Past assessments stay with the old OPDs.
    pendahulu = models.ManyToManyField(
        "self",
        verbose_name=_("predecessors"),
        symmetrical=False,
        blank=True,
        related_name="penerus",
        help_text=_("The OPDs this one continues after a merge or a split."),
    )

    objects = OPDQuerySet.as_manager()

    class Meta:
        verbose_name = _("OPD")
        verbose_name_plural = _("OPDs")
        ordering = ["pemda__kode", "kode"]
        constraints = [
            models.UniqueConstraint(fields=["pemda", "kode"], name="opd_kode_unique_in_pemda"),
            models.CheckConstraint(
                condition=Q(aktif_sampai__isnull=True)
                | Q(aktif_sampai__gte=models.F("aktif_dari")),
                name="opd_active_years_ordered",
            ),
        ]

    def __str__(self):
        return self.singkatan or self.nama

    def is_active_in(self, year):
        return self.aktif_dari <= year and (self.aktif_sampai is None or year <= self.aktif_sampai)

    def clean(self):
        if self.aktif_sampai is not None and self.aktif_sampai < self.aktif_dari:
            raise ValidationError(
                {"aktif_sampai": _("The last active year cannot be before the first one.")}
            )


class MembershipQuerySet(TenantQuerySet):
    opd_path = "opd"


class Membership(models.Model):
    """The one role a user holds, in one pemda (and, for OPD roles, one OPD)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="membership",
    )
    pemda = models.ForeignKey(
        Pemda, verbose_name=_("regional government"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    opd = models.ForeignKey(
        OPD,
        verbose_name=_("OPD"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text=_("Required for the head and the operator of an OPD, empty otherwise."),
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=sorted(OPD_ROLES), opd__isnull=False)
                    | (~Q(role__in=sorted(OPD_ROLES)) & Q(opd__isnull=True))
                ),
                name="membership_opd_only_for_opd_roles",
            ),
        ]

    def __str__(self):
        where = self.opd or self.pemda
        return f"{self.user} · {self.get_role_display()} · {where}"

    @property
    def is_opd_role(self):
        return self.role in OPD_ROLES

    def clean(self):
        if self.is_opd_role and not self.opd_id:
            raise ValidationError({"opd": _("This role must be tied to one OPD.")})
        if not self.is_opd_role and self.opd_id:
            raise ValidationError({"opd": _("Only OPD roles are tied to an OPD.")})
        if self.opd_id and self.pemda_id and self.opd.pemda_id != self.pemda_id:
            raise ValidationError(
                {"opd": _("The OPD must belong to the same regional government.")}
            )


# --- Tim Pengelola SPBE (issue 6) ------------------------------------------------------
#
# Each OPD keeps an SPBE team per year. The team is a series of versions (TeamProposal):
# the OPD drafts a version and its head proposes it, the pemda's Kominfo administrator
# approves it (recording the decree, SK) or returns it with a reason. A change after
# approval starts a new version that copies the members; every version is kept and
# exactly one per OPD and year is current. Business rules live in opd/services/teams.py.

DEFAULT_TEAM_SIZE = 8


class TeamSettingsQuerySet(TenantQuerySet):
    pass


class TeamSettings(models.Model):
    """The pemda's team rules: how many people one OPD team may have."""

    pemda = models.OneToOneField(
        Pemda,
        verbose_name=_("regional government"),
        on_delete=models.CASCADE,
        related_name="team_settings",
    )
    max_team_size = models.PositiveSmallIntegerField(
        _("maximum team size"),
        default=DEFAULT_TEAM_SIZE,
        help_text=_("How many people one OPD's SPBE team may have (8 by default)."),
    )

    objects = TeamSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = _("SPBE team settings")
        verbose_name_plural = _("SPBE team settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_team_size__gte=1), name="team_settings_size_positive"
            ),
        ]

    def __str__(self):
        return f"{self.pemda} · {self.max_team_size}"


class TeamRoleQuerySet(TenantQuerySet):
    pass


class TeamRole(models.Model):
    """A role in the OPD teams of one pemda (Koordinator, Pengelola Aplikasi ...)."""

    pemda = models.ForeignKey(
        Pemda,
        verbose_name=_("regional government"),
        on_delete=models.CASCADE,
        related_name="team_roles",
    )
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_technical = models.BooleanField(
        _("technical"),
        default=False,
        help_text=_("Technical members need an ICT training or certification certificate."),
    )
    max_members = models.PositiveSmallIntegerField(
        _("maximum members"), default=1, help_text=_("How many people may hold this role.")
    )

    objects = TeamRoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("SPBE team role")
        verbose_name_plural = _("SPBE team roles")
        ordering = ["pemda", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["pemda", "name"], name="team_role_name_unique"),
            models.CheckConstraint(
                condition=Q(max_members__gte=1), name="team_role_max_members_positive"
            ),
        ]

    def __str__(self):
        return self.name


class TeamProposalQuerySet(TenantQuerySet):
    opd_path = "opd"
    editor_roles = frozenset({Role.ADMIN_KOMINFO} | OPD_ROLES)


class TeamProposal(models.Model):
    """One version of an OPD's SPBE team for one year."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "diajukan", _("Proposed")
        APPROVED = "disetujui", _("Approved")
        RETURNED = "dikembalikan", _("Returned")

    pemda = models.ForeignKey(
        Pemda, verbose_name=_("regional government"), on_delete=models.PROTECT, related_name="+"
    )
    opd = models.ForeignKey(
        OPD, verbose_name=_("OPD"), on_delete=models.PROTECT, related_name="team_proposals"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    reason = models.TextField(_("reason for returning"), blank=True)
    sk_number = models.CharField(_("decree (SK) number"), max_length=100, blank=True)
    sk_date = models.DateField(_("decree (SK) date"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = TeamProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("SPBE team version")
        verbose_name_plural = _("SPBE team versions")
        ordering = ["opd", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["opd", "year", "version"], name="team_proposal_version_unique"
            ),
            models.UniqueConstraint(
                fields=["opd", "year"],
                condition=Q(is_current=True),
                name="team_proposal_one_current",
            ),
            models.CheckConstraint(
                condition=~Q(state="disetujui") | (~Q(sk_number="") & Q(sk_date__isnull=False)),
                name="team_proposal_approved_has_sk",
            ),
            models.CheckConstraint(
                condition=~Q(state="dikembalikan") | ~Q(reason=""),
                name="team_proposal_returned_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.opd} · {self.year} · v{self.version}"

    @property
    def is_editable_state(self):
        return self.state in (self.State.DRAFT, self.State.RETURNED)


class TeamMemberQuerySet(TenantQuerySet):
    pemda_path = "proposal__pemda"
    opd_path = "proposal__opd"
    editor_roles = frozenset({Role.ADMIN_KOMINFO} | OPD_ROLES)


class TeamMember(models.Model):
    """A person in one version of an OPD's team."""

    class Status(models.TextChoices):
        PNS = "pns", _("Civil servant (PNS)")
        PPPK = "pppk", _("Contract civil servant (PPPK)")
        PTT = "ptt", _("Non-permanent staff (PTT)")
        NON_ASN = "non_asn", _("Other non-ASN staff")

    proposal = models.ForeignKey(
        TeamProposal,
        verbose_name=_("team version"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    role = models.ForeignKey(
        TeamRole, verbose_name=_("role"), on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField(_("name"), max_length=150)
    nip = models.CharField(_("NIP"), max_length=18, blank=True)
    status = models.CharField(_("employment status"), max_length=8, choices=Status.choices)
    position = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)

    objects = TeamMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("SPBE team member")
        verbose_name_plural = _("SPBE team members")
        ordering = ["proposal", "role__order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "nip"],
                condition=~Q(nip=""),
                name="team_member_nip_once_per_version",
            ),
            models.CheckConstraint(
                condition=~Q(status="pns") | ~Q(nip=""), name="team_member_pns_has_nip"
            ),
        ]

    def __str__(self):
        return self.name


def certificate_path(instance, filename):
    """Where a certificate file is stored: never derived from user input (the cleaned
    original name is kept in a field)."""
    import uuid

    proposal = instance.member.proposal
    return f"sertifikat/{proposal.pemda_id}/{proposal.opd_id}/{uuid.uuid4().hex}"


class TeamCertificateQuerySet(TenantQuerySet):
    pemda_path = "member__proposal__pemda"
    opd_path = "member__proposal__opd"
    editor_roles = frozenset({Role.ADMIN_KOMINFO} | OPD_ROLES)


class TeamCertificate(models.Model):
    """An ICT training or certification certificate of a team member."""

    class Issuer(models.TextChoices):
        BPSDM = "bpsdm", _("BPSDM")
        DINAS_KOMINFO = "diskominfo", _("Dinas Kominfo")
        KEMENTERIAN = "kementerian", _("Kementerian Kominfo/Komdigi")
        BNSP = "bnsp", _("BNSP")
        OTHER = "lainnya", _("Other")

    member = models.ForeignKey(
        TeamMember, verbose_name=_("member"), on_delete=models.CASCADE, related_name="certificates"
    )
    name = models.CharField(_("certificate"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=12, choices=Issuer.choices)
    number = models.CharField(_("number"), max_length=100, blank=True)
    issued_on = models.DateField(_("date"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=certificate_path, blank=True, max_length=250)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = TeamCertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["member", "-issued_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                name="team_certificate_expiry_after_issue",
            ),
        ]

    def __str__(self):
        return self.name


class TeamEventQuerySet(TenantQuerySet):
    opd_path = "opd"


class TeamEvent(models.Model):
    """One step in the life of an OPD's team: who did what, when. Only ever added."""

    class Action(models.TextChoices):
        CREATED = "created", _("Draft started")
        MEMBER_ADDED = "member_added", _("Member added")
        MEMBER_CHANGED = "member_changed", _("Member changed")
        MEMBER_REMOVED = "member_removed", _("Member removed")
        CERTIFICATE_ADDED = "cert_added", _("Certificate added")
        CERTIFICATE_REMOVED = "cert_removed", _("Certificate removed")
        IMPORTED = "imported", _("Members imported")
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")
        REVISED = "revised", _("New version started")
        COPIED = "copied", _("Copied from an earlier year")

    pemda = models.ForeignKey(Pemda, on_delete=models.CASCADE, related_name="+")
    opd = models.ForeignKey(OPD, on_delete=models.CASCADE, related_name="team_events")
    proposal = models.ForeignKey(TeamProposal, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    detail = models.TextField(_("detail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = TeamEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("SPBE team event")
        verbose_name_plural = _("SPBE team events")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.proposal} · {self.get_action_display()}"


# --- The pemda's registry: OPDs and accounts (issue 12) ---------------------------------


class RegistryEventQuerySet(TenantQuerySet):
    opd_path = "opd"


class RegistryEvent(models.Model):
    """One change of the pemda's registry: an OPD added, renamed, deactivated, merged or
    split, an account created or changed, a password set, a login unlocked, the team
    rules changed. Who, when, what (old → new) and why. Rows are only ever added; the
    services in opd/services/ write them (registry.py, accounts.py, team_rules.py)."""

    class Action(models.TextChoices):
        OPD_ADDED = "opd_added", _("OPD added")
        OPD_CHANGED = "opd_changed", _("OPD changed")
        OPD_DEACTIVATED = "opd_deactivated", _("OPD deactivated")
        OPD_REACTIVATED = "opd_reactivated", _("OPD active again")
        OPD_MERGED = "opd_merged", _("OPDs merged")
        OPD_SPLIT = "opd_split", _("OPD split")
        ACCOUNT_CREATED = "account_created", _("Account created")
        ACCOUNT_CHANGED = "account_changed", _("Account changed")
        ACCOUNT_DEACTIVATED = "account_deactivated", _("Account deactivated")
        ACCOUNT_ACTIVATED = "account_activated", _("Account active again")
        PASSWORD_SET = "password_set", _("Password set")
        RESET_LINK_SENT = "reset_link_sent", _("Password reset link sent")
        UNLOCKED = "unlocked", _("Login unlocked")
        TEAM_RULES_CHANGED = "team_rules", _("SPBE team rules changed")

    pemda = models.ForeignKey(Pemda, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    opd = models.ForeignKey(
        OPD,
        verbose_name=_("OPD"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registry_events",
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # What changed: a field name (see opd/services/registry.py FIELD_LABELS), with the old
    # and the new value as stored data (names, years, role codes), shown in words.
    field = models.CharField(_("what"), max_length=40, blank=True)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = RegistryEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("registry event")
        verbose_name_plural = _("registry events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["pemda", "at"])]

    def __str__(self):
        return f"{self.pemda} · {self.get_action_display()}"


# --- The person's own settings (issue 14) ------------------------------------------------


class Profile(models.Model):
    """What a person chose for themselves: the language of the pages (Indonesian unless
    they pick English; never taken from the browser) and how notifications reach them by
    e-mail. Kept by opd/services/profiles.py; the notification kinds are the evaluations
    app's, stored here as their codes."""

    class Language(models.TextChoices):
        INDONESIAN = "id", "Bahasa Indonesia"
        ENGLISH = "en", "English"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.INDONESIAN
    )
    email_digest = models.BooleanField(
        _("daily digest"),
        default=False,
        help_text=_("One e-mail a day with the notifications, instead of one e-mail each."),
    )
    email_muted = models.JSONField(
        _("no e-mail for"), default=list, blank=True, help_text=_("Notification kinds.")
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return str(self.user)
