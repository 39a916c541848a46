"""Psychometric validation of an instrument on a sample (the `reliability` command).

The analysis only: its report is drawn by
:func:`kemitraan_assess.reporting.validation_report.render_validation`.
"""

from .analyse import THRESHOLDS, structure_scales, validate
from .result import (
    ReliabilityWarning,
    ScaleSummary,
    ValidationResult,
    ValidationWarning,
    reliability,
)

__all__ = [
    "THRESHOLDS",
    "ReliabilityWarning",
    "ScaleSummary",
    "ValidationResult",
    "ValidationWarning",
    "reliability",
    "structure_scales",
    "validate",
]
