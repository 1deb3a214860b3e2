"""The models of the evaluations app, one module per concern.

core: instruments (domains, aspects, indicators, criteria, predikat bands), periods,
assessments and scores.
review: evaluators' levels per stage, evidence, appeals and the change log.
summaries: stored per-pemda figures, official national indices, background job records.
notifications: notifications to people and the reminders sent.
tpp: the pemda's rule from index to the SPBE component of the TPP.
"""

from .core import (
    Aspect,
    Assessment,
    Crosswalk,
    CrosswalkLink,
    Domain,
    FigureStatus,
    Indicator,
    IndicatorItem,
    Instrument,
    ItemScore,
    LevelCriterion,
    Period,
    PredikatBand,
    Score,
    Stage,
    Zone,
)
from .notifications import Notification, SentReminder
from .review import Appeal, ChangeLog, Evidence, ReviewAssignment, StageReview
from .summaries import Job, OfficialIndex, PemdaSummary
from .tpp import TppMapping

__all__ = [
    "Appeal",
    "Aspect",
    "Assessment",
    "ChangeLog",
    "Crosswalk",
    "CrosswalkLink",
    "Domain",
    "Evidence",
    "FigureStatus",
    "Indicator",
    "IndicatorItem",
    "ItemScore",
    "Job",
    "OfficialIndex",
    "PemdaSummary",
    "Instrument",
    "LevelCriterion",
    "Notification",
    "Period",
    "PredikatBand",
    "ReviewAssignment",
    "Score",
    "SentReminder",
    "Stage",
    "StageReview",
    "TppMapping",
    "Zone",
]
