"""The pemda's OPD registry: add, change, deactivate from a year, activate again, merge
and split. Each step runs in one transaction, is for the Kominfo administrator of the
OPD's own pemda (`administers`), refuses with a `RegistryError` whose message is for the
user, records a RegistryEvent and tells the apps built on opd (`signals.opds_changed`),
so the open periods gain the new OPDs' assessments and lose those of OPDs no longer
active in their year.

A restructuring never rewrites the past: the old OPDs end the year before the change
and keep their assessments; the new OPDs start in the year of the change and name the
old ones as their predecessors.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import OPD, RegistryEvent
from ..permissions import administers
from ..signals import opds_changed

Action = RegistryEvent.Action
MIN_YEAR, MAX_YEAR = 2000, 2100

# How the fields of registry events read (RegistryEvent.field).
FIELD_LABELS = {
    "kode": gettext_lazy("Code"),
    "nama": gettext_lazy("Name"),
    "singkatan": gettext_lazy("Acronym"),
    "jenis": gettext_lazy("Kind"),
    "aktif_dari": gettext_lazy("Active from"),
    "aktif_sampai": gettext_lazy("Active until"),
    "penerus": gettext_lazy("Continued by"),
    "pendahulu": gettext_lazy("Continues"),
    "username": gettext_lazy("Username"),
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "email": gettext_lazy("E-mail"),
    "role": gettext_lazy("Role"),
    "opd": gettext_lazy("OPD"),
    "attempts": gettext_lazy("Failed attempts cleared"),
    "team_role": gettext_lazy("Team role"),
    "max_team_size": gettext_lazy("Maximum team size"),
}


class RegistryError(Exception):
    """A refused change of the registry; the message is for the user."""


@dataclass(frozen=True)
class OPDData:
    """What the administrator typed for an OPD."""

    kode: str
    nama: str
    singkatan: str = ""
    jenis: str = OPD.Kind.DINAS


def record(user, pemda, action, opd=None, account=None, field="", old="", new="", reason=""):
    """One row of the registry's history."""
    return RegistryEvent.objects.create(
        pemda=pemda,
        action=action,
        opd=opd,
        account=account,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        reason=(reason or "").strip(),
        user=user if getattr(user, "is_authenticated", False) else None,
    )


def _check_admin(user, pemda):
    if not administers(user, pemda):
        raise OPD.DoesNotExist("Not the administrator of this pemda")


def _check_year(year):
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise RegistryError(
            _("Give a year from %(min)s to %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}
        )


def _required_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise RegistryError(_("Give the reason or legal basis (e.g. the regional regulation)."))
    return reason


def _clean_data(pemda, data, exclude=None):
    """The typed fields, stripped and checked: a code, a name, a known kind, and a code
    no other OPD of the pemda uses (past OPDs included: codes name OPDs in URLs)."""
    kode, nama = data.kode.strip().upper(), data.nama.strip()
    if not kode or not nama:
        raise RegistryError(_("An OPD needs a code and a name."))
    if data.jenis not in OPD.Kind.values:
        raise RegistryError(_("Choose the kind of OPD."))
    clash = OPD.objects.filter(pemda=pemda, kode=kode).exclude(pk=getattr(exclude, "pk", None))
    other = clash.first()
    if other is not None:
        raise RegistryError(
            _("The code %(kode)s is already used by %(nama)s.") % {"kode": kode, "nama": other.nama}
        )
    return OPDData(kode=kode, nama=nama, singkatan=data.singkatan.strip(), jenis=data.jenis)


def _save(opd):
    try:
        opd.full_clean()
    except ValidationError as error:
        raise RegistryError(" ".join(error.messages)) from None
    opd.save()
    return opd


def _tell(user, opds):
    """The open periods follow (or refuse: the whole change is rolled back)."""
    try:
        opds_changed.send(sender=OPD, opds=list(opds), user=user)
    except ValidationError as error:
        raise RegistryError(" ".join(error.messages)) from None


def _new_opd(pemda, data, aktif_dari):
    data = _clean_data(pemda, data)
    return _save(
        OPD(
            pemda=pemda,
            kode=data.kode,
            nama=data.nama,
            singkatan=data.singkatan,
            jenis=data.jenis,
            aktif_dari=aktif_dari,
        )
    )


@transaction.atomic
def add_opd(user, pemda, data, aktif_dari, reason=""):
    """A new OPD, active from `aktif_dari`; the open periods of its years get its
    assessment."""
    _check_admin(user, pemda)
    _check_year(aktif_dari)
    opd = _new_opd(pemda, data, aktif_dari)
    record(
        user, pemda, Action.OPD_ADDED, opd=opd, field="aktif_dari", new=aktif_dari, reason=reason
    )
    _tell(user, [opd])
    return opd


@transaction.atomic
def change_opd(user, opd, data, reason=""):
    """Rename an OPD (code, name, acronym, kind); each changed field is recorded."""
    opd = _locked(user, opd)
    data = _clean_data(opd.pemda, data, exclude=opd)
    changed = [
        name
        for name in ("kode", "nama", "singkatan", "jenis")
        if getattr(opd, name) != getattr(data, name)
    ]
    for name in changed:
        record(
            user,
            opd.pemda,
            Action.OPD_CHANGED,
            opd=opd,
            field=name,
            old=getattr(opd, name),
            new=getattr(data, name),
            reason=reason,
        )
        setattr(opd, name, getattr(data, name))
    if changed:
        _save(opd)
    return opd


def _locked(user, opd):
    """The OPD, locked for the change, if the user administers its pemda."""
    _check_admin(user, opd.pemda)
    return OPD.objects.select_for_update().select_related("pemda").get(pk=opd.pk)


def _end(user, opd, from_year, action, reason, new=""):
    """The OPD's last active year becomes the year before `from_year`."""
    if not opd.is_active_in(from_year):
        raise RegistryError(
            _("%(opd)s is not active in %(year)s.") % {"opd": opd.nama, "year": from_year}
        )
    if from_year <= opd.aktif_dari:
        raise RegistryError(
            _(
                "%(opd)s has been active only since %(first)s: it cannot end before "
                "%(year)s. Choose a later year."
            )
            % {"opd": opd.nama, "first": opd.aktif_dari, "year": from_year}
        )
    record(
        user,
        opd.pemda,
        action,
        opd=opd,
        field="aktif_sampai",
        old=opd.aktif_sampai,
        new=from_year - 1,
        reason=reason,
    )
    if new:
        record(user, opd.pemda, action, opd=opd, field="penerus", new=new, reason=reason)
    opd.aktif_sampai = from_year - 1
    return _save(opd)


@transaction.atomic
def deactivate_opd(user, opd, from_year, reason):
    """The OPD is no longer active from `from_year`: it stays with its past assessments,
    and the open periods from that year drop its (still empty) assessment."""
    reason = _required_reason(reason)
    _check_year(from_year)
    opd = _end(user, _locked(user, opd), from_year, Action.OPD_DEACTIVATED, reason)
    _tell(user, [opd])
    return opd


@transaction.atomic
def reactivate_opd(user, opd, reason):
    """An OPD deactivated by mistake is active again (not one continued by others)."""
    reason = _required_reason(reason)
    opd = _locked(user, opd)
    if opd.aktif_sampai is None:
        raise RegistryError(_("%(opd)s is active.") % {"opd": opd.nama})
    successors = list(opd.penerus.values_list("nama", flat=True))
    if successors:
        raise RegistryError(
            _("%(opd)s is continued by %(names)s and cannot be active again.")
            % {"opd": opd.nama, "names": ", ".join(successors)}
        )
    record(
        user,
        opd.pemda,
        Action.OPD_REACTIVATED,
        opd=opd,
        field="aktif_sampai",
        old=opd.aktif_sampai,
        new="",
        reason=reason,
    )
    opd.aktif_sampai = None
    _save(opd)
    _tell(user, [opd])
    return opd


@transaction.atomic
def merge_opds(user, pemda, opds, from_year, data, reason):
    """Two or more OPDs become one new OPD from `from_year` (a restructuring)."""
    _check_admin(user, pemda)
    reason = _required_reason(reason)
    _check_year(from_year)
    old = [_locked(user, opd) for opd in opds]
    if len({opd.pk for opd in old}) < 2:
        raise RegistryError(_("Choose at least two OPDs to merge."))
    if any(opd.pemda_id != pemda.pk for opd in old):
        raise OPD.DoesNotExist("Another pemda's OPD")
    merged = _new_opd(pemda, data, from_year)
    merged.pendahulu.set(old)
    for opd in old:
        _end(user, opd, from_year, Action.OPD_MERGED, reason, new=merged.nama)
    names = ", ".join(opd.nama for opd in old)
    record(
        user,
        pemda,
        Action.OPD_MERGED,
        opd=merged,
        field="pendahulu",
        new=names,
        reason=reason,
    )
    _tell(user, [*old, merged])
    return merged


@transaction.atomic
def split_opd(user, opd, from_year, parts, reason):
    """One OPD becomes two or more new OPDs from `from_year` (a restructuring)."""
    reason = _required_reason(reason)
    _check_year(from_year)
    opd = _locked(user, opd)
    if len(parts) < 2:
        raise RegistryError(_("A split needs at least two new OPDs."))
    codes = [part.kode.strip().upper() for part in parts]
    if len(set(codes)) < len(codes):
        raise RegistryError(_("Each new OPD needs its own code."))
    new = []
    for part in parts:
        child = _new_opd(opd.pemda, part, from_year)
        child.pendahulu.set([opd])
        record(
            user,
            opd.pemda,
            Action.OPD_SPLIT,
            opd=child,
            field="pendahulu",
            new=opd.nama,
            reason=reason,
        )
        new.append(child)
    _end(user, opd, from_year, Action.OPD_SPLIT, reason, new=", ".join(c.nama for c in new))
    _tell(user, [opd, *new])
    return new


def describe(event):
    """Attach `label` (what changed) and `old_label` / `new_label` in words."""
    from ..roles import Role

    event.label = FIELD_LABELS.get(event.field, event.field)
    choices = {"role": Role, "jenis": OPD.Kind}.get(event.field)

    def words(value):
        if value in (None, ""):
            return "—"
        if choices is not None and value in choices.values:
            return choices(value).label
        return value

    event.old_label, event.new_label = words(event.old_value), words(event.new_value)
    return event
