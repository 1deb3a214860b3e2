"""The official national SPBE index of a pemda for a year (published by KemenPANRB),
recorded beside our own figures by the Kominfo administrator: a province's for itself
and its kabupaten/kota, a kabupaten/kota's for itself. Every recording goes into the
change log; the kabupaten ranking by official index follows.

One form on a page and one import (all or nothing) both call `record`.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from opd.models import Pemda
from opd.querysets import membership_of
from opd.roles import Role
from spbe_dashboard import spreadsheets, text
from spbe_dashboard.numbers import parse_decimal

from ..models import OfficialIndex
from .imports import FILE, RowError, _cell_text, read_table
from .scores import ScoreError, log_change
from .summaries import rank_kabupaten

HEADER = ("kode_pemda", "tahun", "indeks", "predikat", "peringkat", "peringkat_dari", "sumber")
YEAR_RANGE = (2015, 2100)
MAX_BYTES = 1024 * 1024
MAX_SOURCE = 200
# One row per pemda and year: a province with its kabupaten/kota over many years fits.
LIMITS = spreadsheets.ReadLimits(
    max_bytes=MAX_BYTES,
    max_rows=5000,
    max_columns=50,
    max_cells=5000 * len(HEADER),
    max_unpacked=5 * 1024 * 1024,
)


def recordable_pemdas(user):
    """The pemdas whose official index the user records (every pemda for the command
    line, `user` None)."""
    if user is None:
        return Pemda.objects.all()
    if not user.is_active:
        return Pemda.objects.none()
    if user.is_superuser:
        return Pemda.objects.all()
    membership = membership_of(user)
    if membership is None or membership.role != Role.ADMIN_KOMINFO:
        return Pemda.objects.none()
    own = Pemda.objects.filter(pk=membership.pemda_id)
    if membership.pemda.is_province:
        return own | Pemda.objects.filter(parent_id=membership.pemda_id)
    return own


@dataclass
class Entry:
    """One official index as typed: checked by `clean_entry`."""

    pemda: Pemda | None
    tahun: int | None
    indeks: Decimal | None
    predikat: str = ""
    peringkat: int | None = None
    peringkat_dari: int | None = None
    sumber: str = ""
    errors: list = field(default_factory=list)


def clean_entry(entry):
    """Fill `entry.errors` with what is wrong (in words); returns the entry."""
    if entry.pemda is None:
        entry.errors.append(_("Unknown regional government, or not one you record."))
    if entry.tahun is None or not YEAR_RANGE[0] <= entry.tahun <= YEAR_RANGE[1]:
        entry.errors.append(_("The year must be a number such as 2024."))
    if entry.indeks is None or not Decimal(0) <= entry.indeks <= Decimal(5):
        entry.errors.append(_("The index is a number from 0,00 to 5,00, e.g. 3,70."))
    elif entry.indeks != entry.indeks.quantize(Decimal("0.01")):
        entry.errors.append(_("The official index has at most two decimals."))
    for value in (entry.peringkat, entry.peringkat_dari):
        if value is not None and value < 1:
            entry.errors.append(_("A rank is a whole number from 1."))
            break
    if entry.peringkat and entry.peringkat_dari and entry.peringkat > entry.peringkat_dari:
        entry.errors.append(_("The rank cannot be above the number of those ranked."))
    for value in (entry.sumber, entry.predikat):
        if "\x00" in value:
            entry.errors.append(text.problem(value, len(value)))
            return entry
    if not entry.sumber.strip():
        entry.errors.append(_("Give the source (e.g. the KemenPANRB decree)."))
    elif len(entry.sumber) > MAX_SOURCE:
        entry.errors.append(
            _("The source is too long: at most %(n)s characters.") % {"n": MAX_SOURCE}
        )
    if len(entry.predikat) > 40:
        entry.errors.append(_("The predikat is too long: at most 40 characters."))
    return entry


def _describe(record):
    """An official index as one line of history: "3,70 · Sangat Baik · 18/38"."""
    if record is None:
        return ""
    parts = [format(record.indeks, "f"), record.predikat]
    if record.peringkat:
        parts.append(f"{record.peringkat}/{record.peringkat_dari or '?'}")
    return " · ".join(p for p in parts if p)


def _write(user, entry):
    existing = (
        OfficialIndex.objects.select_for_update()
        .filter(pemda=entry.pemda, tahun=entry.tahun)
        .first()
    )
    old = _describe(existing)
    record = existing or OfficialIndex(pemda=entry.pemda, tahun=entry.tahun)
    record.indeks = entry.indeks
    record.predikat = entry.predikat.strip()
    record.peringkat = entry.peringkat
    record.peringkat_dari = entry.peringkat_dari
    record.sumber = entry.sumber.strip()
    record.updated_by = user
    new = _describe(record)
    if existing is not None and old == new and existing.sumber == record.sumber:
        return record, False
    record.save()
    log_change(
        user,
        None,
        "indeks_resmi",
        old,
        f"{entry.tahun}: {new}",
        reason=record.sumber,
        pemda=entry.pemda,
    )
    return record, True


@transaction.atomic
def record(user, entry):
    """Record (or correct) one official index; ScoreError when it is not valid or not
    the user's to record."""
    if entry.pemda is not None and not recordable_pemdas(user).filter(pk=entry.pemda.pk).exists():
        entry.pemda = None
    if clean_entry(entry).errors:
        raise ScoreError(" ".join(entry.errors))
    saved, changed = _write(user, entry)
    if changed and entry.pemda.parent_id is not None:
        rank_kabupaten(entry.pemda.parent_id, entry.tahun)
    return saved


def _whole(text):
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def read_entries(user, content, filename=""):
    """The entries of an import file and its errors (row numbers as in the spreadsheet),
    checked but not written: (entries, errors)."""
    try:
        table = read_table(content, filename, LIMITS)
    except ScoreError as exc:
        return [], [RowError(FILE, "", str(exc))]
    header = [_cell_text(c, "").lower() for c in (table[0] if table else [])]
    while header and not header[-1]:
        header.pop()
    if tuple(header) != HEADER:
        return [], [
            RowError(
                1, "", _("The header must be exactly: %(header)s.") % {"header": ",".join(HEADER)}
            )
        ]
    allowed = {p.kode: p for p in recordable_pemdas(user)}
    entries, errors, seen = [], [], {}
    for number, cells in enumerate(table[1:], start=2):
        values = [
            _cell_text(c, col) for c, col in zip(list(cells) + [None] * 7, HEADER, strict=False)
        ]
        if not any(values):
            continue
        kode, tahun, indeks, predikat, peringkat, dari, sumber = values
        entry = clean_entry(
            Entry(
                pemda=allowed.get(kode),
                tahun=_whole(tahun),
                indeks=parse_decimal(indeks),
                predikat=predikat,
                peringkat=_whole(peringkat) if peringkat else None,
                peringkat_dari=_whole(dari) if dari else None,
                sumber=sumber,
            )
        )
        if (peringkat and entry.peringkat is None) or (dari and entry.peringkat_dari is None):
            entry.errors.append(_("A rank is a whole number from 1."))
        key = (kode, entry.tahun)
        if key in seen:
            entry.errors.append(_("Duplicate of row %(row)s.") % {"row": seen[key]})
        seen[key] = number
        errors += [RowError(number, "", message) for message in entry.errors]
        entries.append(entry)
    if not entries and not errors:
        errors.append(RowError(FILE, "", _("The file has no data rows.")))
    return entries, errors


@transaction.atomic
def import_entries(user, content, filename=""):
    """Read the file and, when every row is valid, record every entry in one
    transaction: (number recorded, errors). Nothing is written when any row is wrong."""
    entries, errors = read_entries(user, content, filename)
    if errors:
        return 0, errors
    provinces = set()
    changed = 0
    for entry in entries:
        _record, did_change = _write(user, entry)
        changed += did_change
        if did_change and entry.pemda.parent_id is not None:
            provinces.add((entry.pemda.parent_id, entry.tahun))
    for province_id, tahun in sorted(provinces):
        rank_kabupaten(province_id, tahun)
    return changed, []
