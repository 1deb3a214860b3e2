"""A period's schedule: the planned last day of each stage, read as deadlines by the
pages (self-assessment, work queue, period administration, home pages).

The dates are plans; the period's status and stage say where it really is. The appeal
window has no date of its own: it opens when document review ends and lasts the
period's `jendela_sanggahan_hari` days, so its planned end is the end of document review
plus those days, and once open its real end is `scores.appeal_deadline`.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Period, Stage

# The dated stages in their order: (key, Period field, label).
DATED_STAGES = (
    ("mandiri", "batas_mandiri", gettext_lazy("Self-assessment")),
    ("dokumen", "batas_dokumen", gettext_lazy("Document review")),
    ("interviu", "batas_interviu", gettext_lazy("Interview")),
    ("visitasi", "batas_visitasi", gettext_lazy("Visit")),
    ("final", "batas_final", gettext_lazy("Final results")),
)
SCHEDULE_FIELDS = tuple(field for _key, field, _label in DATED_STAGES)
APPEAL = "sanggahan"


@dataclass(frozen=True)
class Deadline:
    key: str
    label: str
    date: date | None
    state: str  # "done", "current" or "upcoming"
    overdue: bool

    @property
    def is_current(self):
        return self.state == "current"


def schedule_problems(period):
    """(field, message) for every date that comes before an earlier stage's date."""
    problems, latest = [], None
    for _key, field, label in DATED_STAGES:
        value = getattr(period, field)
        if value is None:
            continue
        if latest is not None and value < latest[1]:
            problems.append(
                (
                    field,
                    _("%(stage)s cannot end before %(earlier)s ends.")
                    % {"stage": label, "earlier": latest[0]},
                )
            )
            continue
        latest = (label, value)
    return problems


def _position(period):
    """Where the period is: the key of its current stage ("final" once final)."""
    if period.status == Period.Status.SELF_ASSESSMENT:
        return "mandiri"
    if period.status == Period.Status.FINAL:
        return "final"
    return period.tahap


ORDER = ["mandiri", Stage.DOKUMEN, Stage.INTERVIU, Stage.VISITASI, "final"]


def appeal_end(period):
    """The last day of the appeal window: the real one once it opened, else the plan."""
    from .scores import appeal_deadline

    deadline = appeal_deadline(period)
    if deadline is not None:
        return timezone.localtime(deadline).date()
    if period.batas_dokumen is not None:
        return period.batas_dokumen + timedelta(days=period.jendela_sanggahan_hari)
    return None


def deadlines(period, today=None):
    """Every stage of the period with its date and where the period stands, in order;
    the appeal window sits after document review."""
    today = today or timezone.localdate()
    here = ORDER.index(_position(period))
    rows = []
    for key, field, label in DATED_STAGES:
        position = ORDER.index(key)
        if period.is_final or position < here:
            state = "done"
        elif position == here:
            state = "current"
        else:
            state = "upcoming"
        value = getattr(period, field)
        overdue = state != "done" and value is not None and value < today
        rows.append(Deadline(key, str(label), value, state, overdue))
        if key == Stage.DOKUMEN:
            rows.append(_appeal_row(period, today))
    return rows


def _appeal_row(period, today):
    end = appeal_end(period)
    if period.sanggahan_dibuka is None:
        state = "done" if period.is_final else "upcoming"
    elif period.is_final or (end is not None and end < today):
        state = "done"
    else:
        state = "current"
    overdue = state == "upcoming" and end is not None and end < today
    return Deadline(APPEAL, _("Appeal window"), end, state, overdue)


def stage_deadline(period, today=None):
    """The deadline of the stage the period is in (None once final)."""
    if period.is_final:
        return None
    return next(
        (row for row in deadlines(period, today) if row.is_current and row.key != APPEAL), None
    )


def add_months(day, months):
    """`day` moved by whole months, kept within the month (31 Jan + 1 month → 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(previous, tahun, triwulan):
    """How many months after `previous` a period (tahun, triwulan) starts; a yearly
    period counts as starting with the first quarter."""
    return (tahun - previous.tahun) * 12 + ((triwulan or 1) - (previous.triwulan or 1)) * 3


def carried_schedule(previous, tahun, triwulan):
    """The schedule of `previous`, moved to the period (tahun, triwulan): the default of
    the next period's form."""
    months = months_between(previous, tahun, triwulan)
    return {
        field: add_months(getattr(previous, field), months)
        for field in SCHEDULE_FIELDS
        if getattr(previous, field) is not None
    }


@transaction.atomic
def set_schedule(user, period_id, dates, appeal_days=None, reason=""):
    """Set the period's stage dates (and the appeal window's length), recorded in its
    history. The Kominfo administrator of its pemda; not on a final period."""
    from .scores import ScoreError, admin_period, log_change

    period = admin_period(user, period_id)
    if period.is_final:
        raise ScoreError(_("The period is final: its schedule can no longer change."))
    values = {field: dates.get(field) for field in SCHEDULE_FIELDS}
    if appeal_days is not None:
        if appeal_days < 1:
            raise ScoreError(_("The appeal window lasts at least one day."))
        values["jendela_sanggahan_hari"] = appeal_days
    changed = [field for field, value in values.items() if getattr(period, field) != value]
    old = {field: getattr(period, field) for field in changed}
    for field in changed:
        setattr(period, field, values[field])
    problems = schedule_problems(period)
    if problems:
        raise ScoreError(" ".join(message for _field, message in problems))
    for field in changed:
        log_change(user, period, field, old[field], values[field], reason=(reason or "").strip())
    if changed:
        period.save(update_fields=changed)
    return period


@dataclass(frozen=True)
class OpenWindow:
    """A window an OPD can still act in, for the banners of its home page: `closes` is
    an aware datetime (shown in the pemda's time zone), `kind` "mandiri" or "sanggahan"."""

    kind: str
    label: str
    closes: datetime | None
    time_zone: str
    time_zone_label: str
    overdue: bool


def open_windows(assessment, now=None):
    """The self-assessment (open, with its last day) and the appeal window (open) of the
    OPD's assessment, each with when it closes in the pemda's time zone."""
    from . import appeals
    from .scores import appeal_deadline, self_assessment_open

    now = now or timezone.now()
    period, pemda = assessment.period, assessment.pemda
    zone = pemda.tzinfo
    rows = []
    if self_assessment_open(assessment):
        closes = None
        if period.batas_mandiri is not None and period.status == Period.Status.SELF_ASSESSMENT:
            # The last day counts whole: the window closes at its end, local time.
            closes = datetime.combine(period.batas_mandiri, time(23, 59), tzinfo=zone)
        rows.append(
            OpenWindow(
                "mandiri",
                _("Self-assessment"),
                closes,
                str(zone),
                pemda.time_zone_label,
                closes is not None and closes < now,
            )
        )
    if appeals.window_open(period, now):
        rows.append(
            OpenWindow(
                APPEAL,
                _("Appeal window"),
                appeal_deadline(period),
                str(zone),
                pemda.time_zone_label,
                False,
            )
        )
    return rows
