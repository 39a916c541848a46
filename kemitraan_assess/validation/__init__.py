"""Psychometric validation of an instrument on a sample (the `reliability` command)."""

from .analyse import THRESHOLDS, structure_scales, validate

__all__ = ["THRESHOLDS", "structure_scales", "validate", "render_validation"]


def render_validation(result: dict, instrument, *, lang: str = "id", fmt: str = "html") -> bytes:  # type: ignore[no-untyped-def]
    """The validation report as HTML or PDF bytes."""
    from .render import render_validation as _render

    return _render(result, instrument, lang=lang, fmt=fmt)
