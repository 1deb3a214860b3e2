"""Tim Pengelola SPBE: the rules of an OPD's SPBE team.

Pure parts (no ORM): NIP structure, member identity by employment status, role and team
size limits, certificate expiry flags and the team status figures (`team_status`).
Process parts: each runs in one transaction, reaches rows only through
`editable_by(user)`, refuses with a `TeamError` whose message is for the user (a
`TeamPermissionError` when the user's role may not do it) and logs a TeamEvent.

The workflow of one OPD's team for one year, a series of versions:
draft → proposed (the head of the OPD) → approved (the pemda's Kominfo administrator,
with the SK number and date) or returned (with a reason) → the OPD edits and proposes
again. After approval a change starts a new draft version copying the members and their
certificates; older versions stay as they were. Members are edited by the OPD's head
and operator while the current version is a draft or returned.

Across years: the team of a year before the current one is history and read-only
(`is_past_year`, checked by every step). A new year's team may start as a copy of the
latest approved team of an earlier year (`copy_previous_year`), certificates carried
with their expiry dates, so expired ones show as expired.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe_dashboard import text, uploads

from ..models import (
    DEFAULT_TEAM_SIZE,
    OPD,
    TeamCertificate,
    TeamEvent,
    TeamMember,
    TeamProposal,
    TeamRole,
    TeamSettings,
)
from ..permissions import administers
from ..querysets import membership_of
from ..roles import OPD_ROLES, Role
from ..signals import team_decided

# The default roles of a Tim Pengelola SPBE OPD (SPBE.md), in order, with whether the
# role is technical. Technical: the roles whose daily work is building or running ICT
# (applications, data, infrastructure, security, the website and social media) and the
# architecture and planning role, which designs the OPD's SPBE architecture and roadmap.
# Not technical: the coordinator (a structural official who leads the team) and service
# and helpdesk (first-line user support, no certificate required). A pemda's admin may
# change this in the admin.
DEFAULT_ROLES = (
    ("Koordinator", False),
    ("Pengelola Arsitektur dan Perencanaan", True),
    ("Pengelola Aplikasi", True),
    ("Pengelola Data dan Informasi", True),
    ("Pengelola Infrastruktur dan Jaringan", True),
    ("Pengelola Keamanan Informasi", True),
    ("Pengelola Laman dan Media Sosial", True),
    ("Pengelola Layanan dan Helpdesk", False),
)
EXPIRY_WINDOW_DAYS = 90
MIN_APPOINTMENT_AGE = 17
NIP_LENGTH = 18
# Certificate scans: checked by content (spbe_dashboard.uploads), downloaded only through
# a view that checks the tenant.
CERTIFICATE_TYPES = (uploads.PDF, uploads.PNG, uploads.JPEG)


class TeamError(Exception):
    """A refused change; the message is for the user."""


class TeamPermissionError(TeamError):
    """The user's role may not do this (views answer 404)."""


# --- Roles and limits -------------------------------------------------------------------


def ensure_default_roles(pemda):
    """The pemda's team roles, creating the default eight when it has none yet."""
    roles = list(TeamRole.objects.filter(pemda=pemda).order_by("order", "name"))
    if roles:
        return roles
    TeamRole.objects.bulk_create(
        [
            TeamRole(pemda=pemda, name=name, order=index, is_technical=technical)
            for index, (name, technical) in enumerate(DEFAULT_ROLES, start=1)
        ],
        ignore_conflicts=True,
    )
    return list(TeamRole.objects.filter(pemda=pemda).order_by("order", "name"))


def team_size_limit(pemda):
    settings_row = TeamSettings.objects.filter(pemda=pemda).first()
    return settings_row.max_team_size if settings_row else DEFAULT_TEAM_SIZE


def limit_problems(roles, role_ids, size_limit):
    """Why a team whose members hold `role_ids` breaks the limits (empty when it does
    not): at most `max_members` people per role and `size_limit` people in all."""
    counts = Counter(role_ids)
    problems = [
        _("The role %(role)s allows at most %(max)s member(s); the team would have %(count)s.")
        % {"role": role.name, "max": role.max_members, "count": counts[role.id]}
        for role in roles
        if counts[role.id] > role.max_members
    ]
    if len(role_ids) > size_limit:
        problems.append(
            _("A team has at most %(max)s members; it would have %(count)s.")
            % {"max": size_limit, "count": len(role_ids)}
        )
    return problems


# --- NIP and identity -----------------------------------------------------------------


@dataclass(frozen=True)
class NipInfo:
    nip: str
    birth_date: date
    appointment_year: int
    appointment_month: int
    sex: str  # "L" (1) or "P" (2)
    serial: str


def normalise_nip(value):
    """The NIP without the spaces and dots it is often written with."""
    return "".join(str(value or "").split()).replace(".", "")


def parse_nip(value):
    """The parts of a civil servant's NIP (18 digits: birth date YYYYMMDD, appointment
    YYYYMM, sex 1/2, serial), or a ValidationError saying what is wrong."""
    nip = normalise_nip(value)
    if nip and not (nip.isdigit() and nip.isascii()):
        raise ValidationError(_("A NIP has digits only."), code="nip_digits")
    if len(nip) != NIP_LENGTH:
        raise ValidationError(
            _("A NIP has 18 digits; this one has %(count)s.") % {"count": len(nip)},
            code="nip_length",
        )
    try:
        birth = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise ValidationError(
            _("Digits 1–8 of a NIP are a birth date (YYYYMMDD); %(value)s is not a date.")
            % {"value": nip[0:8]},
            code="nip_birth_date",
        ) from None
    if birth.year < 1900:
        raise ValidationError(_("The birth date in the NIP is not plausible."), code="nip_birth")
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12:
        raise ValidationError(
            _("Digits 13–14 of a NIP are the appointment month; %(value)s is not a month.")
            % {"value": nip[12:14]},
            code="nip_appointment_month",
        )
    if year < birth.year + MIN_APPOINTMENT_AGE:
        raise ValidationError(
            _("The appointment year %(year)s in the NIP is too close to the birth year.")
            % {"year": year},
            code="nip_appointment_year",
        )
    if nip[14] not in "12":
        raise ValidationError(_("Digit 15 of a NIP is the sex: 1 or 2."), code="nip_sex")
    return NipInfo(nip, birth, year, month, "L" if nip[14] == "1" else "P", nip[15:18])


def clean_identity(status, nip):
    """The NIP to store for a member of this employment status. A civil servant (PNS)
    needs a valid NIP; a PPPK may have one; PTT and other non-ASN staff have none."""
    nip = normalise_nip(nip)
    if status == TeamMember.Status.PNS and not nip:
        raise ValidationError({"nip": _("A civil servant (PNS) needs a NIP.")})
    if status in (TeamMember.Status.PTT, TeamMember.Status.NON_ASN) and nip:
        raise ValidationError({"nip": _("Only civil servants and PPPK have a NIP.")})
    if nip:
        try:
            parse_nip(nip)
        except ValidationError as error:
            raise ValidationError({"nip": error.messages}) from None
    return nip


# --- Certificates -----------------------------------------------------------------------

VALID, EXPIRING, EXPIRED = "valid", "expiring", "expired"


def certificate_flag(expires_on, today, window=EXPIRY_WINDOW_DAYS):
    """Flag: "expired" after the expiry date, "expiring" from `window` days before it up to and
    including the date itself, else "valid" (also when it does not expire)."""
    if expires_on is None:
        return VALID
    if expires_on < today:
        return EXPIRED
    if expires_on <= today + timedelta(days=window):
        return EXPIRING
    return VALID


# --- Team status figures ----------------------------------------------------------------


@dataclass(frozen=True)
class CertificateFacts:
    name: str
    expires_on: date | None


@dataclass(frozen=True)
class MemberFacts:
    name: str
    role_id: int
    certificates: tuple = ()


@dataclass
class TeamStatus:
    """The figures of one OPD's team for one year, for panels and overviews."""

    year: int
    state: str | None  # TeamProposal.State value, None without any version
    state_label: str
    version: int | None
    size_limit: int
    roles_total: int
    roles_filled: int
    members: int
    missing_roles: list = field(default_factory=list)
    technical_needed: int = 0
    technical_members: int = 0
    technical_certified: int = 0
    expired_certificates: int = 0
    expiring_certificates: int = 0
    expiring: list = field(default_factory=list)  # (member, certificate, expires_on)

    @property
    def is_complete(self):
        return self.roles_total > 0 and self.roles_filled == self.roles_total

    @property
    def is_approved(self):
        return self.state == TeamProposal.State.APPROVED

    @property
    def complete_approved(self):
        return self.is_complete and self.is_approved

    @property
    def technical_uncertified(self):
        return self.technical_members - self.technical_certified


def team_status(year, roles, members, state=None, version=None, size_limit=None, today=None):
    """The team figures from plain data (no ORM): `roles` with id, name, is_technical;
    `members` as MemberFacts. A technical member counts as certified with at least one
    certificate not expired on `today`; the need is one certified member per technical
    role."""
    today = today or timezone.localdate()
    labels = dict(TeamProposal.State.choices)
    members = list(members)
    filled = {member.role_id for member in members}
    technical_ids = {role.id for role in roles if role.is_technical}
    status = TeamStatus(
        year=year,
        state=state,
        state_label=str(labels.get(state, _("No team yet"))),
        version=version,
        size_limit=size_limit if size_limit is not None else DEFAULT_TEAM_SIZE,
        roles_total=len(roles),
        roles_filled=sum(1 for role in roles if role.id in filled),
        members=len(members),
        missing_roles=[role.name for role in roles if role.id not in filled],
        technical_needed=len(technical_ids),
    )
    for member in members:
        flags = [certificate_flag(c.expires_on, today) for c in member.certificates]
        if member.role_id in technical_ids:
            status.technical_members += 1
            if any(flag != EXPIRED for flag in flags):
                status.technical_certified += 1
        status.expired_certificates += flags.count(EXPIRED)
        status.expiring_certificates += flags.count(EXPIRING)
        status.expiring.extend(
            (member.name, c.name, c.expires_on)
            for c, flag in zip(member.certificates, flags, strict=True)
            if flag == EXPIRING
        )
    status.expiring.sort(key=lambda item: item[2])
    return status


def _facts(member):
    return MemberFacts(
        member.name,
        member.role_id,
        tuple(CertificateFacts(c.name, c.expires_on) for c in member.certificates.all()),
    )


def current_proposal(opd, year):
    return TeamProposal.objects.filter(opd=opd, year=year, is_current=True).first()


def opd_team_status(opd, year, today=None, proposal=None):
    """`team_status` of one OPD's current team version for `year` (a few queries). The
    caller has checked that the user may see the OPD."""
    proposal = proposal if proposal is not None else current_proposal(opd, year)
    roles = ensure_default_roles(opd.pemda)
    members = []
    if proposal is not None:
        members = [_facts(m) for m in proposal.members.prefetch_related("certificates")]
    return team_status(
        year,
        roles,
        members,
        state=proposal.state if proposal else None,
        version=proposal.version if proposal else None,
        size_limit=team_size_limit(opd.pemda),
        today=today,
    )


@dataclass
class PemdaTeamSummary:
    """The pemda's team panel: OPDs with a complete approved team, certified technical
    staff against the need."""

    year: int
    opds: int
    complete_approved: int
    approved: int
    technical_certified: int
    technical_needed: int
    expired_certificates: int
    expiring_certificates: int


def pemda_team_statuses(pemda, year, user, today=None):
    """[(opd, TeamStatus)] for the pemda's OPDs active in `year` that `user` may see, in
    a fixed number of queries."""
    opds = list(OPD.objects.visible_to(user).filter(pemda=pemda).active_in(year))
    roles = ensure_default_roles(pemda)
    size_limit = team_size_limit(pemda)
    proposals = {
        p.opd_id: p
        for p in TeamProposal.objects.filter(
            opd__in=opds, year=year, is_current=True
        ).prefetch_related(
            Prefetch(
                "members",
                queryset=TeamMember.objects.prefetch_related("certificates"),
            )
        )
    }
    rows = []
    for opd in opds:
        proposal = proposals.get(opd.id)
        members = [_facts(m) for m in proposal.members.all()] if proposal else []
        rows.append(
            (
                opd,
                team_status(
                    year,
                    roles,
                    members,
                    state=proposal.state if proposal else None,
                    version=proposal.version if proposal else None,
                    size_limit=size_limit,
                    today=today,
                ),
            )
        )
    return rows


def summarise_team_statuses(year, statuses):
    """The pemda panel from a list of TeamStatus (pure)."""
    statuses = list(statuses)
    return PemdaTeamSummary(
        year=year,
        opds=len(statuses),
        complete_approved=sum(1 for s in statuses if s.complete_approved),
        approved=sum(1 for s in statuses if s.is_approved),
        technical_certified=sum(s.technical_certified for s in statuses),
        technical_needed=sum(s.technical_needed for s in statuses),
        expired_certificates=sum(s.expired_certificates for s in statuses),
        expiring_certificates=sum(s.expiring_certificates for s in statuses),
    )


def pemda_team_summary(pemda, year, user, today=None):
    return summarise_team_statuses(
        year, [status for _opd, status in pemda_team_statuses(pemda, year, user, today)]
    )


# --- Permissions --------------------------------------------------------------------------


def _role(user):
    membership = membership_of(user)
    return None if membership is None else membership.role


def can_edit_members(user, opd):
    """The head and operator of this OPD (and superusers) edit its team's members."""
    if user.is_superuser:
        return True
    membership = membership_of(user)
    return membership is not None and membership.role in OPD_ROLES and membership.opd_id == opd.id


def can_propose(user, opd):
    if user.is_superuser:
        return True
    membership = membership_of(user)
    return (
        membership is not None
        and membership.role == Role.KEPALA_OPD
        and membership.opd_id == opd.id
    )


def can_decide(user, opd):
    """The Kominfo administrator of the OPD's own pemda (not of its province)."""
    return administers(user, opd.pemda)


def _text(value, max_length):
    try:
        return text.clean(value, max_length)
    except text.TextError as error:
        raise TeamError(str(error)) from None


def _locked(model, user, pk):
    try:
        return model.objects.editable_by(user).select_for_update(of=("self",)).get(pk=pk)
    except model.DoesNotExist:
        raise TeamPermissionError(_("You may not change this team.")) from None


def log_event(user, proposal, action, detail=""):
    return TeamEvent.objects.create(
        pemda_id=proposal.pemda_id,
        opd_id=proposal.opd_id,
        proposal=proposal,
        action=action,
        detail=detail,
        user=user if getattr(user, "pk", None) else None,
    )


# --- Versions and the workflow ------------------------------------------------------------


def is_past_year(year, today=None):
    """A team of a year before the current one is history: it can only be viewed."""
    return year < (today or timezone.localdate()).year


def check_open_year(year):
    if is_past_year(year):
        raise TeamError(
            _("The team of %(year)s belongs to a past year: it can only be viewed.")
            % {"year": year}
        )


def _check_year(opd, year):
    check_open_year(year)
    if not opd.is_active_in(year):
        raise TeamError(_("The OPD is not active in %(year)s.") % {"year": year})


def draft_for(user, opd, year):
    """The current version of the OPD's team for `year`, open for editing (a first
    draft is created when there is none). Locked for the transaction."""
    if not can_edit_members(user, opd):
        raise TeamPermissionError(_("Only the head or operator of the OPD edits its team."))
    _check_year(opd, year)
    proposal = (
        TeamProposal.objects.editable_by(user)
        .select_for_update(of=("self",))
        .filter(opd=opd, year=year, is_current=True)
        .first()
    )
    if proposal is None:
        ensure_default_roles(opd.pemda)
        try:
            with transaction.atomic():
                proposal = TeamProposal.objects.create(
                    pemda_id=opd.pemda_id, opd=opd, year=year, version=1, created_by=user
                )
        except IntegrityError:
            raise TeamError(_("Someone started this team at the same time; try again.")) from None
        log_event(user, proposal, TeamEvent.Action.CREATED)
        return proposal
    if proposal.state == TeamProposal.State.PROPOSED:
        raise TeamError(_("The team is proposed and waits for Kominfo's decision."))
    if proposal.state == TeamProposal.State.APPROVED:
        raise TeamError(_("The team is approved: start a new version to change it."))
    return proposal


def _member_label(member):
    return f"{member.name} ({member.role.name})"


def check_other_teams(pemda_id, opd_id, year, nip):
    """A civil servant (by NIP) is in one OPD's team per year, across the pemda's current
    team versions."""
    other = (
        TeamMember.objects.filter(
            proposal__pemda_id=pemda_id, proposal__year=year, proposal__is_current=True, nip=nip
        )
        .exclude(proposal__opd_id=opd_id)
        .exists()
    )
    if other:
        # Which OPD is not said: the OPD's users may not see the other OPD's team.
        raise ValidationError(
            {
                "nip": _("This NIP is already in another team of this pemda for %(year)s.")
                % {"year": year}
            }
        )


def check_person(proposal, nip, name, exclude_id=None):
    """A person is in one OPD's team per year: by NIP across the pemda's current teams,
    by name within the OPD when there is no NIP."""
    same = proposal.members.exclude(pk=exclude_id)
    if nip:
        if same.filter(nip=nip).exists():
            raise ValidationError({"nip": _("This NIP is already in the team.")})
        check_other_teams(proposal.pemda_id, proposal.opd_id, proposal.year, nip)
    elif same.filter(nip="", name__iexact=name.strip()).exists():
        raise ValidationError(
            {"name": _("A member without NIP with this name is already in the team.")}
        )


def clean_member(pemda, data):
    """Validate one member's fields (a dict with role, name, nip, status, position,
    phone, email; role a TeamRole of the pemda). Returns the cleaned dict or raises a
    ValidationError by field."""
    errors = {}
    cleaned = {
        "role": data.get("role"),
        "name": " ".join(str(data.get("name") or "").split()),
        "status": data.get("status") or "",
        "position": str(data.get("position") or "").strip(),
        "phone": str(data.get("phone") or "").strip(),
        "email": str(data.get("email") or "").strip(),
    }
    if cleaned["role"] is None or cleaned["role"].pemda_id != pemda.id:
        errors["role"] = [_("Choose one of the team roles.")]
    if not cleaned["name"]:
        errors["name"] = [_("The name is required.")]
    if cleaned["status"] not in TeamMember.Status.values:
        errors["status"] = [_("Choose PNS, PPPK, PTT or non-ASN.")]
    else:
        try:
            cleaned["nip"] = clean_identity(cleaned["status"], data.get("nip"))
        except ValidationError as error:
            errors.update(error.message_dict)
    for name in ("name", "position", "phone", "email"):
        message = text.problem(cleaned[name], TeamMember._meta.get_field(name).max_length)
        if message:
            errors[name] = [message]
    if cleaned["email"] and "email" not in errors:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_limits(proposal, role_ids):
    roles = TeamRole.objects.filter(pemda_id=proposal.pemda_id)
    problems = limit_problems(roles, role_ids, team_size_limit(proposal.pemda))
    if problems:
        raise ValidationError({"role": problems})


@transaction.atomic
def save_member(user, opd, year, data, member_id=None):
    """Add a member (or change `member_id`) in the OPD's open team version. `data` as
    for `clean_member`; raises ValidationError (by field) or TeamError."""
    proposal = draft_for(user, opd, year)
    cleaned = clean_member(opd.pemda, data)
    member = None
    if member_id is not None:
        member = proposal.members.select_related("role").filter(pk=member_id).first()
        if member is None:
            raise TeamError(_("This member is not in the open version of the team."))
    role_ids = [
        role_id
        for pk, role_id in proposal.members.values_list("pk", "role_id")
        if member is None or pk != member.pk
    ]
    _check_limits(proposal, [*role_ids, cleaned["role"].id])
    check_person(proposal, cleaned["nip"], cleaned["name"], exclude_id=member_id)
    if member is None:
        member = TeamMember.objects.create(proposal=proposal, **cleaned)
        log_event(user, proposal, TeamEvent.Action.MEMBER_ADDED, _member_label(member))
    else:
        for name, value in cleaned.items():
            setattr(member, name, value)
        member.save()
        log_event(user, proposal, TeamEvent.Action.MEMBER_CHANGED, _member_label(member))
    return member


def _open_member(user, model, pk, member_of):
    """A member (or certificate) the user may edit, in an open team version."""
    obj = _locked(model, user, pk)
    member = member_of(obj)
    proposal = member.proposal
    if not can_edit_members(user, proposal.opd):
        raise TeamPermissionError(_("Only the head or operator of the OPD edits its team."))
    check_open_year(proposal.year)
    if not (proposal.is_current and proposal.is_editable_state):
        raise TeamError(_("This version of the team can no longer be changed."))
    return obj, member, proposal


@transaction.atomic
def remove_member(user, member_id):
    member, _member, proposal = _open_member(user, TeamMember, member_id, lambda m: m)
    label = _member_label(member)
    member.delete()
    log_event(user, proposal, TeamEvent.Action.MEMBER_REMOVED, label)
    return proposal


@uploads.atomic_with_files()
def add_certificate(user, member_id, data, upload=None):
    """A certificate for a member of an open version; `upload` is checked by content."""
    member, _member, proposal = _open_member(user, TeamMember, member_id, lambda m: m)
    certificate = TeamCertificate(
        member=member,
        name=str(data.get("name") or "").strip(),
        issuer=data.get("issuer") or "",
        number=str(data.get("number") or "").strip(),
        issued_on=data.get("issued_on"),
        expires_on=data.get("expires_on"),
        uploaded_by=user,
    )
    errors = {}
    for name in ("name", "number"):
        message = text.problem(
            getattr(certificate, name), TeamCertificate._meta.get_field(name).max_length
        )
        if message:
            errors[name] = [message]
    if not certificate.name:
        errors["name"] = [_("The certificate name is required.")]
    if certificate.issuer not in TeamCertificate.Issuer.values:
        errors["issuer"] = [_("Choose the issuer.")]
    if certificate.issued_on is None:
        errors["issued_on"] = [_("The date is required.")]
    elif certificate.expires_on is not None and certificate.expires_on < certificate.issued_on:
        errors["expires_on"] = [_("A certificate cannot expire before it is issued.")]
    if upload is not None:
        try:
            content_type, file_name, size = uploads.check_file(
                upload, uploads.max_bytes(), CERTIFICATE_TYPES
            )
        except uploads.UploadError as error:
            errors["file"] = [str(error)]
    if errors:
        raise ValidationError(errors)
    if upload is not None:
        certificate.content_type, certificate.file_name, certificate.size = (
            content_type,
            file_name,
            size,
        )
        uploads.store(certificate.file, "upload", upload)
    certificate.save()
    log_event(
        user,
        proposal,
        TeamEvent.Action.CERTIFICATE_ADDED,
        f"{certificate.name} · {member.name}",
    )
    return certificate


@transaction.atomic
def remove_certificate(user, certificate_id):
    """The row goes from this version; the file stays in storage (older versions may
    share it)."""
    certificate, member, proposal = _open_member(
        user, TeamCertificate, certificate_id, lambda c: c.member
    )
    label = f"{certificate.name} · {member.name}"
    certificate.delete()
    log_event(user, proposal, TeamEvent.Action.CERTIFICATE_REMOVED, label)
    return proposal


def _locked_proposal(user, proposal_id):
    proposal = _locked(TeamProposal, user, proposal_id)
    if not proposal.is_current:
        raise TeamError(_("This is an earlier version of the team."))
    check_open_year(proposal.year)
    return proposal


@transaction.atomic
def propose(user, proposal_id):
    """The head of the OPD proposes the team to Dinas Kominfo."""
    proposal = _locked_proposal(user, proposal_id)
    if not can_propose(user, proposal.opd):
        raise TeamPermissionError(_("Only the head of the OPD proposes the team."))
    if not proposal.is_editable_state:
        raise TeamError(_("Only a draft or returned team can be proposed."))
    role_ids = list(proposal.members.values_list("role_id", flat=True))
    if not role_ids:
        raise TeamError(_("The team has no members yet."))
    problems = limit_problems(
        TeamRole.objects.filter(pemda_id=proposal.pemda_id),
        role_ids,
        team_size_limit(proposal.pemda),
    )
    if problems:
        raise TeamError(" ".join(problems))
    proposal.state = TeamProposal.State.PROPOSED
    proposal.proposed_by, proposal.proposed_at = user, timezone.now()
    proposal.save(update_fields=["state", "proposed_by", "proposed_at"])
    log_event(user, proposal, TeamEvent.Action.PROPOSED)
    _decided(user, proposal, TeamEvent.Action.PROPOSED)
    return proposal


def _decided(user, proposal, action):
    """Tell the apps built on opd (the notifications) that the team changed hands."""
    team_decided.send(sender=TeamProposal, proposal=proposal, action=action, user=user)


def _decidable(user, proposal_id):
    proposal = _locked_proposal(user, proposal_id)
    if not can_decide(user, proposal.opd):
        raise TeamPermissionError(
            _("Only the Kominfo administrator of the pemda approves or returns the team.")
        )
    if proposal.state != TeamProposal.State.PROPOSED:
        raise TeamError(_("Only a proposed team can be approved or returned."))
    return proposal


@transaction.atomic
def approve(user, proposal_id, sk_number, sk_date):
    """Kominfo approves the proposed team, recording the decree (SK) that appoints it."""
    proposal = _decidable(user, proposal_id)
    sk_number = _text(sk_number, TeamProposal._meta.get_field("sk_number").max_length)
    if not sk_number or sk_date is None:
        raise TeamError(_("Give the SK number and date."))
    proposal.state = TeamProposal.State.APPROVED
    proposal.sk_number, proposal.sk_date = sk_number, sk_date
    proposal.decided_by, proposal.decided_at = user, timezone.now()
    proposal.save(update_fields=["state", "sk_number", "sk_date", "decided_by", "decided_at"])
    log_event(user, proposal, TeamEvent.Action.APPROVED, f"SK {sk_number} · {sk_date:%Y-%m-%d}")
    _decided(user, proposal, TeamEvent.Action.APPROVED)
    return proposal


@transaction.atomic
def return_proposal(user, proposal_id, reason):
    """Kominfo returns the proposed team to the OPD with a reason."""
    proposal = _decidable(user, proposal_id)
    reason = _text(reason, text.NOTE)
    if not reason:
        raise TeamError(_("Give the reason for returning the team."))
    proposal.state = TeamProposal.State.RETURNED
    proposal.reason = reason
    proposal.decided_by, proposal.decided_at = user, timezone.now()
    proposal.save(update_fields=["state", "reason", "decided_by", "decided_at"])
    log_event(user, proposal, TeamEvent.Action.RETURNED, reason)
    _decided(user, proposal, TeamEvent.Action.RETURNED)
    return proposal


@transaction.atomic
def start_revision(user, proposal_id):
    """A change after approval: a new draft version with a copy of the members and their
    certificates (the files are shared, never copied). The approved version stays."""
    proposal = _locked_proposal(user, proposal_id)
    if not can_edit_members(user, proposal.opd):
        raise TeamPermissionError(_("Only the head or operator of the OPD edits its team."))
    if proposal.state != TeamProposal.State.APPROVED:
        raise TeamError(_("Only an approved team needs a new version to change."))
    TeamProposal.objects.filter(pk=proposal.pk).update(is_current=False)
    new = TeamProposal.objects.create(
        pemda_id=proposal.pemda_id,
        opd_id=proposal.opd_id,
        year=proposal.year,
        version=proposal.version + 1,
        created_by=user,
    )
    _copy_members(proposal.members.prefetch_related("certificates"), new)
    log_event(
        user, new, TeamEvent.Action.REVISED, _("From version %(v)s") % {"v": proposal.version}
    )
    return new


def _copy_members(members, target):
    """Copy `members` (with their certificates prefetched) into the version `target`:
    certificates keep their dates; their files are shared, never copied."""
    copied = certificates_copied = 0
    for member in members:
        certificates = list(member.certificates.all())
        member.pk, member.proposal = None, target
        member.save()
        copied += 1
        for certificate in certificates:
            certificate.pk, certificate.member = None, member
            certificate.save()
            certificates_copied += 1
    return copied, certificates_copied


def copy_source(user, opd, year):
    """The team version a new `year` may start from: the latest approved version of the
    latest earlier year with an approved team of the OPD (None without one)."""
    return (
        TeamProposal.objects.visible_to(user)
        .filter(opd=opd, year__lt=year, state=TeamProposal.State.APPROVED)
        .order_by("-year", "-version")
        .first()
    )


@dataclass
class TeamCopy:
    proposal: TeamProposal
    source: TeamProposal
    members: int
    certificates: int
    expired: int
    left_out: list  # names of members already in another OPD's team of the year


@transaction.atomic
def copy_previous_year(user, opd, year, today=None):
    """Start the OPD's team for `year` from its latest approved team of an earlier year:
    the members with their certificates (expiry dates kept, so expired ones are flagged
    on the page). Only into a team without members; a civil servant already in another
    OPD's team for `year` is left out (and named). Recorded as a TeamEvent."""
    today = today or timezone.localdate()
    proposal = draft_for(user, opd, year)
    if proposal.members.exists():
        raise TeamError(
            _("The team of %(year)s already has members: copying starts only an empty team.")
            % {"year": year}
        )
    source = copy_source(user, opd, year)
    if source is None:
        raise TeamError(_("There is no approved team of an earlier year to copy."))
    taken = set(
        TeamMember.objects.filter(
            proposal__pemda_id=opd.pemda_id, proposal__year=year, proposal__is_current=True
        )
        .exclude(proposal__opd_id=opd.id)
        .exclude(nip="")
        .values_list("nip", flat=True)
    )
    members, left_out = [], []
    for member in source.members.select_related("role").prefetch_related("certificates"):
        (left_out if member.nip and member.nip in taken else members).append(member)
    expired = sum(
        1
        for member in members
        for certificate in member.certificates.all()
        if certificate_flag(certificate.expires_on, today) == EXPIRED
    )
    copied, certificates = _copy_members(members, proposal)
    detail = _(
        "From %(year)s version %(version)s: %(members)s member(s), %(certificates)s "
        "certificate(s), %(expired)s expired"
    ) % {
        "year": source.year,
        "version": source.version,
        "members": copied,
        "certificates": certificates,
        "expired": expired,
    }
    if left_out:
        detail += " · " + _("left out (already in another team): %(names)s") % {
            "names": ", ".join(m.name for m in left_out)
        }
    log_event(user, proposal, TeamEvent.Action.COPIED, detail)
    return TeamCopy(proposal, source, copied, certificates, expired, [m.name for m in left_out])
