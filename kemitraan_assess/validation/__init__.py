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


def render_validation(  # type: ignore[no-untyped-def]
    result: ValidationResult | dict, instrument, *, lang: str = "id", fmt: str = "html"
) -> bytes:
    """The validation report as HTML or PDF bytes, from ``validate()``'s result (or its
    ``to_dict()``, the JSON document)."""
    from .render import render_validation as _render

    doc = result.to_dict() if isinstance(result, ValidationResult) else result
    return _render(doc, instrument, lang=lang, fmt=fmt)
