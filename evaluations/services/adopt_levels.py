"""The evaluator takes the OPD's own level ("ambil level OPD") as the level of the
current stage, for one indicator or a selection. Each indicator goes through the same
services as a typed level (scores.save_review / save_review_items), so the checks, the
stage review, the history and the recompute are the same; nothing is written any other
way."""

from django.db import transaction

from ..models import Score
from . import scores as svc
from .review_progress import stage_review


def adoptable(score):
    """May the OPD's level of this score be taken? It needs one, and an indicator
    scored from another index has no OPD level of its own."""
    return not score.indicator.is_external and score.level_mandiri is not None


@transaction.atomic
def adopt_self_levels(user, assessment, score_ids, versions=None):
    """Take the OPD's level for each of `score_ids` (of `assessment`, as the user may
    change them) at the period's current stage, keeping the note already written in this
    stage. All or nothing: a refusal (ScoreError) changes none. `versions` ({score id:
    version the user saw}) detects a save by someone else. Returns (taken, skipped):
    the scores taken and those without an OPD level to take."""
    stage = assessment.period.tahap
    scores = (
        Score.objects.editable_by(user)
        .filter(assessment=assessment, pk__in=list(score_ids))
        .select_related("indicator")
        .prefetch_related("indicator__items", "item_scores", "reviews")
        .order_by("indicator__nomor")
    )
    taken, skipped = [], []
    for score in scores:
        if not adoptable(score):
            skipped.append(score)
            continue
        version = (versions or {}).get(score.pk)
        review = stage_review(score, stage)
        note = review.catatan if review else ""
        if score.indicator.items.all():
            levels = {
                row.item_id: row.level_mandiri
                for row in score.item_scores.all()
                if row.level_mandiri is not None
            }
            svc.save_review_items(user, score.pk, version, levels, note)
        else:
            svc.save_review(user, score.pk, version, score.level_mandiri, note)
        taken.append(score)
    return taken, skipped
