"""Opening periods and creating their assessments."""

from django.db import transaction

from opd.models import OPD

from ..models import Assessment, Indicator, Period, Score


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
    """Add the assessments (and their empty scores) still missing for the period's OPDs.
    Returns the new assessments."""
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
    return created


@transaction.atomic
def sync_opd_assessments(opd):
    """After an OPD's active years changed (or it was created): give it an assessment in
    every period of its pemda it is now active in, and drop the assessments of periods it
    is no longer active in, but only while they hold nothing (no level, no text, no
    evidence): entered work is never deleted. Final periods are left alone. Queues the
    recompute of the periods touched; returns their ids."""
    from .recompute import request_period_recompute

    touched = []
    for period in Period.objects.filter(pemda_id=opd.pemda_id).exclude(status=Period.Status.FINAL):
        if opd.is_active_in(period.tahun):
            if ensure_assessments(period):
                touched.append(period.id)
            continue
        empty = (
            Assessment.objects.filter(period=period, opd=opd)
            .exclude(scores__level_mandiri__isnull=False)
            .exclude(scores__level_evaluator__isnull=False)
            .exclude(scores__penjelasan__gt="")
            .exclude(scores__evidence__isnull=False)
        )
        if empty.exists():
            Score.objects.filter(assessment__in=empty).delete()
            empty.delete()
            touched.append(period.id)
    if touched:
        request_period_recompute(touched)
    return touched
