"""What the evaluators have reviewed in the period's current stage.

The rule, written once: an indicator is *reviewed in a stage* when an evaluator has
saved its level for that stage (a StageReview row of that stage). An indicator scored
from another index has nothing to review per stage (its value is entered, or its
default counts): it counts as reviewed in every stage. `reviewed_in` applies the rule to
a score whose reviews are prefetched, `reviewed_filter` to a queryset of scores (or,
with a path, of assessments); both say the same thing."""

from django.db.models import Count, Q

from opd.models import OPD

from ..models import Assessment


def reviewed_filter(stage, path=""):
    """The rule as a filter over scores; `path` leads from the queried model to the
    score ("scores__" from assessments)."""
    return Q(**{f"{path}reviews__tahap": stage}) | ~Q(**{f"{path}indicator__sumber_eksternal": ""})


def reviewed_in(score, stage):
    """The rule for one score read with its reviews (scores_for prefetches them)."""
    return score.indicator.is_external or any(r.tahap == stage for r in score.reviews.all())


def stage_review(score, stage):
    """The evaluator's review of the score in `stage`, or None."""
    return next((r for r in score.reviews.all() if r.tahap == stage), None)


def with_stage_progress(assessments, stage):
    """Assessments annotated with `stage_total` (their indicators) and `stage_reviewed`
    (those reviewed in `stage`), for the work queue."""
    return assessments.annotate(
        stage_total=Count("scores", distinct=True),
        stage_reviewed=Count("scores", filter=reviewed_filter(stage, "scores__"), distinct=True),
    )


def stage_progress(scores, stage):
    """{"reviewed", "total"} of scores already read (the review page)."""
    scores = list(scores)
    return {"reviewed": sum(1 for s in scores if reviewed_in(s, stage)), "total": len(scores)}


def count_reviewed(assessment, stage):
    """How many of the assessment's indicators are reviewed in `stage` (one query)."""
    return assessment.scores.filter(reviewed_filter(stage)).distinct().count()


def next_opd(user, period, current, among=None):
    """The OPD to review after `current`: the next one in the queue's order (by code),
    wrapping around, that still has indicators not reviewed in the period's stage;
    None when every other OPD is done. Among the OPDs the user sees (visible_to) and,
    given `among` (OPD ids: the user's own queue), among those."""
    assessments = Assessment.objects.visible_to(user).filter(period=period)
    if among is not None:
        assessments = assessments.filter(opd_id__in=among)
    rows = list(
        with_stage_progress(assessments, period.tahap)
        .order_by("opd__kode")
        .values_list("opd_id", "stage_reviewed", "stage_total")
    )
    ids = [opd_id for opd_id, _reviewed, _total in rows]
    start = ids.index(current.pk) + 1 if current.pk in ids else 0
    for opd_id, reviewed, total in rows[start:] + rows[:start]:
        if opd_id != current.pk and reviewed < total:
            return OPD.objects.get(pk=opd_id)
    return None
