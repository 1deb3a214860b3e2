"""Changing scores and the status of assessments and periods: the one place where the
rules of the evaluation process are enforced and every change is logged.

Views, imports and the admin call these functions; each runs in one transaction, locks
what it changes, refuses with a `ScoreError` whose message is shown to the user, logs
every changed value in ChangeLog, and queues the recompute of the stored figures.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opd.querysets import membership_of
from opd.roles import OPD_ROLES, Role
from spbe_dashboard import text

from .. import notifications
from ..models import (
    Appeal,
    Assessment,
    ChangeLog,
    ItemScore,
    Period,
    Score,
    Stage,
    StageReview,
)
from ..queueing import request_period_recompute, request_recompute
from .scoring import clean_value, item_value

EVALUATOR_ROLES = frozenset({Role.ADMIN_KOMINFO, Role.EVALUATOR})
LEVEL_FIELDS = frozenset({"level_mandiri", "level_evaluator"})


class ScoreError(Exception):
    """A refused change; the message is for the user."""


class VersionConflict(ScoreError):
    """Someone saved the score since the user loaded it; `score` holds their values."""

    def __init__(self, message, score):
        super().__init__(message)
        self.score = score


def _role(user):
    membership = membership_of(user)
    return None if membership is None else membership.role


def is_opd_user(user):
    return _role(user) in OPD_ROLES


def is_evaluator(user):
    return user.is_superuser or _role(user) in EVALUATOR_ROLES


def parse_level(value, required=False, decimal_values=False):
    """An indicator value from user input (scoring.clean_value): None when empty and
    allowed, a whole level 1–5, or for instruments with decimal values a decimal
    1,00–5,00 with at most two decimals (comma or point)."""
    if value is None or str(value).strip() == "":
        if required:
            if decimal_values:
                raise ScoreError(_("Enter a value from 1,00 to 5,00."))
            raise ScoreError(_("Choose a level from 1 to 5."))
        return None
    try:
        return clean_value(value, decimal_values)
    except ValueError:
        if decimal_values:
            raise ScoreError(
                _("The value must be a number from 1,00 to 5,00 with at most two decimals.")
            ) from None
        raise ScoreError(_("The level must be a whole number from 1 to 5.")) from None


def value_of(score, value, required=False):
    """parse_level for one indicator: its instrument says whether values are decimal."""
    return parse_level(value, required, score.indicator.instrument.nilai_desimal)


def _check_assessed_here(score):
    """An indicator scored from another index, or through its items, has no value to
    type in here."""
    if score.indicator.is_external:
        raise ScoreError(
            _("This indicator's value comes from %(source)s: it is entered as an external value.")
            % {"source": score.indicator.sumber_eksternal}
        )
    if score.indicator.items.exists():
        raise ScoreError(_("This indicator is assessed through its items: give each item a level."))


def clean_text(value, max_length):
    """Free text from the user, stripped, within `max_length` and without NUL
    (spbe_dashboard.text), or a ScoreError."""
    try:
        return text.clean(value, max_length)
    except text.TextError as error:
        raise ScoreError(str(error)) from None


def log_change(user, period, field, old, new, assessment=None, score=None, reason="", pemda=None):
    """One row of the change log; `pemda` for a change outside any period (the pemda's
    official index)."""
    return ChangeLog.objects.create(
        pemda_id=period.pemda_id if period is not None else pemda.pk,
        period=period,
        assessment=assessment,
        score=score,
        field=field,
        old_value=_logged(old),
        new_value=_logged(new),
        reason=reason,
        user=user,
    )


def _logged(value):
    """A value as the change log keeps it: empty for None, a number without trailing
    zeros (3, 1.26), anything else as text."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def lock_score(user, score_id):
    """The score, locked for update, if the user may change it (else Score.DoesNotExist,
    which views turn into a 404).

    Its assessment is locked first (FOR NO KEY UPDATE), and the assessment's status is
    read under that lock: a save and the head's submission of the same assessment
    serialise, so a save that comes after the submission sees it and is refused. Every
    writer takes the assessment before its scores, so the order never deadlocks."""
    assessment_id = (
        Score.objects.editable_by(user).filter(pk=score_id).values_list("assessment_id", flat=True)
    ).get()
    # Only the assessment row (of="self", no ordering join): the worker's recompute holds
    # its period and waits for the assessments, so locking the period here would deadlock.
    list(
        Assessment.objects.select_for_update(no_key=True, of=("self",))
        .filter(pk=assessment_id)
        .order_by()
        .values("pk")
    )
    return (
        Score.objects.editable_by(user)
        .select_for_update(of=("self",))
        .select_related("assessment__period", "indicator__instrument")
        .get(pk=score_id)
    )


def _check_version(score, version):
    if version is not None and int(version) != score.version:
        raise VersionConflict(
            _(
                "Someone else saved this indicator in the meantime. Their values are shown; "
                "check them and save again."
            ),
            score,
        )


def _check_not_final(period):
    if period.is_final:
        raise ScoreError(_("The period is final: nothing can be changed any more."))


def apply_changes(user, score, changes, reason="", recompute=True):
    """Write the changed fields with their log rows; returns the names changed.

    A batch writer (the import) passes recompute=False and asks once per period."""
    changed = [field for field, value in changes.items() if getattr(score, field) != value]
    period = score.assessment.period
    for field in changed:
        log_change(
            user,
            period,
            field,
            getattr(score, field),
            changes[field],
            assessment=score.assessment,
            score=score,
            reason=reason,
        )
        setattr(score, field, changes[field])
    if changed:
        score.version += 1
        score.updated_by = user
        score.save(update_fields=[*changed, "version", "updated_by", "updated_at"])
        if recompute and LEVEL_FIELDS.intersection(changed):
            request_recompute([score.assessment_id])
    return changed


def self_assessment_open(assessment):
    """May the OPD still change its self-assessment?"""
    period = assessment.period
    if period.is_final:
        return False
    if assessment.status_mandiri == Assessment.SelfStatus.RETURNED:
        return True
    return (
        period.status == Period.Status.SELF_ASSESSMENT
        and assessment.status_mandiri == Assessment.SelfStatus.DRAFT
    )


@transaction.atomic
def save_self_assessment(user, score_id, version, level, penjelasan):
    score = lock_score(user, score_id)
    if not (user.is_superuser or is_opd_user(user)):
        raise ScoreError(_("Only the OPD fills its self-assessment."))
    if not self_assessment_open(score.assessment):
        raise ScoreError(
            _("The self-assessment is submitted or closed and can no longer be changed.")
        )
    _check_version(score, version)
    _check_assessed_here(score)
    apply_changes(
        user,
        score,
        {
            "level_mandiri": value_of(score, level, required=True),
            "penjelasan": clean_text(penjelasan, text.LONG),
        },
    )
    return score


def review_open(period):
    return period.status == Period.Status.EVALUATION


@transaction.atomic
def save_review(user, score_id, version, level, note, stage=None):
    """The evaluator's level for the period's current stage; the latest level counts."""
    score = lock_score(user, score_id)
    if not is_evaluator(user):
        raise ScoreError(_("Only evaluators set the evaluator's level."))
    period = score.assessment.period
    _check_not_final(period)
    if not review_open(period):
        raise ScoreError(_("The period is not under evaluation."))
    _check_version(score, version)
    _check_assessed_here(score)
    level = value_of(score, level, required=True)
    note = clean_text(note, text.LONG)
    _record_review(user, score, stage or period.tahap, level, note)
    return score


def _record_review(user, score, stage, value, note):
    """The evaluator's value for a stage, and as the score's evaluator value."""
    StageReview.objects.update_or_create(
        score=score, tahap=stage, defaults={"level": value, "catatan": note, "dinilai_oleh": user}
    )
    apply_changes(user, score, {"level_evaluator": value, "catatan_evaluator": note})


# --- Indicators assessed through items ---------------------------------------------------

ITEM_SIDES = {"mandiri": "level_mandiri", "evaluator": "level_evaluator"}


def _save_item_levels(user, score, levels, side):
    """Write the item levels of one side (each logged), then the indicator's value: the
    weighted mean of its items (scoring.item_value), or None while an item has none."""
    field = ITEM_SIDES[side]
    items = list(score.indicator.items.order_by("nomor"))
    known = {item.pk for item in items}
    unknown = set(levels) - known
    if unknown:
        raise ScoreError(_("An item of another indicator was given."))
    rows = {row.item_id: row for row in ItemScore.objects.select_for_update().filter(score=score)}
    period = score.assessment.period
    for item in items:
        if item.pk not in levels:
            continue
        new = parse_level(levels[item.pk])
        row = rows.get(item.pk) or ItemScore(score=score, item=item)
        old = getattr(row, field)
        if old != new:
            log_change(
                user,
                period,
                f"item:{item.nomor}:{field}",
                old,
                new,
                assessment=score.assessment,
                score=score,
            )
            setattr(row, field, new)
            row.save()
            rows[item.pk] = row
    return item_value(
        (getattr(rows[item.pk], field) if item.pk in rows else None, item.bobot) for item in items
    )


@transaction.atomic
def save_self_items(user, score_id, version, levels, penjelasan):
    """The OPD's levels for the items of one indicator ({item id: level}); the indicator's
    self-assessed value follows."""
    score = lock_score(user, score_id)
    if not (user.is_superuser or is_opd_user(user)):
        raise ScoreError(_("Only the OPD fills its self-assessment."))
    if not self_assessment_open(score.assessment):
        raise ScoreError(
            _("The self-assessment is submitted or closed and can no longer be changed.")
        )
    _check_version(score, version)
    value = _save_item_levels(user, score, levels, "mandiri")
    apply_changes(
        user, score, {"level_mandiri": value, "penjelasan": clean_text(penjelasan, text.LONG)}
    )
    return score


@transaction.atomic
def save_review_items(user, score_id, version, levels, note, stage=None):
    """The evaluator's levels for the items of one indicator at the current stage; the
    indicator's evaluator value follows once every item has one."""
    score = lock_score(user, score_id)
    if not is_evaluator(user):
        raise ScoreError(_("Only evaluators set the evaluator's level."))
    period = score.assessment.period
    _check_not_final(period)
    if not review_open(period):
        raise ScoreError(_("The period is not under evaluation."))
    _check_version(score, version)
    value = _save_item_levels(user, score, levels, "evaluator")
    note = clean_text(note, text.LONG)
    if value is None:
        apply_changes(user, score, {"catatan_evaluator": note})
    else:
        _record_review(user, score, stage or period.tahap, value, note)
    return score


# --- Indicators scored from another national index ---------------------------------------


@transaction.atomic
def set_external_value(user, score_id, value, source_score="", date=None, reason=""):
    """Enter the value of an indicator scored from another index (e.g. I5 from the Satu
    Data Indonesia score), with its score there and its date; recorded like any change.
    The value counts for the OPD and the evaluators alike."""
    score = lock_score(user, score_id)
    if not is_evaluator(user):
        raise ScoreError(_("Only evaluators and the Kominfo administrator enter external values."))
    _check_not_final(score.assessment.period)
    if not score.indicator.is_external:
        raise ScoreError(_("This indicator is not scored from another index."))
    value = value_of(score, value, required=True)
    source_score = (source_score or "").strip()[:40]
    if date is None:
        raise ScoreError(_("Give the date of the external value."))
    changes = {
        "level_evaluator": value,
        "level_mandiri": value,
        "eksternal_skor": source_score,
        "eksternal_tanggal": date,
    }
    reason = reason or _("external value from %(source)s") % {
        "source": score.indicator.sumber_eksternal
    }
    if apply_changes(user, score, changes, reason=reason):
        score.eksternal_oleh = user
        score.save(update_fields=["eksternal_oleh"])
    return score


def _set_status(user, assessment, status, reason=""):
    log_change(
        user,
        assessment.period,
        "status_mandiri",
        assessment.status_mandiri,
        status,
        assessment=assessment,
        reason=reason,
    )
    assessment.status_mandiri = status


@transaction.atomic
def submit_self_assessment(user, assessment_id):
    """The head of the OPD submits the whole self-assessment; it is then locked."""
    assessment = (
        Assessment.objects.editable_by(user)
        .select_for_update(no_key=True, of=("self",))
        .select_related("period")
        .get(pk=assessment_id)
    )
    if not (user.is_superuser or _role(user) == Role.KEPALA_OPD):
        raise ScoreError(_("Only the head of the OPD submits the self-assessment."))
    if not self_assessment_open(assessment):
        raise ScoreError(_("The self-assessment is already submitted or closed."))
    missing = [
        kode or str(nomor)
        for kode, nomor in assessment.scores.filter(
            level_mandiri__isnull=True, indicator__nilai_bawaan__isnull=True
        )
        .order_by("indicator__nomor")
        .values_list("indicator__kode", "indicator__nomor")
    ]
    if missing:
        raise ScoreError(
            _("Every indicator needs a level before submitting; missing: %(numbers)s.")
            % {"numbers": ", ".join(missing)}
        )
    _set_status(user, assessment, Assessment.SelfStatus.SUBMITTED)
    assessment.diajukan_pada, assessment.diajukan_oleh = timezone.now(), user
    assessment.save(update_fields=["status_mandiri", "diajukan_pada", "diajukan_oleh"])
    notifications.on_submitted(assessment)
    return assessment


@transaction.atomic
def return_self_assessment(user, assessment_id, reason):
    """An evaluator returns a submitted self-assessment to the OPD, with a reason."""
    assessment = (
        Assessment.objects.editable_by(user)
        .select_for_update(of=("self",))
        .select_related("period")
        .get(pk=assessment_id)
    )
    if not is_evaluator(user):
        raise ScoreError(_("Only evaluators return a self-assessment."))
    _check_not_final(assessment.period)
    reason = clean_text(reason, text.NOTE)
    if not reason:
        raise ScoreError(_("Give the reason for returning the self-assessment."))
    if assessment.status_mandiri != Assessment.SelfStatus.SUBMITTED:
        raise ScoreError(_("Only a submitted self-assessment can be returned."))
    _set_status(user, assessment, Assessment.SelfStatus.RETURNED, reason)
    assessment.save(update_fields=["status_mandiri"])
    notifications.on_returned(assessment, reason)
    return assessment


def appeal_deadline(period):
    if period.sanggahan_dibuka is None:
        return None
    return period.sanggahan_dibuka + timedelta(days=period.jendela_sanggahan_hari)


def finalisation_problems(period):
    """What keeps the period from being finalised: indicators without an evaluator's
    level, and appeals still unanswered."""
    # An external indicator waiting for its value counts its default (1,00): it does
    # not keep the period from being final (the period page lists those apart).
    missing = list(
        Score.objects.filter(
            assessment__period=period,
            level_evaluator__isnull=True,
            indicator__nilai_bawaan__isnull=True,
        )
        .select_related("assessment__opd", "indicator")
        .order_by("assessment__opd__kode", "indicator__nomor")
    )
    open_appeals = list(
        Appeal.objects.filter(
            score__assessment__period=period, status=Appeal.State.OPEN
        ).select_related("score__assessment__opd", "score__indicator")
    )
    return missing, open_appeals


def admin_period(user, period_id):
    """The period, locked, if the user administers it (the Kominfo administrator of its
    pemda, or a superuser); Period.DoesNotExist (a 404) for anyone else's period."""
    if not (user.is_superuser or _role(user) == Role.ADMIN_KOMINFO):
        raise ScoreError(_("Only the Kominfo administrator of the regional government does this."))
    return Period.objects.editable_by(user).select_for_update().get(pk=period_id)


@transaction.atomic
def finalise_period(user, period_id):
    """Fix the results: every indicator of every OPD has an evaluator's level and no
    appeal is unanswered. Returns (period, missing scores, open appeals); the period is
    final only when both lists are empty."""
    period = admin_period(user, period_id)
    _check_not_final(period)
    missing, open_appeals = finalisation_problems(period)
    if missing or open_appeals:
        return period, missing, open_appeals
    log_change(user, period, "status", period.status, Period.Status.FINAL)
    period.status = Period.Status.FINAL
    period.save(update_fields=["status"])
    request_period_recompute([period.id], user)
    notifications.on_finalised(period)
    return period, [], []


@transaction.atomic
def reopen_period(user, period_id, reason):
    """An explicit, logged admin action: a final period goes back under evaluation."""
    period = admin_period(user, period_id)
    if not period.is_final:
        raise ScoreError(_("The period is not final."))
    reason = clean_text(reason, text.NOTE)
    if not reason:
        raise ScoreError(_("Give the reason for reopening the period."))
    log_change(user, period, "status", period.status, Period.Status.EVALUATION, reason=reason)
    period.status = Period.Status.EVALUATION
    period.save(update_fields=["status"])
    request_period_recompute([period.id], user)
    return period


# --- Stages of the evaluators' review --------------------------------------------------

STAGE_ORDER = [Stage.DOKUMEN, Stage.INTERVIU, Stage.VISITASI]


def evaluator_periods(user):
    """Periods whose review the user runs: evaluators and the administrator of their own
    pemda (a province's staff only read their kabupaten's)."""
    if user.is_superuser:
        return Period.objects.all()
    membership = membership_of(user)
    if membership is None or membership.role not in EVALUATOR_ROLES:
        return Period.objects.none()
    return Period.objects.filter(pemda_id=membership.pemda_id)


def _evaluation_period(user, period_id):
    if not is_evaluator(user):
        raise ScoreError(_("Only evaluators and the Kominfo administrator move the stage."))
    period = evaluator_periods(user).select_for_update().get(pk=period_id)
    _check_not_final(period)
    if not review_open(period):
        raise ScoreError(_("The period is not under evaluation."))
    return period


def _set_stage(user, period, stage):
    log_change(user, period, "tahap", period.tahap, stage)
    period.tahap = stage
    fields = ["tahap"]
    if stage == Stage.INTERVIU and period.sanggahan_dibuka is None:
        # Document review is over: the OPDs see the provisional levels and may appeal.
        period.sanggahan_dibuka = timezone.now()
        log_change(user, period, "sanggahan_dibuka", "", period.sanggahan_dibuka)
        fields.append("sanggahan_dibuka")
    period.save(update_fields=fields)
    notifications.on_stage_opened(period, actor=user)
    return period


@transaction.atomic
def end_document_review(user, period_id):
    """Document review ends: the stage becomes the interview and the appeal window opens
    (Period.sanggahan_dibuka = now)."""
    period = _evaluation_period(user, period_id)
    if period.tahap != Stage.DOKUMEN:
        raise ScoreError(_("Document review has already ended."))
    return _set_stage(user, period, Stage.INTERVIU)


@transaction.atomic
def advance_stage(user, period_id, expected=None):
    """Move to the next stage (document review → interview → visit). `expected` is the
    stage the user saw; a different current stage means someone moved it meanwhile."""
    period = _evaluation_period(user, period_id)
    if expected and expected != period.tahap:
        raise ScoreError(_("Someone else has moved the stage in the meantime."))
    position = STAGE_ORDER.index(period.tahap)
    if position + 1 >= len(STAGE_ORDER):
        raise ScoreError(_("The visit is the last stage; finalise the period next."))
    return _set_stage(user, period, STAGE_ORDER[position + 1])


@transaction.atomic
def start_evaluation(user, period_id):
    """The administrator closes self-assessment: the period goes under evaluation."""
    if not (user.is_superuser or _role(user) == Role.ADMIN_KOMINFO):
        raise ScoreError(_("Only the Kominfo administrator starts the evaluation."))
    period = Period.objects.editable_by(user).select_for_update().get(pk=period_id)
    if period.status != Period.Status.SELF_ASSESSMENT:
        raise ScoreError(_("The period is not open for self-assessment."))
    log_change(user, period, "status", period.status, Period.Status.EVALUATION)
    period.status = Period.Status.EVALUATION
    period.save(update_fields=["status"])
    notifications.on_evaluation_started(period, actor=user)
    return period
