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
    """Add the assessments (and their empty scores) still missing for the period's OPDs,
    and queue the period's recompute so that they get their (in progress) figures and
    the period its summary: nothing is left stale. Returns the new assessments."""
    from .recompute import request_period_recompute

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
            ensure_assessments(period)  # queues its own recompute
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


def next_label(period):
    """(tahun, triwulan) of the period after `period`: the next year, or the next quarter
    of a quarterly series."""
    if period.triwulan is None:
        return period.tahun + 1, None
    if period.triwulan == 4:
        return period.tahun + 1, 1
    return period.tahun, period.triwulan + 1


@transaction.atomic
def open_next_period(user, previous_id, instrument=None):
    """The Kominfo administrator opens the period after `previous_id` for
    self-assessment: same instrument (unless another is given) and zone thresholds,
    every OPD active in its year, recorded in the new period's history. The running
    period stays every page's default until evaluation starts on the new one."""
    from django.utils.translation import gettext as _

    from .scores import ScoreError, admin_period, log_change

    previous = admin_period(user, previous_id)
    tahun, triwulan = next_label(previous)
    exists = Period.objects.filter(pemda_id=previous.pemda_id, tahun=tahun, triwulan=triwulan)
    if exists.exists():
        label = f"{tahun} TW{triwulan}" if triwulan else str(tahun)
        raise ScoreError(_("The period %(label)s already exists.") % {"label": label})
    period = open_period(
        previous.pemda,
        tahun,
        instrument or previous.instrument,
        triwulan,
        zona_hijau_dari=previous.zona_hijau_dari,
        zona_kuning_dari=previous.zona_kuning_dari,
        jendela_sanggahan_hari=previous.jendela_sanggahan_hari,
    )
    log_change(
        user,
        period,
        "status",
        "",
        period.status,
        reason=_("opened after %(label)s") % {"label": previous.label},
    )
    return period
