"""Texts of the validation report made from the analysis' own words: numbers without a
negative zero, "not computed" reasons and warnings, in the report's language."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ..reporting.locale import Catalogue
from ..stats.results import finite_or_none

__all__ = ["reason_text", "warning_text"]


def _number(cat: Catalogue, value: Any, digits: int = 2) -> str:
    """``cat.number`` without a sign on values that round to zero ('0,00', not '-0,00')."""
    v = finite_or_none(value)
    if v is not None and round(v, digits) == 0:
        v = 0.0
    return cat.number(v, digits)


_REASONS = (
    (
        re.compile(r"^(?P<n>\d+) item\(s\) given; at least (?P<k>\d+) are needed$"),
        "words.reason_items",
    ),
    (
        re.compile(
            r"^n = (?P<n>\d+) usable rows \((?P<policy>pairwise|listwise)\); at least (?P<k>\d+) are needed$"
        ),
        "words.reason_rows",
    ),
)


def reason_text(cat: Catalogue, reason: str | None) -> tuple[str, bool]:
    """An analysis' "not computed" reason in the report's language where the catalogue has it.

    Returns the text and whether it was translated; reasons the catalogue does not cover stay
    in English (the template marks them so).

    Examples
    --------
    >>> from kemitraan_assess.validation.render import load_validation_catalogue
    >>> reason_text(load_validation_catalogue("id"), "2 item(s) given; at least 3 are needed")
    ('2 butir; diperlukan paling sedikit 3', True)
    >>> reason_text(load_validation_catalogue("id"), "singular matrix")
    ('singular matrix', False)
    """
    text = "" if reason is None else str(reason)
    for pattern, key in _REASONS:
        m = pattern.match(text)
        if m and cat.has(key):
            values = {
                k: cat.integer(int(v)) if v.isdigit() else v for k, v in m.groupdict().items()
            }
            if "policy" in values:
                values["policy"] = cat(f"words.policy_{values['policy']}")
            return cat(key, **values), True
    return text, False


def warning_text(
    cat: Catalogue, warning: Mapping[str, Any], scale_name: Callable[[str], str]
) -> str:
    """A warning of the analysis (``result["warnings"]``) in the report's language;
    ``scale_name`` gives a scale's name from its id. A code the catalogue does not know
    keeps the analysis' English message.

    Examples
    --------
    >>> from kemitraan_assess.validation.render import load_validation_catalogue
    >>> warning_text(load_validation_catalogue("en"), {"code": "constant_item", "item": "GOL1",
    ...              "scale": "GOL", "value": 3.0, "count": 40, "message": "..."},
    ...              {"GOL": "Clear, agreed goals and objectives"}.get)[:86]
    'GOL1 (Clear, agreed goals and objectives) has no variance: all 40 answers are the same'
    """
    code = str(warning.get("code"))
    item, scale = warning.get("item"), warning.get("scale")
    fields = {
        "item": item or "",
        "scale": scale_name(str(scale)) if scale else "",
        "value": _number(cat, warning.get("value"))
        if code == "negative_item"
        else cat.number(warning.get("value"), 0),
        "count": cat.integer(warning.get("count")) if warning.get("count") is not None else "",
    }
    key = f"warnings.{code}"
    return cat(key, **fields) if cat.has(key) else str(warning.get("message", code))
