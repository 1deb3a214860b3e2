from django import template

from ..services.schedule import stage_deadline as current_stage_deadline

register = template.Library()


@register.filter
def stage_deadline(period):
    """The deadline of the stage the period is in, from its schedule (None when final or
    not scheduled): `{% with deadline=period|stage_deadline %}`."""
    return None if period is None else current_stage_deadline(period)
