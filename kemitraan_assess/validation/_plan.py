"""What the validation analyses, decided before any statistic: the items each analysis
uses, the items left out (with the reason), and the partnerships of the aggregation block.

Left out of the sample-level analyses (reliability, item analysis, factorability,
parallel analysis, EFA, omega, CFA) is an item that cannot enter a covariance matrix:
one every respondent answered the same way (no variance; ``psych::alpha`` drops such an
item with a warning and goes on) or one with fewer than two answers. The rest of the
instrument is analysed as usual, and each item left out is a warning naming it. The
aggregation block (rwg(j), ICC) keeps the instrument's scales whole, so its scale
scores are those of ``kemitraan-assess score``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..instrument.model import Instrument
from ..scoring.groups import GroupIndex, group_index

__all__ = ["Plan", "ValidationWarning", "make_plan"]

NO_GROUPS = (
    "the data have no partnership column, so the aggregation statistics (rwg(j), ICC(1), "
    "ICC(2)) were not computed; name the column with --group-col to compute them"
)


@dataclasses.dataclass(frozen=True)
class ValidationWarning:
    """Something the reader must know about the analysis, with the item or scale it names.

    ``code`` is one of ``constant_item`` (no variance: left out), ``sparse_item`` (fewer
    than two answers: left out), ``negative_item`` (correlates negatively with the rest of
    its scale after reverse-keying: check the key) and ``small_groups`` (partnerships
    below ``--min-group-size`` left out of rwg(j) and ICC).
    """

    code: str
    message: str
    item: str | None = None
    scale: str | None = None
    value: float | None = None
    count: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        for key in ("item", "scale", "value", "count"):
            v = getattr(self, key)
            if v is not None:
                out[key] = v
        return out


@dataclasses.dataclass(frozen=True)
class Plan:
    """The items and groups each part of the validation uses.

    Attributes
    ----------
    scales
        Scale id -> the items that enter the sample-level analyses (instrument order).
    dropped
        Item id -> why it was left out (``constant_item`` or ``sparse_item``).
    warnings
        One :class:`ValidationWarning` per item left out (more are added by the analysis).
    groups
        The partnerships of the aggregation block (codes of the rows in ``group_rows``), or
        None without a partnership column.
    group_rows
        The respondents of the aggregation block (None: all of them).
    all_groups
        Every partnership of the sample (what the sample description counts).
    min_group_size
        Partnerships smaller than this are left out of rwg(j) and ICC (None: none are).
    excluded_groups, excluded_respondents
        How many partnerships, and their respondents, that left out.
    """

    scales: Mapping[str, tuple[str, ...]]
    dropped: Mapping[str, str]
    warnings: tuple[ValidationWarning, ...]
    groups: GroupIndex | None
    group_rows: np.ndarray | None
    all_groups: GroupIndex | None
    min_group_size: int | None
    excluded_groups: int
    excluded_respondents: int

    def items(self, scale: str) -> list[str]:
        return list(self.scales[scale])


def _screen(
    x: np.ndarray, item_ids: list[str], instrument: Instrument
) -> tuple[dict[str, str], list[ValidationWarning]]:
    """Items without variance or with fewer than two answers (a few passes over x, no copy)."""
    answered = x.shape[0] - np.count_nonzero(np.isnan(x), axis=0)
    lo, hi = np.fmin.reduce(x, axis=0), np.fmax.reduce(x, axis=0)  # NaN-skipping, no copies of x
    dropped: dict[str, str] = {}
    warnings: list[ValidationWarning] = []
    for j, item in enumerate(item_ids):
        scale = instrument.item_scale[item]
        if answered[j] < 2:
            dropped[item] = "sparse_item"
            warnings.append(
                ValidationWarning(
                    "sparse_item",
                    f"item {item!r} (scale {scale!r}) has {int(answered[j])} answer(s); "
                    "it was left out of the reliability and factor analyses "
                    "(a correlation needs at least 2)",
                    item=item,
                    scale=scale,
                    count=int(answered[j]),
                )
            )
        elif lo[j] == hi[j]:
            dropped[item] = "constant_item"
            answer = float(lo[j])
            if instrument.items[item].reverse:  # x is keyed: say the answer as given
                rs = instrument.response_scale(item)
                answer = rs.min + rs.max - answer
            warnings.append(
                ValidationWarning(
                    "constant_item",
                    f"item {item!r} (scale {scale!r}) has no variance: "
                    f"all {int(answered[j])} answers are {answer:g}; it was left out of the "
                    "reliability and factor analyses, as psych::alpha does",
                    item=item,
                    scale=scale,
                    value=answer,
                    count=int(answered[j]),
                )
            )
    return dropped, warnings


def _groups(
    responses: pd.DataFrame, min_group_size: int | None
) -> tuple[
    GroupIndex | None, GroupIndex | None, np.ndarray | None, int, int, list[ValidationWarning]
]:
    """The partnerships of the aggregation block (None without a partnership column) and the
    rows they cover (None: every row)."""
    if "partnership" not in responses.columns or not responses["partnership"].notna().any():
        return None, None, None, 0, 0, []
    gi = group_index(responses["partnership"])
    if min_group_size is None:
        return gi, gi, None, 0, 0, []
    sizes = gi.sizes()
    small = sizes < min_group_size
    if not small.any():
        return gi, gi, None, 0, 0, []
    rows = ~small[gi.codes]
    kept = group_index(responses["partnership"][rows])
    n_groups, n_resp = int(small.sum()), int(sizes[small].sum())
    warning = ValidationWarning(
        "small_groups",
        f"{n_groups} partnership(s) with fewer than {min_group_size} respondents "
        f"({n_resp} respondents) were left out of rwg(j) and ICC (--min-group-size); "
        "every other analysis uses them",
        count=n_groups,
        value=float(min_group_size),
    )
    return kept, gi, rows, n_groups, n_resp, [warning]


def make_plan(
    x: np.ndarray,
    responses: pd.DataFrame,
    instrument: Instrument,
    *,
    min_group_size: int | None = None,
) -> Plan:
    """The :class:`Plan` of a validation of ``instrument`` on the keyed matrix ``x``."""
    item_ids = list(instrument.items)
    dropped, warnings = _screen(x, item_ids, instrument)
    scales = {s.id: tuple(i.id for i in s.items if i.id not in dropped) for s in instrument.scales}
    gi, every, rows, n_groups, n_resp, group_warnings = _groups(responses, min_group_size)
    return Plan(
        scales=scales,
        dropped=dropped,
        warnings=tuple(warnings + group_warnings),
        groups=gi,
        group_rows=rows,
        all_groups=every,
        min_group_size=min_group_size,
        excluded_groups=n_groups,
        excluded_respondents=n_resp,
    )
