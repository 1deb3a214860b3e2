"""What the head of an OPD sees before submitting the self-assessment ("Ajukan"): the
indicators still without a value (these keep it from being submitted:
scores.submit_self_assessment refuses), and those without an explanation or without
evidence (allowed, but the evaluators will ask). Indicators scored from another index
need none of these from the OPD. Nothing here writes."""

from dataclasses import dataclass

from django.db.models import Count, Q

from ..models import Score


@dataclass
class Gap:
    score: Score
    no_value: bool
    no_explanation: bool
    no_evidence: bool


def submission_checklist(assessment):
    """The assessment's indicators with something missing, in their order (one query)."""
    scores = (
        Score.objects.filter(assessment=assessment, indicator__sumber_eksternal="")
        .select_related("indicator")
        .annotate(evidence_count=Count("evidence", filter=Q(evidence__dihapus_pada__isnull=True)))
        .order_by("indicator__nomor")
    )
    gaps = []
    for score in scores:
        gap = Gap(
            score,
            no_value=score.level_mandiri is None and score.indicator.nilai_bawaan is None,
            no_explanation=not score.penjelasan.strip(),
            no_evidence=score.evidence_count == 0,
        )
        if gap.no_value or gap.no_explanation or gap.no_evidence:
            gaps.append(gap)
    return gaps


def blocks_submission(gaps):
    """Indicators without a value keep the self-assessment from being submitted."""
    return any(gap.no_value for gap in gaps)
