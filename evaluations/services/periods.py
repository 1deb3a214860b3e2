"""Opening periods, creating their assessments and keeping them in step with the OPD
registry."""

from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from opd.models import OPD, Pemda
from opd.permissions import administers

from ..models import Assessment, Indicator, Instrument, Period, Score
from ..queueing import request_period_recompute


@transaction.atomic
def open_period(pemda, tahun, instrument, triwulan=None, **fields):
    """Create a period (refusing an instrument whose weights do not add up) and one
    assessment, with an empty score per indicator, for every OPD active that year."""
    period = Period(pemda=pemda, tahun=tahun, triwulan=triwulan, instrument=instrument, **fields)
    period.full_clean()
    period.save()
    ensure_assessments(period)
    return period


@transaction.atomic
def ensure_assessments(period):
    """Add the assessments (and their empty scores) still missing for the period's OPDs,
    and queue the period's recompute so that they get their (in progress) figures and
    the period its summary: nothing is left stale. Returns the new assessments."""
    existing = set(period.assessments.values_list("opd_id", flat=True))
    opds = (
        OPD.objects.filter(pemda_id=period.pemda_id)
        .active_in(period.tahun)
        .exclude(pk__in=existing)
    )
    created = Assessment.objects.bulk_create(
        [Assessment(pemda_id=period.pemda_id, period=period, opd=opd) for opd in opds]
    )
    indicator_ids = list(
        Indicator.objects.filter(instrument_id=period.instrument_id).values_list("id", flat=True)
    )
    Score.objects.bulk_create(
        [Score(assessment=a, indicator_id=i) for a in created for i in indicator_ids],
        batch_size=2000,
    )
    if created:
        request_period_recompute([period.id])
    return created


def _holds_work(assessments):
    """The assessments among these that hold entered work (a level, a text, evidence)."""
    return assessments.filter(
        Q(scores__level_mandiri__isnull=False)
        | Q(scores__level_evaluator__isnull=False)
        | Q(scores__penjelasan__gt="")
        | Q(scores__evidence__isnull=False)
    ).distinct()


@transaction.atomic
def sync_opd_assessments(opd):
    """After an OPD's active years changed (or it was created): give it an assessment in
    every period of its pemda it is now active in, and drop its assessments of periods it
    is no longer active in. Entered work is never deleted: when such an assessment holds
    a level, a text or evidence, nothing changes and a ValidationError names the periods
    (the OPD registry shows it and its change is rolled back). Final periods are left
    alone. Queues the recompute of the periods touched; returns their ids."""
    from django.utils.translation import gettext as _

    periods = Period.objects.filter(pemda_id=opd.pemda_id).exclude(status=Period.Status.FINAL)
    leaving = [period for period in periods if not opd.is_active_in(period.tahun)]
    gone = Assessment.objects.filter(period__in=leaving, opd=opd)
    blocked = sorted({a.period.label for a in _holds_work(gone).select_related("period")})
    if blocked:
        raise ValidationError(
            _(
                "%(opd)s already has entered work in the period(s) %(periods)s, which is "
                "never deleted: choose a later year, or keep the OPD active."
            )
            % {"opd": opd.nama, "periods": ", ".join(blocked)}
        )
    for period in periods:
        if opd.is_active_in(period.tahun):
            ensure_assessments(period)  # queues its own recompute
    touched = sorted(set(gone.values_list("period_id", flat=True)))
    if touched:
        Score.objects.filter(assessment__in=gone).delete()
        gone.delete()
        request_period_recompute(touched)
    return touched


def opds_changed(sender, opds, **kwargs):
    """Receiver of opd.signals.opds_changed: the open periods follow the OPD registry."""
    for opd in opds:
        sync_opd_assessments(opd)


def instrument_choices(user, pemda):
    """The instruments `user` may choose for a new period of `pemda`: the shared ones and
    the pemda's own. The one place to narrow the choice (e.g. to published versions);
    Period.clean still refuses an instrument whose weights do not add up."""
    return (
        Instrument.objects.visible_to(user)
        .filter(Q(pemda__isnull=True) | Q(pemda=pemda), status=Instrument.Status.PUBLISHED)
        .order_by("nama")
    )


def next_label(period):
    """(tahun, triwulan) of the period after `period`: the next year, or the next quarter
    of a quarterly series."""
    if period.triwulan is None:
        return period.tahun + 1, None
    if period.triwulan == 4:
        return period.tahun + 1, 1
    return period.tahun, period.triwulan + 1


@dataclass(frozen=True)
class NewPeriod:
    """What the administrator chose for a new period."""

    tahun: int
    triwulan: int | None
    instrument: Instrument
    zona_hijau_dari: Decimal
    zona_kuning_dari: Decimal
    jendela_sanggahan_hari: int = 3
    schedule: dict = field(default_factory=dict)  # Period field → date


def period_label(tahun, triwulan):
    return f"{tahun} TW{triwulan}" if triwulan else str(tahun)


@transaction.atomic
def create_period(user, pemda, choice, previous=None):
    """The Kominfo administrator of `pemda` opens a new period for self-assessment: its
    instrument (among `instrument_choices`), thresholds, appeal window and schedule, and
    an assessment for every OPD active that year. Recorded in the new period's history,
    naming the period it follows. The running period stays every page's default until
    evaluation starts on the new one."""
    from django.utils.translation import gettext as _

    from .scores import ScoreError, log_change
    from .thresholds import check_thresholds

    if not administers(user, pemda):
        raise Pemda.DoesNotExist("Not the administrator of this pemda")
    label = period_label(choice.tahun, choice.triwulan)
    if Period.objects.filter(pemda=pemda, tahun=choice.tahun, triwulan=choice.triwulan).exists():
        raise ScoreError(_("The period %(label)s already exists.") % {"label": label})
    if not instrument_choices(user, pemda).filter(pk=choice.instrument.pk).exists():
        raise ScoreError(_("This instrument cannot be used by this regional government."))
    problems = check_thresholds(choice.zona_hijau_dari, choice.zona_kuning_dari)
    if problems:
        raise ScoreError(" ".join(problems))
    try:
        period = open_period(
            pemda,
            choice.tahun,
            choice.instrument,
            choice.triwulan,
            zona_hijau_dari=choice.zona_hijau_dari,
            zona_kuning_dari=choice.zona_kuning_dari,
            jendela_sanggahan_hari=choice.jendela_sanggahan_hari,
            **choice.schedule,
        )
    except ValidationError as error:
        raise ScoreError(" ".join(error.messages)) from None
    reason = (
        _("opened after %(label)s") % {"label": previous.label}
        if previous is not None
        else _("first period")
    )
    log_change(user, period, "status", "", period.status, reason=reason)
    from .. import notifications

    notifications.on_self_assessment_opened(period)
    return period


def carried_over(previous):
    """The new period after `previous` as the form proposes it: the next year (or
    quarter), the same instrument, thresholds and appeal window, the schedule moved on."""
    from .schedule import carried_schedule

    tahun, triwulan = next_label(previous)
    return NewPeriod(
        tahun=tahun,
        triwulan=triwulan,
        instrument=previous.instrument,
        zona_hijau_dari=previous.zona_hijau_dari,
        zona_kuning_dari=previous.zona_kuning_dari,
        jendela_sanggahan_hari=previous.jendela_sanggahan_hari,
        schedule=carried_schedule(previous, tahun, triwulan),
    )


@transaction.atomic
def open_next_period(user, previous_id, instrument=None):
    """Open the period after `previous_id` with everything carried over (see
    `carried_over`); another instrument may be given."""
    from .scores import admin_period

    previous = admin_period(user, previous_id)
    choice = carried_over(previous)
    if instrument is not None:
        choice = replace(choice, instrument=instrument)
    return create_period(user, previous.pemda, choice, previous=previous)
