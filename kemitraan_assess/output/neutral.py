"""Formula neutralising of CSV text cells: the one rule every CSV this project writes uses."""

from __future__ import annotations

import re

__all__ = ["FORMULA_PREFIXES", "LINE_FORMULA_PREFIXES", "neutralise_text"]

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""Cell starts that spreadsheets may evaluate as a formula."""

LINE_FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t")
"""Starts of a line inside a multi-line cell (after CR or LF) that get a ``'`` too."""

_LINE_FORMULA = re.compile(r"([\r\n])([=+\-@\t])")


def neutralise_text(value: str) -> str:
    """``value`` as written in a CSV text cell, unable to act as a spreadsheet formula.

    A ``'`` goes before a first character in :data:`FORMULA_PREFIXES`, and before a
    character in :data:`LINE_FORMULA_PREFIXES` that follows a carriage return or a
    line feed (where a program that splits the cell would start a new cell).

    Examples
    --------
    >>> neutralise_text("=1+1")
    "'=1+1"
    >>> neutralise_text("note\\r=cmd|' /C calc'!A0")
    "note\\r'=cmd|' /C calc'!A0"
    >>> neutralise_text("a-b")
    'a-b'
    """
    if value[:1] in FORMULA_PREFIXES:
        value = "'" + value
    if "\r" in value or "\n" in value:
        value = _LINE_FORMULA.sub(r"\1'\2", value)
    return value
