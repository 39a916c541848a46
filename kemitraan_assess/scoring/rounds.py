"""Survey rounds: which rows give a partnership's numbers, which only its comparison.

When the responses carry a wave column (an instrument field with role ``wave``), a
partnership's headline results (scale means, readiness, agreement, sectors, item shares,
benefits, model) come from **its latest round** only; the round before it is scored on
its own and kept for the comparison (:class:`~kemitraan_assess.scoring.stats.WaveComparison`).
"Latest" follows :func:`~kemitraan_assess.scoring.stats.order_waves`. A partnership that
did not take part in the survey's last round is shown with its own latest round, and the
outputs say which. Rows of older rounds, and rows without a round label in a partnership
that has labelled ones, are counted and reported, never used silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .stats import order_waves

__all__ = ["Rounds", "RoundSplit", "split_rounds"]


@dataclass(frozen=True)
class Rounds:
    """Which round each partnership's numbers come from, and what the other rows did.

    Attributes
    ----------
    field
        The wave column.
    order
        Round labels, oldest first.
    latest
        The survey's last round (of the rows that can be shown).
    shown
        Partnership -> label of the round its headline numbers come from (None when the
        partnership has no labelled row: all its rows are one unnamed round).
    previous
        Partnership -> label of the round before, used for the comparison (None if none).
    n_shown
        Responses behind the headline numbers.
    n_comparison
        Responses of previous rounds, used only for the comparison.
    n_not_used
        Responses of rounds older than a partnership's previous one, and responses
        without a round label in a partnership that has labelled ones.
    n_unlabelled
        Of ``n_not_used``: responses without a round label.
    n_absent
        Of ``n_not_used``: responses given only for the comparison (``previous=``) by
        partnerships that are not in the responses scored.
    """

    field: str
    order: tuple[str, ...]
    latest: str
    shown: Mapping[str, str | None]
    previous: Mapping[str, str | None]
    n_shown: int
    n_comparison: int
    n_not_used: int
    n_unlabelled: int
    n_absent: int = 0

    def not_in_latest(self) -> dict[str, str]:
        """Partnerships shown with a round other than the survey's last one."""
        return {
            name: label
            for name, label in sorted(self.shown.items())
            if label is not None and label != self.latest
        }

    def to_dict(self) -> dict[str, object]:
        """The ``rounds`` block of ``scores.json``."""
        return {
            "field": self.field,
            "order": list(self.order),
            "latest": self.latest,
            "n_shown": self.n_shown,
            "n_comparison_only": self.n_comparison,
            "n_not_used": self.n_not_used,
            "n_unlabelled": self.n_unlabelled,
            "n_absent": self.n_absent,
            "not_in_latest": self.not_in_latest(),
        }

    def describe(self) -> str:
        """One line for a log: the round shown and what the earlier rows were used for."""
        text = (
            f"rounds: numbers from each partnership's latest round ({self.latest} for "
            f"{sum(v == self.latest for v in self.shown.values())} of {len(self.shown)}); "
            f"{self.n_comparison} earlier-round responses used only for the comparison"
        )
        if self.n_not_used:
            text += f"; {self.n_not_used} not used"
        return text

    def warnings(self) -> list[str]:
        out = []
        for name, label in self.not_in_latest().items():
            out.append(
                f"partnership {name!r} has no responses in round {self.latest}: "
                f"its numbers are from round {label}"
            )
        older = self.n_not_used - self.n_unlabelled - self.n_absent
        if older:
            out.append(
                f"{older} response(s) of earlier rounds are not used: a partnership's numbers "
                "come from its latest round, compared with the round before it only"
            )
        if self.n_absent:
            out.append(
                f"{self.n_absent} response(s) of the previous round belong to partnerships "
                "without responses in this round: not used"
            )
        if self.n_unlabelled:
            out.append(
                f"{self.n_unlabelled} response(s) have no round in column {self.field!r} "
                "while others of their partnership do: not used; fill in the round to use them"
            )
        return out


@dataclass(frozen=True)
class RoundSplit:
    """Row masks over the pooled table: headline rows, comparison rows, and the summary."""

    current: np.ndarray
    previous: np.ndarray
    rounds: Rounds


def _labels(values: pd.Series) -> pd.Series:
    s = values.astype("string").str.strip()
    return s.mask(s == "")


def has_rounds(responses: pd.DataFrame, wave_col: str | None) -> bool:
    """True when ``wave_col`` is a column with at least one round label."""
    if wave_col is None or wave_col not in responses.columns:
        return False
    return bool(_labels(responses[wave_col]).notna().any())


def split_rounds(
    responses: pd.DataFrame, wave_col: str, *, eligible: np.ndarray | None = None
) -> RoundSplit:
    """Split rows into each partnership's latest round and the round before it.

    Parameters
    ----------
    responses
        Rows with ``partnership`` and ``wave_col``.
    wave_col
        The round labels.
    eligible
        Rows that may give headline numbers (default all). Rows outside it (a previous
        round passed for the comparison only) are used as previous rounds only.

    Returns
    -------
    RoundSplit

    Examples
    --------
    >>> rows = pd.DataFrame({"partnership": ["A", "A", "A", "B"], "wave": ["1", "2", "2", "1"]})
    >>> split = split_rounds(rows, "wave")
    >>> split.current.tolist(), split.previous.tolist()
    ([False, True, True, True], [True, False, False, False])
    >>> dict(split.rounds.shown), split.rounds.not_in_latest()
    ({'A': '2', 'B': '1'}, {'B': '1'})
    """
    n = len(responses)
    ok = np.ones(n, dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool)
    # labels are cleaned once per distinct value, not once per row (1M rows, a few rounds)
    wcodes, wvalues = pd.factorize(responses[wave_col], use_na_sentinel=True)
    cleaned = _labels(pd.Series(wvalues, dtype=object))
    order = order_waves(cleaned)
    rank_of = {lab: k for k, lab in enumerate(order)}
    value_rank = np.array(
        [-1 if pd.isna(c) else rank_of[str(c)] for c in cleaned.tolist()] + [-1], dtype=np.int64
    )
    rank = value_rank[wcodes]  # code -1 (missing) takes the appended -1
    pcodes, pnames = pd.factorize(responses["partnership"], sort=True, use_na_sentinel=True)
    n_groups = len(pnames)
    has_group = pcodes >= 0
    # per partnership: its latest round among the rows that may be shown (-1: only unlabelled
    # rows, -2: none), then the latest round before it (-3: none)
    latest = np.full(n_groups + 1, -2, dtype=np.int64)
    sel = ok & has_group
    np.maximum.at(latest, pcodes[sel], rank[sel])
    row_latest = latest[pcodes]  # a row without a partnership reads the spare slot (-2)
    current = ok & has_group & (rank == row_latest)
    # a partnership without any labelled row: all its rows are its one (unnamed) round
    current |= ok & has_group & (row_latest == -1)
    earlier = has_group & (rank >= 0) & (rank < row_latest)
    prev = np.full(n_groups + 1, -3, dtype=np.int64)
    np.maximum.at(prev, pcodes[earlier], rank[earlier])
    previous = (rank >= 0) & (rank == prev[pcodes])
    used = current | previous
    unlabelled = ~used & (rank < 0)
    absent = ~used & (row_latest == -2)
    names = [str(x) for x in pnames]
    shown = {
        names[g]: (order[int(r)] if r >= 0 else None)
        for g, r in enumerate(latest[:n_groups].tolist())
        if r >= -1
    }
    prev_map: dict[str, str | None] = {
        name: (order[int(prev[g])] if prev[g] >= 0 else None)
        for g, name in enumerate(names)
        if name in shown
    }
    shown_ranks = [r for r in latest[:n_groups].tolist() if r >= 0]
    last = order[max(shown_ranks)] if shown_ranks else (order[-1] if order else "")
    rounds = Rounds(
        field=wave_col,
        order=tuple(order),
        latest=last,
        shown=shown,
        previous=prev_map,
        n_shown=int(current.sum()),
        n_comparison=int(previous.sum()),
        n_not_used=int((~used).sum()),
        n_unlabelled=int((unlabelled & ~absent).sum()),
        n_absent=int(absent.sum()),
    )
    return RoundSplit(current, previous, rounds)
