"""Psychometric validation of an instrument on a sample (the `reliability` command)."""

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
    "render_validation",
    "structure_scales",
    "validate",
]


def render_validation(result: dict, instrument, *, lang: str = "id", fmt: str = "html") -> bytes:  # type: ignore[no-untyped-def]
    """The validation report as HTML or PDF bytes."""
    from .render import render_validation as _render

    return _render(result, instrument, lang=lang, fmt=fmt)
