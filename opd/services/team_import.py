"""Import of an OPD's team members from a CSV or XLSX file: preview, then all or nothing.

The file has one row per member and a header row with these columns (English or
Indonesian names, any case): role/peran, name/nama, nip, status, position/jabatan,
phone/telepon, email. The NIP column must be text in a spreadsheet (an 18-digit number
loses digits in Excel).

Rows are merged into the open version of the team: a row whose NIP (or, without NIP,
whose name) matches a member updates that member, who keeps his certificates; any other
row adds a member; members not in the file stay. The preview validates every row and the
resulting team (role limits, team size, a person in one OPD's team per year); the
import writes only when every row is valid, in one transaction, and validates again.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from spbe_dashboard import spreadsheets, uploads

from ..models import TeamEvent, TeamMember
from .teams import (
    TeamError,
    check_other_teams,
    clean_member,
    current_proposal,
    draft_for,
    ensure_default_roles,
    limit_problems,
    log_event,
    team_size_limit,
)

MAX_ROWS = 100
MAX_BYTES = 1024 * 1024
# A hundred members fit many times over; anything beyond is refused while reading.
LIMITS = spreadsheets.ReadLimits(
    max_bytes=MAX_BYTES,
    max_rows=1000,
    max_columns=50,
    max_cells=10_000,
    max_unpacked=5 * 1024 * 1024,
)
COLUMNS = {
    "role": ("role", "peran"),
    "name": ("name", "nama"),
    "nip": ("nip",),
    "status": ("status", "status kepegawaian", "employment status"),
    "position": ("position", "jabatan"),
    "phone": ("phone", "telepon", "no. hp", "hp"),
    "email": ("email", "surel"),
}
REQUIRED = ("role", "name", "status")
STATUS_ALIASES = {
    "pns": TeamMember.Status.PNS,
    "pppk": TeamMember.Status.PPPK,
    "ptt": TeamMember.Status.PTT,
    "non-asn": TeamMember.Status.NON_ASN,
    "non asn": TeamMember.Status.NON_ASN,
    "nonasn": TeamMember.Status.NON_ASN,
    "non_asn": TeamMember.Status.NON_ASN,
}


class ImportFileError(Exception):
    """The file cannot be read at all; the message is for the user."""


@dataclass
class RowResult:
    line: int
    values: dict
    errors: list = field(default_factory=list)
    action: str = ""  # "add" or "update" when valid


@dataclass
class ImportPreview:
    rows: list
    team_errors: list

    @property
    def ok(self):
        return bool(self.rows) and not self.team_errors and not any(r.errors for r in self.rows)

    @property
    def error_count(self):
        return sum(1 for r in self.rows if r.errors) + len(self.team_errors)


# --- Reading ------------------------------------------------------------------------------


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _table(upload):
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith((".csv", ".xlsx")):
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    try:
        uploads.check_size(upload, MAX_BYTES)
        upload.seek(0)
        table = spreadsheets.read_table(upload.read(), LIMITS, name)
    except (uploads.UploadError, spreadsheets.SpreadsheetError) as error:
        raise ImportFileError(str(error)) from None
    return [[_cell(v) for v in row] for row in table]


def read_rows(upload):
    """[{column: text}] from an uploaded CSV/XLSX file (empty rows skipped), with the
    spreadsheet line number under "_line"."""
    table = _table(upload)
    if not table:
        raise ImportFileError(_("The file is empty."))
    header = [h.strip().lower() for h in table[0]]
    index = {}
    for key, names in COLUMNS.items():
        for position, title in enumerate(header):
            if title in names:
                index[key] = position
                break
    missing = [key for key in REQUIRED if key not in index]
    if missing:
        raise ImportFileError(
            _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}
        )
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        row = {key: (cells[pos] if pos < len(cells) else "") for key, pos in index.items()}
        row["_line"] = line
        rows.append(row)
    if not rows:
        raise ImportFileError(_("The file has no member rows."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("At most %(max)s rows at once.") % {"max": MAX_ROWS})
    return rows


# --- Validating ---------------------------------------------------------------------------


def _key(cleaned):
    return ("nip", cleaned["nip"]) if cleaned["nip"] else ("name", cleaned["name"].lower())


def validate_rows(opd, year, raw_rows, proposal=None):
    """Preview of importing `raw_rows` into the OPD's team for `year`: per-row errors
    and the errors of the resulting team. Writes nothing. Returns (preview, plan), the
    plan a list of (existing member or None, cleaned values) when everything is valid."""
    pemda = opd.pemda
    roles = ensure_default_roles(pemda)
    by_name = {role.name.strip().lower(): role for role in roles}
    existing = list(proposal.members.all()) if proposal is not None else []
    existing_by_key = {(("nip", m.nip) if m.nip else ("name", m.name.lower())): m for m in existing}
    results, plan, seen = [], [], {}
    for raw in raw_rows:
        values = {key: str(raw.get(key, "") or "") for key in COLUMNS}
        result = RowResult(line=raw.get("_line", 0), values=values)
        results.append(result)
        data = dict(values)
        data["role"] = by_name.get(values["role"].strip().lower())
        data["status"] = STATUS_ALIASES.get(values["status"].strip().lower(), values["status"])
        if data["role"] is None:
            result.errors.append(_("Unknown role %(role)s.") % {"role": values["role"] or "—"})
        try:
            cleaned = clean_member(pemda, data)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name == "role" and data["role"] is None:
                    continue
                result.errors.extend(messages)
            continue
        key = _key(cleaned)
        if key in seen:
            result.errors.append(_("The same person is on line %(line)s.") % {"line": seen[key]})
            continue
        seen[key] = result.line
        member = existing_by_key.get(key)
        if cleaned["nip"]:
            try:
                check_other_teams(pemda.id, opd.id, year, cleaned["nip"])
            except ValidationError as error:
                result.errors.extend(error.messages)
                continue
        result.action = "update" if member else "add"
        plan.append((member, cleaned))
    team_errors = []
    if not any(r.errors for r in results):
        updated = {member.pk: cleaned["role"].id for member, cleaned in plan if member}
        role_ids = [updated.get(m.pk, m.role_id) for m in existing]
        role_ids += [cleaned["role"].id for member, cleaned in plan if member is None]
        team_errors = limit_problems(roles, role_ids, team_size_limit(pemda))
    return ImportPreview(results, team_errors), plan


def preview_import(opd, year, raw_rows):
    """The preview shown before importing (nothing written)."""
    proposal = current_proposal(opd, year)
    preview, _plan = validate_rows(opd, year, raw_rows, proposal)
    if proposal is not None and not proposal.is_editable_state:
        preview.team_errors.insert(
            0,
            _("The current version of the team is %(state)s and cannot be changed.")
            % {"state": proposal.get_state_display()},
        )
    return preview


class ImportRejected(TeamError):
    """The rows are not all valid: nothing was written; `preview` says why."""

    def __init__(self, preview):
        super().__init__(_("Nothing was imported: fix the errors and try again."))
        self.preview = preview


@transaction.atomic
def import_members(user, opd, year, raw_rows):
    """Write every row or none: validates again inside the transaction."""
    proposal = draft_for(user, opd, year)
    preview, plan = validate_rows(opd, year, raw_rows, proposal)
    if not preview.ok:
        transaction.set_rollback(True)
        raise ImportRejected(preview)
    added = updated = 0
    for member, cleaned in plan:
        if member is None:
            TeamMember.objects.create(proposal=proposal, **cleaned)
            added += 1
        else:
            for name, value in cleaned.items():
                setattr(member, name, value)
            member.save()
            updated += 1
    log_event(
        user,
        proposal,
        TeamEvent.Action.IMPORTED,
        _("%(added)s added, %(updated)s updated") % {"added": added, "updated": updated},
    )
    return proposal, added, updated


__all__ = [
    "ImportFileError",
    "ImportPreview",
    "ImportRejected",
    "import_members",
    "preview_import",
    "read_rows",
    "validate_rows",
]
