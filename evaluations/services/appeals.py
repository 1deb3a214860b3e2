"""Sanggahan: the OPD contests a provisional level, the evaluator decides.

Once document review has ended (Period.sanggahan_dibuka is set) the OPD's head and
operator may contest any indicator that has an evaluator's level, until
`scores.appeal_deadline(period)`: an argument (required), optionally the level asked
for, and new evidence attached to the appeal. One open appeal per indicator at a time.

The evaluators of the pemda (evaluator, Kominfo administrator) accept it, with a new
level recorded as a StageReview of the interview stage and applied as the evaluator's
level, or reject it with a reason. Decisions may come after the window; appeals still
open after it block finalisation (`scores.finalisation_problems`). Every step is logged
in the ChangeLog; a final period refuses everything.

Functions refuse with `ScoreError`; a score or appeal the user may not change raises
`DoesNotExist` (views answer 404).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe_dashboard import text, uploads

from .. import notifications
from ..models import Appeal, Assessment, Score, Stage, StageReview
from . import evidence as evidence_service
from .scores import (
    ScoreError,
    appeal_deadline,
    apply_changes,
    clean_text,
    is_evaluator,
    is_opd_user,
    lock_score,
    log_change,
    value_of,
)

LOG_FIELD = "sanggahan"


def window(period, now=None):
    """The appeal window of the period: "not_started" until document review ends,
    "open" until the deadline, "closed" after it (and once the period is final)."""
    if period.sanggahan_dibuka is None:
        return "not_started"
    now = now or timezone.now()
    if period.is_final or now > appeal_deadline(period):
        return "closed"
    return "open"


def window_open(period, now=None):
    return window(period, now) == "open"


def _check_not_final(period):
    if period.is_final:
        raise ScoreError(_("The period is final: nothing can be changed any more."))


def _log(user, appeal, score, old, new, reason=""):
    log_change(
        user,
        score.assessment.period,
        LOG_FIELD,
        old,
        new,
        assessment=score.assessment,
        score=score,
        reason=reason,
    )


@uploads.atomic_with_files()
def file_appeal(user, score_id, argument, level=None, files=(), links=()):
    """The OPD contests the evaluator's level of one indicator. `files` are uploads,
    `links` URLs; each becomes evidence attached to the appeal. Returns the appeal."""
    score = lock_score(user, score_id)
    if not (user.is_superuser or is_opd_user(user)):
        raise ScoreError(_("Only the OPD contests its levels."))
    period = score.assessment.period
    _check_not_final(period)
    state = window(period)
    if state == "not_started":
        raise ScoreError(_("Appeals open when document review ends."))
    if state == "closed":
        raise ScoreError(_("The appeal window has closed."))
    if score.level_evaluator is None:
        raise ScoreError(_("This indicator has no evaluator's level to contest yet."))
    argument = clean_text(argument, text.LONG)
    if not argument:
        raise ScoreError(_("Explain why the level should change."))
    level = value_of(score, level)
    if level is not None and level == score.level_evaluator:
        raise ScoreError(_("The level asked for is the evaluator's level already."))
    # The score row is locked: no other appeal for it can be filed meanwhile.
    if Appeal.objects.filter(score=score, status=Appeal.State.OPEN).exists():
        raise ScoreError(_("This indicator already has an open appeal."))
    appeal = Appeal.objects.create(
        score=score, argumen=argument, level_diminta=level, diajukan_oleh=user
    )
    _log(user, appeal, score, "", Appeal.State.OPEN, reason=argument)
    for upload in files:
        if upload:
            evidence_service.add_file(user, score, upload, appeal=appeal)
    for url in links:
        if (url or "").strip():
            evidence_service.add_link(user, score, url, appeal=appeal)
    notifications.on_appeal_filed(appeal, score)
    return appeal


def _appeal_for_decision(user, appeal_id):
    if not is_evaluator(user):
        raise ScoreError(_("Only evaluators decide appeals."))
    appeal = (
        Appeal.objects.editable_by(user)
        .select_for_update(of=("self",))
        .select_related("score")
        .get(pk=appeal_id)
    )
    score = (
        Score.objects.editable_by(user)
        .select_for_update(of=("self",))
        .select_related("assessment__period", "indicator")
        .get(pk=appeal.score_id)
    )
    _check_not_final(score.assessment.period)
    if appeal.status != Appeal.State.OPEN:
        raise ScoreError(_("This appeal is already decided."))
    return appeal, score


def _decided(user, appeal, status):
    appeal.status = status
    appeal.diputus_oleh = user
    appeal.diputus_pada = timezone.now()


@transaction.atomic
def accept_appeal(user, appeal_id, level, reason=""):
    """Accept with a new level: recorded for the interview stage and applied as the
    evaluator's level (change log, version, recompute)."""
    appeal, score = _appeal_for_decision(user, appeal_id)
    level = value_of(score, level, required=True)
    reason = clean_text(reason, text.NOTE)
    StageReview.objects.update_or_create(
        score=score,
        tahap=Stage.INTERVIU,
        defaults={"level": level, "catatan": reason, "dinilai_oleh": user},
    )
    apply_changes(
        user,
        score,
        {"level_evaluator": level},
        reason=_("appeal accepted") + (f": {reason}" if reason else ""),
    )
    _decided(user, appeal, Appeal.State.ACCEPTED)
    appeal.level_baru = level
    appeal.alasan = reason
    appeal.save(update_fields=["status", "level_baru", "alasan", "diputus_oleh", "diputus_pada"])
    _log(user, appeal, score, Appeal.State.OPEN, Appeal.State.ACCEPTED, reason=reason)
    notifications.on_appeal_decided(appeal, score)
    return appeal


@transaction.atomic
def reject_appeal(user, appeal_id, reason):
    """Reject, with the reason (required); the level stays."""
    appeal, score = _appeal_for_decision(user, appeal_id)
    reason = clean_text(reason, text.NOTE)
    if not reason:
        raise ScoreError(_("Give the reason for rejecting the appeal."))
    _decided(user, appeal, Appeal.State.REJECTED)
    appeal.alasan = reason
    appeal.save(update_fields=["status", "alasan", "diputus_oleh", "diputus_pada"])
    _log(user, appeal, score, Appeal.State.OPEN, Appeal.State.REJECTED, reason=reason)
    notifications.on_appeal_decided(appeal, score)
    return appeal


def appeals_of(user, period, state=None, opd=None):
    """The period's appeals the user may see; `state` "open" or "decided", `opd` an OPD."""
    appeals = (
        Appeal.objects.visible_to(user)
        .filter(score__assessment__period=period)
        .select_related(
            "score__assessment__opd",
            "score__indicator",
            "diajukan_oleh",
            "diputus_oleh",
        )
        .prefetch_related("evidence")
        .order_by("status", "score__assessment__opd__kode", "score__indicator__nomor", "pk")
    )
    if state == "open":
        appeals = appeals.filter(status=Appeal.State.OPEN)
    elif state == "decided":
        appeals = appeals.exclude(status=Appeal.State.OPEN)
    if opd is not None:
        appeals = appeals.filter(score__assessment__opd=opd)
    return appeals


def may_decide(user, period):
    """Whether the user decides the period's appeals (an evaluator of its own pemda)."""
    return (
        is_evaluator(user)
        and not period.is_final
        and Assessment.objects.editable_by(user).filter(period=period).exists()
    )
