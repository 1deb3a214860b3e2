"""Importing the values of indicators scored from other national indices (I5 from the
Satu Data Indonesia score, I6 from SJIG, I7 from EPSS, I18 from SDI ...): one row per OPD
and indicator, all rows or none, each entered through `scores.set_external_value` (the
same as on the review page: checked, recorded in the change log, recomputed).

Header: kode_pemda,kode_opd,tahun,kode_indikator,nilai,skor_sumber,tanggal
(kode_indikator: the indicator's code such as I5, or its number; nilai: 1,00–5,00;
tanggal: YYYY-MM-DD or DD-MM-YYYY)."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from opd.models import OPD, Pemda

from ..models import Period, Score
from .imports import FILE, RowError, _cell_text, read_table
from .scores import ScoreError, is_evaluator, set_external_value

HEADER = ("kode_pemda", "kode_opd", "tahun", "kode_indikator", "nilai", "skor_sumber", "tanggal")


@dataclass
class ExternalRow:
    number: int
    score_id: int | None = None
    value: str = ""
    source_score: str = ""
    date: datetime.date | None = None
    errors: list = field(default_factory=list)


def _date(text):
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def read(user, content, filename=""):
    """The rows of the file with their errors (row numbers as in the spreadsheet) and
    the file-level errors; nothing is written."""
    if not is_evaluator(user):
        return [], [
            RowError(
                FILE, "", _("Only evaluators and the Kominfo administrator enter external values.")
            )
        ]
    try:
        table = read_table(content, filename)
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
    writable = (
        None if user.is_superuser else set(Pemda.objects.home_of(user).values_list("pk", flat=True))
    )
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = [
            _cell_text(c, col) for c, col in zip(list(cells) + [None] * 7, HEADER, strict=False)
        ]
        if not any(values):
            continue
        kode_pemda, kode_opd, tahun, kode_indikator, nilai, skor, tanggal = values
        row = ExternalRow(number, value=nilai, source_score=skor, date=_date(tanggal))
        pemda = Pemda.objects.filter(kode=kode_pemda).first()
        if pemda is None or (writable is not None and pemda.pk not in writable):
            row.errors.append(_("Unknown regional government, or not yours."))
        else:
            opd = OPD.objects.filter(pemda=pemda, kode=kode_opd).first()
            period = Period.objects.filter(
                pemda=pemda,
                tahun=int(tahun) if tahun.isascii() and tahun.isdigit() else -1,
                triwulan__isnull=True,
            ).first()
            if opd is None:
                row.errors.append(_("Unknown OPD code in this regional government."))
            if period is None:
                row.errors.append(_("There is no evaluation period for this year."))
            if opd is not None and period is not None:
                scores = Score.objects.filter(assessment__period=period, assessment__opd=opd)
                by_code = scores.filter(indicator__kode__iexact=kode_indikator)
                score = by_code.first() or (
                    scores.filter(indicator__nomor=int(kode_indikator)).first()
                    if kode_indikator.isascii() and kode_indikator.isdigit()
                    else None
                )
                if score is None:
                    row.errors.append(_("This indicator is not in the period's instrument."))
                elif not score.indicator.is_external:
                    row.errors.append(_("This indicator is not scored from another index."))
                else:
                    row.score_id = score.pk
        if row.date is None:
            row.errors.append(_("Give the date of the external value (YYYY-MM-DD)."))
        rows.append(row)
    errors = [RowError(r.number, "", e) for r in rows for e in r.errors]
    if not rows and not errors:
        errors.append(RowError(FILE, "", _("The file has no data rows.")))
    seen = {}
    for row in rows:
        if row.score_id is not None and row.score_id in seen:
            errors.append(
                RowError(
                    row.number, "", _("Duplicate of row %(row)s.") % {"row": seen[row.score_id]}
                )
            )
        seen.setdefault(row.score_id, row.number)
    return rows, errors


def import_values(user, content, filename=""):
    """Read the file and, when every row is valid, enter every value in one transaction:
    (number entered, errors). A row the service refuses (a value off the scale, a final
    period) rolls the whole file back and is reported with its row."""
    rows, errors = read(user, content, filename)
    if errors:
        return 0, errors
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    set_external_value(user, row.score_id, row.value, row.source_score, row.date)
                except ScoreError as error:
                    raise _RowRefused(row.number, str(error)) from None
    except _RowRefused as refused:
        return 0, [RowError(refused.row, "", refused.message)]
    return len(rows), []


class _RowRefused(Exception):
    def __init__(self, row, message):
        super().__init__(message)
        self.row, self.message = row, message
