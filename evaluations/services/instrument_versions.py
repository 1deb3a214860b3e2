"""Instrument versions in the app: a pemda's Kominfo administrator clones an instrument
(shipped or its own) into a draft, edits it (aspects, indicators, items, weights,
criteria, level names, predikat bands), and publishes it. Only published instruments are
used by periods; a published instrument that a period uses is frozen: a change needs a
new version (a clone). The superuser manages the shipped (shared) instruments.

Every function refuses with `ScoreError` (a message for the user) and changes nothing
then; an instrument the user may not edit raises Instrument.DoesNotExist (a 404).
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from opd.models import Pemda

from ..models import (
    Aspect,
    Domain,
    Indicator,
    IndicatorItem,
    Instrument,
    LevelCriterion,
    Period,
    PredikatBand,
)
from .instruments import EVIDENCE_GUIDANCE, EXTERNAL_DEFAULT
from .scores import ScoreError
from .scoring import LEVEL_MAX, LEVEL_MIN, weight_errors


def may_edit_instruments(user):
    """The Kominfo administrators (for their pemda) and the superuser (every one)."""
    from opd.permissions import is_admin_kominfo

    return is_admin_kominfo(user)


def is_used(instrument):
    return Period.objects.filter(instrument=instrument).exists()


def _editable(user):
    """The instruments the user may edit; every one for `user` None (the demo seed and
    commands, acting for the installation)."""
    return Instrument.objects.all() if user is None else Instrument.objects.editable_by(user)


def editable_instrument(user, instrument_id):
    """The instrument, locked, if the user may edit it (its pemda's administrator; the
    superuser for shared ones) and it is a draft."""
    instrument = _editable(user).select_for_update().get(pk=instrument_id)
    if instrument.is_published:
        raise ScoreError(
            _(
                "The instrument is published: it can no longer change. Clone it into a new "
                "version to change it."
            )
        )
    return instrument


def problems(instrument):
    """Why the instrument cannot be published (empty when it can)."""
    found = list(instrument.weight_problems())
    if not instrument.bands.exists():
        found.append(_("The instrument has no predikat bands."))
    return found


# --- Cloning and publishing --------------------------------------------------------------


def _free_code(base):
    code, n = base, 2
    while Instrument.objects.filter(kode=code).exists():
        code = f"{base}-{n}"
        n += 1
    return code


@transaction.atomic
def clone(user, instrument_id, name, pemda=None):
    """A draft copy of an instrument the user may see, owned by the user's pemda (or by
    `pemda` / shared, for the superuser), with every aspect, indicator, item, criterion
    and band. Returns the draft."""
    source = (
        Instrument.objects.all() if user is None else Instrument.objects.visible_to(user)
    ).get(pk=instrument_id)
    if user is not None and not may_edit_instruments(user):
        raise ScoreError(_("Only the Kominfo administrator makes instrument versions."))
    owner = pemda if user is None or user.is_superuser else Pemda.objects.home_of(user).first()
    name = (name or "").strip()
    if not name:
        raise ScoreError(_("Give the new version a name."))
    if len(name) > 200:
        raise ScoreError(_("The name is too long: at most 200 characters."))
    code = _free_code(slugify(f"{owner.kode if owner else 'umum'}-{name}")[:50] or "instrumen")
    draft = Instrument.objects.create(
        kode=code,
        nama=name,
        keterangan=source.keterangan,
        pemda=owner,
        status=Instrument.Status.DRAFT,
        nilai_desimal=source.nilai_desimal,
        dasar=source,
    )
    domains = {
        d.pk: Domain.objects.create(instrument=draft, nomor=d.nomor, nama=d.nama, bobot=d.bobot)
        for d in source.domains.all()
    }
    aspects = {
        a.pk: Aspect.objects.create(
            instrument=draft,
            domain=domains.get(a.domain_id),
            nomor=a.nomor,
            nama=a.nama,
            bobot=a.bobot,
        )
        for a in source.aspects.all()
    }
    for indicator in source.indicators.prefetch_related("criteria", "items"):
        copy = Indicator.objects.create(
            instrument=draft,
            aspect=aspects[indicator.aspect_id],
            nomor=indicator.nomor,
            kode=indicator.kode,
            nama=indicator.nama,
            bobot=indicator.bobot,
            skala=indicator.skala,
            panduan_bukti=indicator.panduan_bukti,
            terkait_tim=indicator.terkait_tim,
            sumber_eksternal=indicator.sumber_eksternal,
            nilai_bawaan=indicator.nilai_bawaan,
        )
        LevelCriterion.objects.bulk_create(
            LevelCriterion(indicator=copy, level=c.level, nama=c.nama, kriteria=c.kriteria)
            for c in indicator.criteria.all()
        )
        IndicatorItem.objects.bulk_create(
            IndicatorItem(
                indicator=copy,
                nomor=i.nomor,
                nama=i.nama,
                bobot=i.bobot,
                kriteria=i.kriteria,
                panduan_bukti=i.panduan_bukti,
            )
            for i in indicator.items.all()
        )
    PredikatBand.objects.bulk_create(
        PredikatBand(instrument=draft, nama=b.nama, batas_bawah=b.batas_bawah)
        for b in source.bands.all()
    )
    return draft


@transaction.atomic
def publish(user, instrument_id):
    """Publish a draft whose weights add up (100% at every level) and that has bands."""
    instrument = editable_instrument(user, instrument_id)
    found = problems(instrument)
    if found:
        raise ScoreError(" ".join([_("The instrument cannot be published yet:"), *found]))
    instrument.status = Instrument.Status.PUBLISHED
    instrument.diterbitkan_pada = timezone.now()
    instrument.save(update_fields=["status", "diterbitkan_pada"])
    return instrument


@transaction.atomic
def unpublish(user, instrument_id):
    """A published instrument no period uses goes back to draft."""
    instrument = _editable(user).select_for_update().get(pk=instrument_id)
    if not instrument.is_published:
        raise ScoreError(_("The instrument is a draft already."))
    if is_used(instrument):
        raise ScoreError(
            _("A period uses this instrument: it is frozen. Clone it into a new version.")
        )
    instrument.status = Instrument.Status.DRAFT
    instrument.diterbitkan_pada = None
    instrument.save(update_fields=["status", "diterbitkan_pada"])
    return instrument


# --- Editing a draft ---------------------------------------------------------------------


def _positive(value, what):
    if value is None or value <= 0:
        raise ScoreError(_("%(what)s must be greater than zero.") % {"what": what})
    return value


@transaction.atomic
def set_structure(user, instrument_id, domains, aspects, indicators):
    """Names and weights of the whole instrument at once, refused unless the weights add
    up at every level (indicators to their aspect, aspects to their domain, all to 100).

    domains: {domain id: (name, weight)}; aspects: {aspect id: (name, weight)};
    indicators: {indicator id: weight}."""
    instrument = editable_instrument(user, instrument_id)
    own_domains = {d.pk: d for d in instrument.domains.all()}
    own_aspects = {a.pk: a for a in instrument.aspects.select_related("domain")}
    own_indicators = {i.pk: i for i in instrument.indicators.select_related("aspect")}
    if set(domains) - set(own_domains) or set(aspects) - set(own_aspects):
        raise ScoreError(_("A part of another instrument was given."))
    if set(indicators) - set(own_indicators):
        raise ScoreError(_("A part of another instrument was given."))
    for pk, (name, weight) in domains.items():
        own_domains[pk].nama, own_domains[pk].bobot = name, weight
    for pk, (name, weight) in aspects.items():
        own_aspects[pk].nama, own_aspects[pk].bobot = name, weight
    for pk, weight in indicators.items():
        own_indicators[pk].bobot = weight
    names = [d.nama for d in own_domains.values()] + [a.nama for a in own_aspects.values()]
    if any(not (name or "").strip() for name in names):
        raise ScoreError(_("Every domain and aspect needs a name."))
    errors = weight_errors(
        [(d.nomor, d.bobot) for d in own_domains.values()],
        [
            (a.nomor, own_domains[a.domain_id].nomor if a.domain_id else None, a.bobot)
            for a in own_aspects.values()
        ],
        [(i.nomor, own_aspects[i.aspect_id].nomor, i.bobot) for i in own_indicators.values()],
    )
    if errors:
        raise ScoreError(" ".join([_("Nothing was saved:"), *errors]))
    Domain.objects.bulk_update(own_domains.values(), ["nama", "bobot"])
    Aspect.objects.bulk_update(own_aspects.values(), ["nama", "bobot"])
    Indicator.objects.bulk_update(own_indicators.values(), ["bobot"])
    return instrument


@transaction.atomic
def update_indicator(user, indicator_id, fields, criteria):
    """An indicator's code, name, scale, evidence guidance, external source and criteria.
    fields: kode, nama, skala, panduan_bukti, terkait_tim, sumber_eksternal;
    criteria: {level: (name, text)} for levels 1–5."""
    indicator = Indicator.objects.select_related("instrument").get(pk=indicator_id)
    editable_instrument(user, indicator.instrument_id)
    name = (fields.get("nama") or "").strip()
    if not name:
        raise ScoreError(_("The indicator needs a name."))
    kode = (fields.get("kode") or "").strip()
    duplicate = (
        Indicator.objects.filter(instrument_id=indicator.instrument_id, kode__iexact=kode)
        .exclude(pk=indicator.pk)
        .exists()
    )
    if kode and duplicate:
        raise ScoreError(
            _("Another indicator of the instrument has the code %(code)s.") % {"code": kode}
        )
    external = (fields.get("sumber_eksternal") or "").strip()
    indicator.kode = kode
    indicator.nama = name
    indicator.skala = fields.get("skala") or indicator.skala
    indicator.panduan_bukti = (fields.get("panduan_bukti") or "").strip()
    indicator.terkait_tim = bool(fields.get("terkait_tim"))
    indicator.sumber_eksternal = external
    indicator.nilai_bawaan = EXTERNAL_DEFAULT if external else None
    indicator.save()
    for level in range(LEVEL_MIN, LEVEL_MAX + 1):
        level_name, text = criteria.get(level, ("", ""))
        if not (level_name or "").strip():
            raise ScoreError(_("Every level needs a name."))
        LevelCriterion.objects.update_or_create(
            indicator=indicator,
            level=level,
            defaults={"nama": level_name.strip(), "kriteria": (text or "").strip()},
        )
    return indicator


@transaction.atomic
def set_level_names(user, instrument_id, scale, names):
    """The names of levels 1–5 for every indicator of one scale of the instrument."""
    instrument = editable_instrument(user, instrument_id)
    names = [(n or "").strip() for n in names]
    if len(names) != LEVEL_MAX or not all(names):
        raise ScoreError(_("Every level needs a name."))
    for level, name in enumerate(names, start=LEVEL_MIN):
        LevelCriterion.objects.filter(
            indicator__instrument=instrument, indicator__skala=scale, level=level
        ).update(nama=name[:60])
    return instrument


@transaction.atomic
def set_bands(user, instrument_id, bands):
    """The predikat bands: [(name, lower bound)], at least one, distinct names and
    bounds, bounds on 0–5."""
    instrument = editable_instrument(user, instrument_id)
    cleaned = [((name or "").strip(), bound) for name, bound in bands if (name or "").strip()]
    if not cleaned:
        raise ScoreError(_("Give at least one predikat band."))
    if any(bound is None or not Decimal(0) <= bound <= Decimal(5) for _n, bound in cleaned):
        raise ScoreError(_("A lower bound is a number from 0,00 to 5,00."))
    if len({n for n, _b in cleaned}) != len(cleaned) or len({b for _n, b in cleaned}) != len(
        cleaned
    ):
        raise ScoreError(_("Every band needs its own name and its own lower bound."))
    instrument.bands.all().delete()
    PredikatBand.objects.bulk_create(
        PredikatBand(instrument=instrument, nama=name[:40], batas_bawah=bound)
        for name, bound in cleaned
    )
    return instrument


@transaction.atomic
def add_indicator(user, aspect_id, name, weight):
    """A new indicator at the end of an aspect, with the template's criteria; the weights
    must then be balanced on the weights page before publishing."""
    aspect = Aspect.objects.select_related("instrument").get(pk=aspect_id)
    instrument = editable_instrument(user, aspect.instrument_id)
    name = (name or "").strip()
    if not name:
        raise ScoreError(_("The indicator needs a name."))
    _positive(weight, _("The weight"))
    nomor = (
        instrument.indicators.order_by("-nomor").values_list("nomor", flat=True).first() or 0
    ) + 1
    indicator = Indicator.objects.create(
        instrument=instrument,
        aspect=aspect,
        nomor=nomor,
        nama=name[:250],
        bobot=weight,
        skala=Indicator.Scale.PROSES,
        panduan_bukti=EVIDENCE_GUIDANCE["proses"],
    )
    template = (
        LevelCriterion.objects.filter(indicator__instrument=instrument, indicator__skala="proses")
        .exclude(indicator=indicator)
        .order_by("indicator__nomor", "level")
    )
    names = {c.level: c.nama for c in template}
    LevelCriterion.objects.bulk_create(
        LevelCriterion(
            indicator=indicator, level=level, nama=names.get(level, str(level)), kriteria=""
        )
        for level in range(LEVEL_MIN, LEVEL_MAX + 1)
    )
    return indicator


@transaction.atomic
def remove_indicator(user, indicator_id):
    """Remove an indicator of a draft (its weight is then to be given to others)."""
    indicator = Indicator.objects.select_related("instrument").get(pk=indicator_id)
    editable_instrument(user, indicator.instrument_id)
    if indicator.instrument.indicators.count() == 1:
        raise ScoreError(_("An instrument needs at least one indicator."))
    indicator.delete()


@transaction.atomic
def save_items(user, indicator_id, items):
    """The items of an indicator, as a whole list: [(name, weight or None, criteria,
    evidence guidance)]; an empty list removes them (the indicator is then assessed as
    one value)."""
    indicator = Indicator.objects.select_related("instrument").get(pk=indicator_id)
    editable_instrument(user, indicator.instrument_id)
    cleaned = []
    for name, weight, criteria, guidance in items:
        name = (name or "").strip()
        if not name:
            continue
        if weight is not None:
            _positive(weight, _("An item's weight"))
        cleaned.append((name[:300], weight, (criteria or "").strip(), (guidance or "").strip()))
    if indicator.is_external and cleaned:
        raise ScoreError(_("An indicator scored from another index has no items."))
    indicator.items.all().delete()
    IndicatorItem.objects.bulk_create(
        IndicatorItem(
            indicator=indicator, nomor=n, nama=name, bobot=weight, kriteria=c, panduan_bukti=g
        )
        for n, (name, weight, c, g) in enumerate(cleaned, start=1)
    )
    return indicator
