"""Library errors in the page's language.

A :class:`~kemitraan_assess.errors.KemitraanError` with a ``code`` is shown with the
catalogue text ``errors.<code>`` filled with its ``params``, after the place it names
(file, row, column; or the instrument file and the place in it), in the page's language.
An error without a code, or with a code the catalogue does not know, is shown as the
command line prints it (English), inside the page's own frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import DataError, InstrumentError
from ..reporting.locale import Catalogue

__all__ = ["explain", "CODES_NEEDING_COLUMNS"]

CODES_NEEDING_COLUMNS = frozenset(
    {"data.no_item_matched", "data.no_partnership_column", "data.duplicate_column"}
)
"""Ingest errors a person fixes by saying what each column holds (the columns page)."""

_MAX_LISTED = 12


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
        more = len(items) - _MAX_LISTED
        text = ", ".join(items[:_MAX_LISTED])
        return f"{text}, … (+{more})" if more > 0 else text
    return str(value)


def _renamed(text: str, rename: Mapping[str, str]) -> str:
    for old, new in rename.items():
        text = text.replace(old, new)
    return text


def _where(exc: BaseException, t: Catalogue, *, rename: Mapping[str, str]) -> str:
    parts: list[str] = []
    if isinstance(exc, DataError):
        if exc.file:
            parts.append(_renamed(str(exc.file), rename))
        if exc.row is not None:
            parts.append(t("errors.where.row", row=exc.row))
        if exc.column is not None:
            parts.append(t("errors.where.column", column=repr(exc.column)))
    elif isinstance(exc, InstrumentError):
        if exc.source:
            parts.append(_renamed(str(exc.source), rename))
        if exc.location:
            parts.append(t("errors.where.place", place=exc.location))
    return ", ".join(parts)


def explain(exc: BaseException, t: Catalogue, *, rename: Mapping[str, str] | None = None) -> str:
    """The message of ``exc`` in ``t``'s language (English when its code is unknown).

    ``rename`` replaces file names the server uses by those the user knows.
    """
    code = getattr(exc, "code", None)
    key = f"errors.{code}"
    if not code or not t.has(key):
        return _renamed(str(exc), rename or {})
    params = {k: _shown(v) for k, v in getattr(exc, "params", {}).items()}
    try:
        text = t(key, **params)
    except (KeyError, IndexError, ValueError):  # a catalogue text naming a missing value
        return _renamed(str(exc), rename or {})
    where = _where(exc, t, rename=rename or {})
    return f"{where}: {text}" if where else text
