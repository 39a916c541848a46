"""Which sub-groups of a partnership a report may show.

A sub-group (the respondents of one sector, say) below the confidentiality minimum is
never shown on its own. Hiding it is not enough: when the partnership's total is shown
and every other group is shown, the hidden group is the difference. So the groups left
out are always at least ``k`` respondents *together*: when they are fewer, the smallest
shown groups are left out too, until they reach ``k`` (they may then be shown together
as "other groups, combined"). When fewer than two groups would remain, nothing is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["GroupSuppression", "suppress_groups"]


@dataclass(frozen=True)
class GroupSuppression:
    """The outcome of :func:`suppress_groups`.

    Attributes
    ----------
    shown
        Group names that may be shown one by one (largest first, then by name).
    hidden
        Group names left out (by name).
    hidden_n
        Respondents in the hidden groups together.
    combined_ok
        True when the hidden groups may be shown together as one row (``hidden_n >= k``).
    """

    shown: tuple[str, ...]
    hidden: tuple[str, ...]
    hidden_n: int
    combined_ok: bool


def suppress_groups(counts: Mapping[str, int], k: int, *, min_shown: int = 2) -> GroupSuppression:
    """Choose the sub-groups that can be shown without revealing a small one.

    Parameters
    ----------
    counts
        Group name → respondents (respondents with no group belong to a group too,
        e.g. ``"(none)"``, since they count in the total).
    k
        Confidentiality minimum.
    min_shown
        Fewer shown groups than this → show none (a comparison needs two).

    Returns
    -------
    GroupSuppression

    Notes
    -----
    Primary suppression hides every group with n < k. Complementary suppression (as in
    statistical disclosure control of tables, e.g. Hundepool et al. 2012, *Statistical
    Disclosure Control*, ch. 5) then hides the smallest shown groups until the hidden
    ones hold at least ``k`` respondents together, so subtracting the shown groups from
    the total reveals only an aggregate of ``k`` or more.

    Examples
    --------
    >>> r = suppress_groups({"health": 9, "ngo": 7, "education": 6, "private": 2}, 5)
    >>> r.shown, r.hidden, r.hidden_n, r.combined_ok
    (('health', 'ngo'), ('education', 'private'), 8, True)
    >>> suppress_groups({"health": 7, "ngo": 6, "private": 2}, 5).shown
    ()
    >>> suppress_groups({"a": 9, "b": 6, "c": 5}, 5).hidden
    ()
    """
    items = sorted(
        ((str(g), int(n)) for g, n in counts.items() if int(n) > 0), key=lambda x: (-x[1], x[0])
    )
    shown = [(g, n) for g, n in items if n >= k]
    hidden = [(g, n) for g, n in items if n < k]
    hidden_n = sum(n for _, n in hidden)
    while hidden and hidden_n < k and shown:
        g, n = shown.pop()  # the smallest shown group
        hidden.append((g, n))
        hidden_n += n
    if hidden and hidden_n < k:  # nothing left to add: everything is hidden
        shown = []
    if len(shown) < min_shown:
        hidden = hidden + shown
        hidden_n = sum(n for _, n in hidden)
        shown = []
    return GroupSuppression(
        shown=tuple(g for g, _ in shown),
        hidden=tuple(sorted(g for g, _ in hidden)),
        hidden_n=hidden_n,
        combined_ok=bool(hidden) and hidden_n >= k and bool(shown),
    )
