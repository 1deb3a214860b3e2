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
