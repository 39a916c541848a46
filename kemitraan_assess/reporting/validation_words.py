"""Words of the validation report: its catalogue, p values, thresholds with their sources,
and the analysis' own words ("not computed" reasons, warnings) in the report's language.

Numbers go through :meth:`Catalogue.number <kemitraan_assess.reporting.locale.Catalogue.number>`,
the one number path of both reports (decimal comma and thousands groups in ``id``, the minus
sign U+2212, no negative zero).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from ..stats.results import finite_or_none
from ..validation import ValidationResult, ValidationWarning
from .locale import Catalogue, catalogue_languages, read_catalogue

__all__ = [
    "THRESHOLD_CITES",
    "load_validation_catalogue",
    "p_value",
    "reason_text",
    "threshold",
    "validation_languages",
    "warning_text",
]

THRESHOLD_CITES = {
    "alpha": "Nunnally & Bernstein, 1994",
    "omega": "McDonald, 1999",
    "r_drop": "Nunnally & Bernstein, 1994",
    "kmo": "Kaiser, 1974",
    "cfi": "Hu & Bentler, 1999",
    "tli": "Hu & Bentler, 1999",
    "rmsea": "Hu & Bentler, 1999",
    "srmr": "Hu & Bentler, 1999",
    "rwg_j": "LeBreton & Senter, 2008",
    "icc2": "Bliese, 2000",
}
"""The short citation written after each threshold in the conclusions."""


def validation_languages() -> list[str]:
    """Languages with a validation-report catalogue (sorted).

    Examples
    --------
    >>> validation_languages()
    ['en', 'id']
    """
    return catalogue_languages("locales/validation")


@functools.lru_cache(maxsize=8)
def _messages(lang: str) -> dict[str, str]:
    return read_catalogue("locales/validation", lang, "validation-report")


def load_validation_catalogue(lang: str) -> Catalogue:
    """The words of the validation report in ``lang``, with the locale's number format.

    Examples
    --------
    >>> cat = load_validation_catalogue("id")
    >>> cat("reliability.title"), cat.number(0.9108), cat.number(-3133.24, 1)
    ('Reliabilitas dan konsistensi internal', '0,91', '−3.133,2')
    """
    return Catalogue(lang, _messages(lang))


def p_value(cat: Catalogue, p: float | None, *, cell: bool = False) -> str:
    """A p value: '= 0,012' / '< 0,001' after 'p' in a sentence, '0,012' / '< 0,001' in a cell.

    Examples
    --------
    >>> cat = load_validation_catalogue("id")
    >>> p_value(cat, 0.0123), p_value(cat, 1e-9, cell=True), p_value(cat, None)
    ('= 0,012', '< 0,001', '–')
    """
    v = finite_or_none(p)
    if v is None:
        return "–"
    if v < 0.001:
        return cat("words.p_small", p=cat.number(0.001, 3))
    return ("" if cell else "= ") + cat.number(v, 3)


def threshold(result: ValidationResult, key: str, default: float) -> tuple[float, str]:
    """The result's threshold for ``key`` (``default`` when it has none) and its citation."""
    th = result.thresholds.get(key)
    value = None if th is None else finite_or_none(th.get("value"))
    source = "" if th is None else str(th.get("source", ""))
    return (default if value is None else value), THRESHOLD_CITES.get(key, source)


_REASONS = (
    (
        re.compile(r"^(?P<n>\d+) item\(s\) given; at least (?P<k>\d+) are needed$"),
        "words.reason_items",
    ),
    (
        re.compile(
            r"^n = (?P<n>\d+) usable rows \((?P<policy>pairwise|listwise)\); "
            r"at least (?P<k>\d+) are needed$"
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
    cat: Catalogue, warning: ValidationWarning, scale_name: Callable[[str], str]
) -> str:
    """A warning of the analysis in the report's language; ``scale_name`` gives a scale's
    name from its id. A code the catalogue does not know keeps the analysis' English message.

    Examples
    --------
    >>> w = ValidationWarning("constant_item", "...", item="GOL1", scale="GOL", value=3.0,
    ...                       count=40)
    >>> warning_text(load_validation_catalogue("en"), w,
    ...              {"GOL": "Clear, agreed goals and objectives"}.get)[:86]
    'GOL1 (Clear, agreed goals and objectives) has no variance: all 40 answers are the same'
    """
    code = warning.code
    fields = {
        "item": warning.item or "",
        "scale": scale_name(warning.scale) if warning.scale else "",
        "value": cat.number(warning.value, 2 if code == "negative_item" else 0),
        "count": cat.integer(warning.count) if warning.count is not None else "",
    }
    key = f"warnings.{code}"
    return cat(key, **fields) if cat.has(key) else warning.message
