"""When the OPD sees the evaluators' work (README, "Arti angka").

The national process publishes provisional results when document review ends: until
then the evaluators' levels and notes, and the figures computed from them (index,
predikat, zone, rank, aspect indices), stay inside the evaluation team. OPD users see
their own self-assessment only. Every page and export that serves OPD users passes the
assessments and scores it shows through `conceal_review` / `conceal_scores`, which blank
those values in memory (nothing is written back).
"""

from ..models import FigureStatus, Period
from .scores import is_opd_user


def review_published(period):
    """Document review has ended (the appeal window opened) or the period is final."""
    return period.sanggahan_dibuka is not None or period.is_final


def sees_review(user, period):
    """May the user see the evaluators' levels, notes and figures of the period?"""
    return user.is_superuser or not is_opd_user(user) or review_published(period)


def conceal_review(user, assessments):
    """The assessments, with the evaluators' figures blanked where `user` may not see
    them yet (`review_hidden` is then True). Returns the same list."""
    for assessment in assessments:
        hidden = not sees_review(user, assessment.period)
        # "Awaiting the end of document review" once evaluators are at work; before the
        # evaluation starts there is nothing to await, only the OPD's own progress.
        assessment.review_hidden = hidden and assessment.period.status == Period.Status.EVALUATION
        if hidden:
            assessment.status_nilai = FigureStatus.IN_PROGRESS
            assessment.indeks = None
            assessment.predikat = ""
            assessment.zona = ""
            assessment.peringkat = None
            assessment.indeks_aspek = {}
            assessment.indeks_domain = {}
            assessment.tervalidasi = 0
    return assessments


def conceal_scores(user, scores, period):
    """The scores of one period, with the evaluators' levels and notes blanked where
    `user` may not see them yet. Returns the same list."""
    if not sees_review(user, period):
        for score in scores:
            score.level_evaluator = None
            score.catatan_evaluator = ""
    return scores
