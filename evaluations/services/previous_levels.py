"""Last year's evaluator level of each indicator, shown beside this year's on the review
page. Only where the two years' instruments are the same or one is the other's version
(Instrument.dasar): indicators are then matched by their code or number. Another
instrument has other indicators, so nothing is shown rather than a misleading level."""

from ..models import Period, Score


def previous_period(period):
    """The same pemda's period one year earlier (the same quarter), or None."""
    return (
        Period.objects.filter(
            pemda_id=period.pemda_id, tahun=period.tahun - 1, triwulan=period.triwulan
        )
        .select_related("instrument")
        .first()
    )


def _related(earlier, later):
    return earlier.pk == later.pk or earlier.dasar_id == later.pk or later.dasar_id == earlier.pk


def last_year_levels(assessment):
    """{indicator label: last year's evaluator level} of the assessment's OPD."""
    period = assessment.period
    earlier = previous_period(period)
    if earlier is None or not _related(earlier.instrument, period.instrument):
        return {}
    rows = Score.objects.filter(
        assessment__period=earlier,
        assessment__opd_id=assessment.opd_id,
        level_evaluator__isnull=False,
    ).values_list("indicator__kode", "indicator__nomor", "level_evaluator")
    return {kode or str(nomor): level for kode, nomor, level in rows}
