"""`{% recompute_status period as status %}`: what `_job_progress.html` shows."""

from django import template

from ..jobs import active_for_period
from ..models import Assessment

register = template.Library()


@register.simple_tag
def recompute_status(period):
    """The newest queued or running recompute job covering the period (or None), and
    how many of its assessments wait for their figures."""
    if period is None:
        return {"job": None, "stale": 0}
    return {
        "job": active_for_period(period).order_by("-created_at").first(),
        "stale": Assessment.objects.filter(period=period, is_stale=True).count(),
    }
