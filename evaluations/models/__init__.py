"""The models of the evaluations app, one module per concern.

core: instruments (domains, aspects, indicators, criteria, predikat bands), periods,
assessments and scores.
"""

from .core import (
    Aspect,
    Assessment,
    Domain,
    Indicator,
    Instrument,
    LevelCriterion,
    Period,
    PredikatBand,
    Score,
    Zone,
)

__all__ = [
    "Aspect",
    "Assessment",
    "Domain",
    "Indicator",
    "Instrument",
    "LevelCriterion",
    "Period",
    "PredikatBand",
    "Score",
    "Zone",
]
