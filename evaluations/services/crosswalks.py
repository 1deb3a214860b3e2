"""Trends across an instrument change (PermenPANRB 59/2020 → 8/2026): a crosswalk,
declared as data, says which aspects of the earlier instrument feed which of the later
one (or none). Where one exists between two consecutive periods' instruments, trends show
both on one axis with the change marked; where none exists they show the break instead
of pretending continuity (`continuity`)."""

from django.db import transaction
from django.utils.translation import gettext as _

from opd.models import Pemda

from ..models import Aspect, Crosswalk, CrosswalkLink, Instrument
from .scores import ScoreError

SAME = "same"  # the same instrument: continuous
MAPPED = "crosswalk"  # another instrument, with a declared crosswalk: joined, marked
BREAK = "break"  # another instrument, no crosswalk: not joined


def continuity(earlier_instrument_id, later_instrument_id, crosswalk_pairs):
    """SAME, MAPPED or BREAK between two consecutive periods' instruments.
    `crosswalk_pairs`: the (earlier id, later id) pairs with a crosswalk (`pairs`)."""
    if earlier_instrument_id == later_instrument_id:
        return SAME
    if (earlier_instrument_id, later_instrument_id) in crosswalk_pairs:
        return MAPPED
    return BREAK


def pairs(user, instrument_ids):
    """The (earlier, later) instrument pairs among `instrument_ids` that have a crosswalk
    the user may see, in one query."""
    ids = list(set(instrument_ids))
    return set(
        Crosswalk.objects.visible_to(user)
        .filter(dari_id__in=ids, ke_id__in=ids)
        .values_list("dari_id", "ke_id")
    )


def links_of(user, earlier, later):
    """{earlier aspect id: later aspect id or None} of the declared crosswalk."""
    links = CrosswalkLink.objects.all() if user is None else CrosswalkLink.objects.visible_to(user)
    return dict(
        links.filter(crosswalk__dari=earlier, crosswalk__ke=later).values_list(
            "aspek_lama_id", "aspek_baru_id"
        )
    )


@transaction.atomic
def declare(user, earlier_id, later_id, links, note=""):
    """Declare (or redeclare) the crosswalk from one instrument to another: `links` maps
    every aspect of the earlier instrument to an aspect of the later one or None. Owned by
    the user's pemda (shared for the superuser)."""
    instruments = Instrument.objects.all() if user is None else Instrument.objects.visible_to(user)
    earlier = instruments.get(pk=earlier_id)
    later = instruments.get(pk=later_id)
    if earlier.pk == later.pk:
        raise ScoreError(_("A crosswalk joins two different instruments."))
    old_aspects = set(Aspect.objects.filter(instrument=earlier).values_list("pk", flat=True))
    new_aspects = set(Aspect.objects.filter(instrument=later).values_list("pk", flat=True))
    if set(links) != old_aspects:
        raise ScoreError(_("Say for every aspect of the earlier instrument where it goes."))
    if any(target is not None and target not in new_aspects for target in links.values()):
        raise ScoreError(_("An aspect of another instrument was given."))
    owner = None if user is None or user.is_superuser else Pemda.objects.home_of(user).first()
    crosswalk = Crosswalk.objects.filter(dari=earlier, ke=later).first()
    # `user` None: the demo seed and commands, for the whole installation.
    mine = (
        user is None
        or Crosswalk.objects.editable_by(user).filter(pk=getattr(crosswalk, "pk", None)).exists()
    )
    if crosswalk is not None and not mine:
        raise ScoreError(_("This crosswalk belongs to another regional government."))
    if crosswalk is None:
        crosswalk = Crosswalk.objects.create(dari=earlier, ke=later, pemda=owner)
    crosswalk.keterangan = (note or "").strip()
    crosswalk.save(update_fields=["keterangan"])
    crosswalk.links.all().delete()
    CrosswalkLink.objects.bulk_create(
        CrosswalkLink(crosswalk=crosswalk, aspek_lama_id=old, aspek_baru_id=new)
        for old, new in links.items()
    )
    return crosswalk
