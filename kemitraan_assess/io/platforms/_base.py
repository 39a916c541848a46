"""What every platform module provides, and the default (one header row, no rules).

A platform is one module in this package holding an instance of :class:`Platform`
(or a subclass): how to recognise its export, how many header rows it writes and what
they mean, which columns are its submission id, submission time and metadata, and
which records it marks as tests, rejected by a reviewer or unfinished. Adding a
platform is adding one module and listing it in ``__init__.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["HeaderLayout", "Platform", "Records", "Rejection", "RuleOutcome", "one_row_layout"]


@dataclass(frozen=True)
class HeaderLayout:
    """What the header row(s) of an export say about each column.

    ``names`` are the display names (unique-ified later), ``candidates`` the strings
    each column may match an item or field by, ``labels`` further names a user may
    give to ``--group-col`` / ``--id-col`` (e.g. the question text above a column).
    """

    rows: int
    names: list[str]
    candidates: list[list[str]]
    labels: list[list[str]]


def one_row_layout(header: Sequence[str]) -> HeaderLayout:
    names = [str(h) for h in header]
    return HeaderLayout(1, names, [[n] for n in names], [[] for _ in names])


@dataclass(frozen=True)
class Rejection:
    """Records (a boolean mask) a platform rule rejects, with a reason code and detail."""

    mask: np.ndarray
    reason: str  # a code of kemitraan_assess.io.log.REJECT_REASONS
    detail: str | np.ndarray


@dataclass(frozen=True)
class RuleOutcome:
    """What a platform's rules found: rejections, warnings, and the unfinished records
    (applied only with ``incomplete="reject"``; None when the export has no marker)."""

    rejections: tuple[Rejection, ...] = ()
    warnings: tuple[str, ...] = ()
    unfinished: Rejection | None = None


class Records:
    """The body of an export, looked up by header name (for platform rules)."""

    def __init__(self, header: Sequence[str], columns: Sequence[Any], n: int):
        self.header = [h.strip() for h in header]
        self.columns = columns
        self.n = n

    def index(self, *names: str) -> int | None:
        """Position of the first header equal to one of ``names`` (in that order)."""
        for name in names:
            if name in self.header:
                return self.header.index(name)
        return None

    def lower(self, *names: str) -> np.ndarray | None:
        """The column as trimmed, lower-cased text (None for blank cells), or None."""
        j = self.index(*names)
        if j is None or not self.n:
            return None
        arr = self.columns[j]
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            arr = pc.cast(arr, pa.string())
        arr = pc.utf8_lower(pc.utf8_trim_whitespace(arr))
        out = arr.to_numpy(zero_copy_only=False).astype(object)
        out[out == ""] = None
        return out


@dataclass(frozen=True)
class Platform:
    """A survey platform's export conventions (the generic CSV when nothing is special)."""

    name: str
    id_columns: tuple[str, ...] = ()
    time_columns: tuple[str, ...] = ()
    meta_columns: frozenset[str] = field(default_factory=frozenset)

    def detect(self, header: Sequence[str], below: Sequence[Sequence[str]]) -> bool:
        """True when ``header`` (with the rows ``below`` it) is this platform's header."""
        return False

    def layout(self, header: Sequence[str], below: Sequence[Sequence[str]]) -> HeaderLayout:
        """The header rows from ``header`` on (default: ``header`` alone)."""
        return one_row_layout(header)

    def rules(self, records: Records) -> RuleOutcome:
        """Test, reviewer-rejected and unfinished records (default: none known)."""
        return RuleOutcome()
