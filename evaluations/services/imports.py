"""Importing levels from a spreadsheet (CSV or XLSX), for the command and the browser.

Two steps, both used by `manage.py import_scores` and the /impor/ page:

- `validate(user, content, filename)` reads the file and checks every row against the
  database and the user's rights; it writes nothing and returns an `ImportResult`
  holding every row with its errors (row numbers as in the spreadsheet: the header is
  row 1) and the file-level errors.
- `apply(user, result)` writes a fully valid batch in one transaction, each change
  through `scores.apply_changes` (change log, version bump, recompute) and each
  evaluator's level also as a StageReview of the period's current stage.

`import_file` does both under one transaction (re-validating what it applies).

Two modes. The evaluators' import (`EVALUATOR`, the default) sets evaluator levels and
notes only: self-assessed levels come from the OPD, so a level_mandiri that differs
from the OPD's own is refused (an unchanged one, as in the prefilled template, is fine).
The import on the OPD's behalf (`SELF`) sets self-assessed levels only, by a Kominfo
administrator (or the command line, which says so with --mandiri), only while that
OPD's self-assessment is open, and is recorded as such in the change log.

A row error never reveals whether another tenant's OPD exists: a pemda the user may not
change is refused before its OPDs are looked up.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from opd.models import OPD, Pemda
from opd.querysets import membership_of
from opd.roles import Role
from spbe_dashboard import spreadsheets, text
from spbe_dashboard.spreadsheets import csv_bytes

from ..models import Assessment, Indicator, Period, Score, StageReview
from ..queueing import request_period_recompute
from .scores import ScoreError, apply_changes, is_evaluator, parse_level, self_assessment_open
from .scoring import plain_value

HEADER = (
    "kode_pemda",
    "kode_opd",
    "tahun",
    "nomor_indikator",
    "level_mandiri",
    "level_evaluator",
    "catatan",
)
EVALUATOR = "evaluator"
SELF = "mandiri"
MODES = (EVALUATOR, SELF)
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20000
# Read at most the header and MAX_ROWS rows (blank ones included) of at most 50 columns;
# a workbook unpacking to more than 20 MB is refused before it is parsed.
LIMITS = spreadsheets.ReadLimits(
    max_bytes=MAX_BYTES,
    max_rows=MAX_ROWS,
    max_columns=50,
    max_cells=(MAX_ROWS + 1) * len(HEADER),
    max_unpacked=20 * 1024 * 1024,
)
MAX_NOTE = text.LONG  # as the review form's note
MAX_CODE = 60  # a pemda or OPD code, a year, a number, a level
FILE = 0  # the "row" of an error about the whole file


@dataclass
class RowError:
    row: int  # as in the spreadsheet (header = 1); FILE for the whole file
    column: str
    message: str


@dataclass
class ImportRow:
    number: int
    values: dict
    errors: list = field(default_factory=list)
    score_id: int | None = None
    period_id: int | None = None
    instrument: object = None  # the period's, once known
    place: tuple = (None, None)  # (period, OPD), once known
    nomor: int | None = None  # the indicator number, once known
    level_mandiri: int | None = None
    level_evaluator: int | None = None
    catatan: str = ""

    def error(self, column, message):
        self.errors.append(RowError(self.number, column, message))

    @property
    def changes_anything(self):
        return self.level_mandiri is not None or self.level_evaluator is not None


@dataclass
class ImportResult:
    filename: str = ""
    rows: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)
    mode: str = EVALUATOR

    @property
    def errors(self):
        """Every error, file-level first, then by row."""
        return [*self.file_errors, *(e for row in self.rows for e in row.errors)]

    @property
    def is_valid(self):
        return not self.errors and bool(self.rows)

    @property
    def invalid_rows(self):
        return [row for row in self.rows if row.errors]


@dataclass
class ImportSummary:
    rows: int = 0
    scores_changed: int = 0
    fields_changed: int = 0
    assessments: set = field(default_factory=set)
    periods: set = field(default_factory=set)


class InvalidImport(ScoreError):
    """A batch that is not valid was given to `apply`; `result` holds the errors."""

    def __init__(self, result):
        super().__init__(_("The file has errors: nothing was imported."))
        self.result = result


# --- Reading the file ---------------------------------------------------------------


def _cell_text(value, column):
    if value is None:
        return ""
    if isinstance(value, float):
        if column == "kode_pemda":
            # Excel turns "76.10" into the number 76.1: region codes have two digits.
            return f"{value:.2f}"
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def read_table(content, filename="", limits=None):
    """The rows of the file as lists of cells, or a ScoreError for the whole file.
    XLSX is recognised by its content, anything else is read as CSV; the limits
    (`LIMITS` unless given) are checked while reading (spbe_dashboard.spreadsheets)."""
    try:
        return spreadsheets.read_table(content, limits or LIMITS, filename)
    except spreadsheets.SpreadsheetError as exc:
        raise ScoreError(str(exc)) from None


# --- Validating -----------------------------------------------------------------------


class _Lookups:
    """Caches of the database lookups of one validation, scoped to the user."""

    def __init__(self, user, mode=EVALUATOR):
        self.user = user
        self.mode = mode
        self.evaluator = user is None or is_evaluator(user)
        self.pemdas = {}
        self.opds = {}
        self.periods = {}
        self.indicators = {}
        self.scores = {}
        if user is None or user.is_superuser:
            self.writable = None  # every pemda
        else:
            self.writable = set(Pemda.objects.home_of(user).values_list("pk", flat=True))

    def pemda(self, kode):
        if kode not in self.pemdas:
            self.pemdas[kode] = Pemda.objects.filter(kode=kode).first()
        return self.pemdas[kode]

    def may_write(self, pemda):
        return self.evaluator and (self.writable is None or pemda.pk in self.writable)

    def opd(self, pemda, kode):
        key = (pemda.pk, kode)
        if key not in self.opds:
            self.opds[key] = OPD.objects.filter(pemda=pemda, kode=kode).first()
        return self.opds[key]

    def period(self, pemda, tahun):
        key = (pemda.pk, tahun)
        if key not in self.periods:
            self.periods[key] = (
                Period.objects.filter(pemda=pemda, tahun=tahun, triwulan__isnull=True)
                .select_related("instrument")
                .first()
            )
        return self.periods[key]

    def indicators_of(self, instrument_id):
        """{number: (code, external source, has items)} of the instrument's indicators."""
        if instrument_id not in self.indicators:
            rows = (
                Indicator.objects.filter(instrument_id=instrument_id)
                .annotate(item_count=Count("items"))
                .values_list("nomor", "kode", "sumber_eksternal", "item_count")
            )
            self.indicators[instrument_id] = {
                nomor: (kode, external, bool(items)) for nomor, kode, external, items in rows
            }
        return self.indicators[instrument_id]

    def scores_of(self, period, opd):
        """{indicator number: (score id, self-assessed level)} of the OPD's assessment,
        through the user's editable scores, and whether its self-assessment is open."""
        key = (period.pk, opd.pk)
        if key not in self.scores:
            scores = (
                Score.objects.all() if self.user is None else Score.objects.editable_by(self.user)
            )
            scores = scores.filter(assessment__period=period, assessment__opd=opd)
            by_number = {
                nomor: (pk, own)
                for nomor, pk, own in scores.values_list("indicator__nomor", "pk", "level_mandiri")
            }
            assessment = Assessment(
                period=period,
                status_mandiri=(
                    scores.values_list("assessment__status_mandiri", flat=True).first()
                    or Assessment.SelfStatus.DRAFT
                ),
            )
            self.scores[key] = (by_number, self_assessment_open(assessment))
        return self.scores[key]


def _whole_number(text):
    try:
        return int(text)
    except ValueError:
        return None


def _indicator_number(text, indicators):
    """The indicator number a cell names: its number (3) or its code (I3)."""
    number = _whole_number(text)
    if number is not None:
        return number
    by_code = {code.lower(): nomor for nomor, (code, _e, _i) in (indicators or {}).items() if code}
    return by_code.get(text.strip().lower())


def _validate_row(row, lookups):
    v = row.values
    for column in HEADER:
        message = text.problem(v[column], MAX_NOTE if column == "catatan" else MAX_CODE)
        if message:
            row.error(column, message)
    if row.errors:
        return  # codes with a NUL or of any length are not looked up
    for column in ("kode_pemda", "kode_opd", "tahun", "nomor_indikator"):
        if not v[column]:
            row.error(column, _("This column is required."))
    row.catatan = v["catatan"]
    _validate_place(row, lookups)
    # Values are read as the period's instrument writes them: whole levels, or decimals
    # ("1,26" or "1.26").
    decimal_values = row.instrument.nilai_desimal if row.instrument is not None else False
    for column in ("level_mandiri", "level_evaluator"):
        try:
            setattr(row, column, parse_level(v[column], decimal_values=decimal_values))
        except ScoreError as exc:
            row.error(column, str(exc))
    _validate_score(row, lookups)


def _validate_place(row, lookups):
    """The pemda, OPD, period and indicator of the row (errors on the row)."""
    v = row.values
    if not v["kode_pemda"]:
        return
    pemda = lookups.pemda(v["kode_pemda"])
    if pemda is None or not lookups.may_write(pemda):
        # One message for both: the import does not tell which codes exist elsewhere.
        row.error(
            "kode_pemda",
            _("Unknown regional government code, or not one whose scores you change."),
        )
        return
    opd = lookups.opd(pemda, v["kode_opd"]) if v["kode_opd"] else None
    if v["kode_opd"] and opd is None:
        row.error("kode_opd", _("Unknown OPD code in this regional government."))
    tahun = _whole_number(v["tahun"]) if v["tahun"] else None
    if v["tahun"] and tahun is None:
        row.error("tahun", _("The year must be a number, e.g. 2024."))
    period = lookups.period(pemda, tahun) if tahun is not None else None
    if tahun is not None and period is None:
        row.error("tahun", _("There is no evaluation period for this year."))
    if period is not None:
        row.period_id = period.pk
        row.instrument = period.instrument
    row.place = (period, opd)
    indicators = lookups.indicators_of(period.instrument_id) if period is not None else None
    nomor = _indicator_number(v["nomor_indikator"], indicators) if v["nomor_indikator"] else None
    if v["nomor_indikator"] and nomor is None and indicators is None:
        row.error("nomor_indikator", _("The indicator number must be a whole number."))
    elif indicators is not None and v["nomor_indikator"] and nomor not in indicators:
        row.error(
            "nomor_indikator",
            _("Indicator %(number)s is not in this period's instrument (%(first)s–%(last)s).")
            % {
                "number": v["nomor_indikator"],
                "first": min(indicators, default=0),
                "last": max(indicators, default=0),
            },
        )
        nomor = None
    elif nomor is not None and indicators is not None:
        _code, external, has_items = indicators[nomor]
        if external:
            row.error(
                "nomor_indikator",
                _(
                    "Indicator %(number)s is scored from %(source)s: enter its value as an "
                    "external value, not here."
                )
                % {"number": v["nomor_indikator"], "source": external},
            )
        elif has_items:
            row.error(
                "nomor_indikator",
                _(
                    "Indicator %(number)s is assessed through its items: give each item a "
                    "level on the page."
                )
                % {"number": v["nomor_indikator"]},
            )
    row.nomor = nomor


def _validate_score(row, lookups):
    """What the row may set on its score, by the import's mode and the period's state."""
    period, opd = row.place
    nomor = row.nomor
    if period is not None:
        if period.is_final:
            row.error("tahun", _("The period is final: nothing can be changed any more."))
        elif row.level_evaluator is not None and period.status != Period.Status.EVALUATION:
            row.error(
                "level_evaluator",
                _("The period is not under evaluation: evaluator levels cannot be set yet."),
            )
        if row.level_evaluator is not None and lookups.user is None:
            row.error(
                "level_evaluator",
                _("Evaluator levels are recorded for a user: give the evaluator's username."),
            )
    if nomor is not None and period is not None and opd is not None:
        by_number, self_open = lookups.scores_of(period, opd)
        row.score_id, current_own = by_number.get(nomor, (None, None))
        if row.score_id is None:
            row.error("kode_opd", _("This OPD is not assessed in this period."))
        elif lookups.mode == EVALUATOR:
            if row.level_mandiri is not None and row.level_mandiri != current_own:
                row.error(
                    "level_mandiri",
                    _(
                        "Self-assessed levels come from the OPD (its level here is "
                        "%(level)s): leave level_mandiri empty or unchanged."
                    )
                    % {"level": "—" if current_own is None else current_own},
                )
            row.level_mandiri = None  # never written by the evaluators' import
        else:
            if row.level_evaluator is not None or row.catatan:
                row.error(
                    "level_evaluator",
                    _(
                        "An import on the OPD's behalf sets self-assessed levels only: leave "
                        "level_evaluator and catatan empty."
                    ),
                )
            if row.level_mandiri is not None and not self_open:
                row.error(
                    "level_mandiri",
                    _(
                        "The OPD's self-assessment is submitted or closed: its self-assessed "
                        "levels can no longer change."
                    ),
                )


def may_import_for_opd(user):
    """Who imports self-assessed levels on the OPD's behalf: the Kominfo administrator
    (a superuser, and the command line without --user)."""
    if user is None or user.is_superuser:
        return True
    membership = membership_of(user)
    return membership is not None and membership.role == Role.ADMIN_KOMINFO


def validate(user, content, filename="", mode=EVALUATOR):
    """Read and check the whole file; writes nothing. `user` None means the command line
    without --user (every pemda, no evaluator levels)."""
    result = ImportResult(filename=filename, mode=mode)
    try:
        table = read_table(content, filename)
    except ScoreError as exc:
        result.file_errors.append(RowError(FILE, "", str(exc)))
        return result
    if user is not None and not is_evaluator(user):
        result.file_errors.append(
            RowError(FILE, "", _("Only evaluators and the Kominfo administrator import levels."))
        )
        return result
    if mode == SELF and not may_import_for_opd(user):
        result.file_errors.append(
            RowError(
                FILE,
                "",
                _("Only the Kominfo administrator imports self-assessed levels for an OPD."),
            )
        )
        return result
    if not table or not any(_cell_text(c, "") for c in table[0]):
        result.file_errors.append(RowError(FILE, "", _("The file is empty.")))
        return result
    header = [_cell_text(cell, "").lower() for cell in table[0]]
    while header and not header[-1]:
        header.pop()
    if tuple(header) != HEADER:
        result.file_errors.append(
            RowError(
                1,
                "",
                _("The header must be exactly: %(header)s.") % {"header": ",".join(HEADER)},
            )
        )
        return result
    data = [
        (number, cells)
        for number, cells in enumerate(table[1:], start=2)
        if any(_cell_text(c, "") for c in cells)
    ]
    if not data:
        result.file_errors.append(RowError(FILE, "", _("The file has no data rows.")))
        return result
    if len(data) > MAX_ROWS:
        result.file_errors.append(
            RowError(FILE, "", _("Too many rows: at most %(max)s.") % {"max": MAX_ROWS})
        )
        return result
    lookups = _Lookups(user, mode)
    seen = {}
    for number, cells in data:
        cells = list(cells) + [None] * (len(HEADER) - len(cells))
        if any(_cell_text(c, "") for c in cells[len(HEADER) :]):
            row = ImportRow(number, dict.fromkeys(HEADER, ""))
            row.error("", _("The row has more cells than the header."))
            result.rows.append(row)
            continue
        values = {col: _cell_text(cells[i], col) for i, col in enumerate(HEADER)}
        row = ImportRow(number, values)
        _validate_row(row, lookups)
        row.errors.sort(key=lambda e: HEADER.index(e.column) if e.column in HEADER else -1)
        if row.score_id is not None:
            if row.score_id in seen:
                row.error(
                    "nomor_indikator",
                    _("Duplicate of row %(row)s: the same OPD, year and indicator.")
                    % {"row": seen[row.score_id]},
                )
            else:
                seen[row.score_id] = number
        result.rows.append(row)
    return result


# --- Applying -------------------------------------------------------------------------


def _scores_for_update(user, ids):
    scores = Score.objects.all() if user is None else Score.objects.editable_by(user)
    scores = scores.filter(pk__in=ids)
    return {
        s.pk: s
        for s in scores.select_for_update(of=("self",)).select_related(
            "assessment__period", "indicator"
        )
    }


@transaction.atomic
def apply(user, result, reason=""):
    """Write a fully valid batch in one transaction; refuses (InvalidImport) otherwise."""
    if not result.is_valid:
        raise InvalidImport(result)
    name = result.filename or "spreadsheet"
    if result.mode == SELF:
        reason = reason or _(
            "import of self-assessed levels on the OPD's behalf by the administrator, from %(file)s"
        ) % {"file": name}
    else:
        reason = reason or _("import from %(file)s") % {"file": name}
    period_ids = {row.period_id for row in result.rows}
    periods = {p.pk: p for p in Period.objects.select_for_update().filter(pk__in=period_ids)}
    scores = _scores_for_update(user, [row.score_id for row in result.rows])
    summary = ImportSummary()
    for row in result.rows:
        period = periods.get(row.period_id)
        score = scores.get(row.score_id)
        # Checked again under the locks: the period may have been finalised meanwhile.
        if period is None or score is None:
            row.error("", _("This row can no longer be imported; check the file again."))
        elif period.is_final:
            row.error("tahun", _("The period is final: nothing can be changed any more."))
        elif (
            result.mode == SELF
            and row.level_mandiri is not None
            and not self_assessment_open(score.assessment)
        ):
            row.error(
                "level_mandiri",
                _(
                    "The OPD's self-assessment is submitted or closed: its self-assessed "
                    "levels can no longer change."
                ),
            )
        if row.errors:
            raise InvalidImport(result)
        summary.rows += 1
        if not row.changes_anything:
            continue
        changes = {}
        if row.level_mandiri is not None:
            changes["level_mandiri"] = row.level_mandiri
        unchanged_review = (score.level_evaluator, score.catatan_evaluator) == (
            row.level_evaluator,
            row.catatan,
        )
        if row.level_evaluator is not None and not unchanged_review:
            StageReview.objects.update_or_create(
                score=score,
                tahap=period.tahap,
                defaults={
                    "level": row.level_evaluator,
                    "catatan": row.catatan,
                    "dinilai_oleh": user,
                },
            )
            changes["level_evaluator"] = row.level_evaluator
            changes["catatan_evaluator"] = row.catatan
        changed = apply_changes(user, score, changes, reason=reason, recompute=False)
        if changed:
            summary.scores_changed += 1
            summary.fields_changed += len(changed)
            summary.assessments.add(score.assessment_id)
            summary.periods.add(period.id)
    # One set-based recompute per period touched, not one per changed score.
    request_period_recompute(sorted(summary.periods), user)
    return summary


def import_file(user, content, filename="", dry_run=False, reason="", mode=EVALUATOR):
    """Validate and, when every row is valid and this is no dry run, apply, all in one
    transaction. Returns (result, summary or None)."""
    with transaction.atomic():
        result = validate(user, content, filename, mode)
        if not result.is_valid or dry_run:
            return result, None
        return result, apply(user, result, reason)


# --- A template to fill -----------------------------------------------------------------


def template_csv(user, period=None):
    """A CSV in the import format: the header and, for a period the user may write, one
    row per OPD and indicator with the current levels (fill it in and import it back)."""
    rows = []
    if period is not None:
        scores = (
            Score.objects.editable_by(user)
            .filter(assessment__period=period)
            .order_by("assessment__opd__kode", "indicator__nomor")
            .values_list(
                "assessment__opd__kode",
                "indicator__nomor",
                "level_mandiri",
                "level_evaluator",
                "catatan_evaluator",
            )
        )
        decimal_values = period.instrument.nilai_desimal
        rows = [
            [
                period.pemda.kode,
                opd,
                period.tahun,
                nomor,
                plain_value(own, decimal_values),
                plain_value(evaluator, decimal_values),
                note,
            ]
            for opd, nomor, own, evaluator, note in scores
        ]
    return csv_bytes(HEADER, rows)
