"""Celery tasks: thin wrappers that take ids and call services. Safe to run twice."""

from celery import shared_task

from .services import recompute


@shared_task(acks_late=True)
def recompute_assessment_task(assessment_id):
    recompute.recompute_assessment(assessment_id)


@shared_task(acks_late=True)
def recompute_period_task(period_id):
    return recompute.recompute_period(period_id)
