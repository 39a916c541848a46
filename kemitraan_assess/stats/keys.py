"""Item keys for the item-level statistics (psych's ``keys`` / ``check.keys``) and the
warning for an item that correlates negatively with the rest of its scale.

On raw answers a reverse-worded item pulls alpha down without any error: on psych::bfi's
Agreeableness scale, alpha is 0.43 with A1 as answered and 0.70 with A1 reversed. psych
warns when an item correlates negatively with the first principal component; here every
public item-level function (:func:`~kemitraan_assess.stats.cronbach_alpha`,
:func:`~kemitraan_assess.stats.item_analysis`, :func:`~kemitraan_assess.stats.split_half`)
warns with :class:`NegativeItemWarning` when an item's corrected item-total correlation
(psych's ``r.drop``) is negative, and takes ``keys=`` to reverse items first.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from kemitraan_assess.errors import DataError
from kemitraan_assess.stats.arrays import numeric_matrix
from kemitraan_assess.stats.pairwise import pairwise_sums

__all__ = ["NegativeItemWarning", "apply_keys", "warn_negative_items", "Keys"]

Keys = None | str | Sequence[Any] | Mapping[str, float]


class NegativeItemWarning(UserWarning):
    """An item correlates negatively with the rest of its scale: it is probably
    reverse-worded and not reverse-keyed (pass ``keys=``), or does not belong there."""


def _key_vector(keys: Keys, names: tuple[str, ...], x: np.ndarray) -> np.ndarray:
    """+1 / -1 per column from any accepted form of ``keys``."""
    p = len(names)
    if isinstance(keys, str):
        if keys != "auto":
            raise DataError(
                f"keys must be 'auto', item names, +1/-1 values or a mapping, not {keys!r}"
            )
        return _auto_keys(x, names)
    if isinstance(keys, Mapping):
        unknown = [k for k in keys if str(k) not in names]
        if unknown:
            raise DataError(
                f"keys name {unknown[0]!r}, which is not an item of the data ({', '.join(names)})",
                column=str(unknown[0]),
            )
        return np.array([-1.0 if float(keys.get(n, 1)) < 0 else 1.0 for n in names])
    values = list(keys) if keys is not None else []
    if values and all(
        isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        for v in values
    ):
        if len(values) != p or any(abs(float(v)) != 1.0 for v in values):
            raise DataError(
                f"keys as numbers must be {p} values of +1 or -1, one per item, not {values!r}"
            )
        return np.array([float(v) for v in values])
    if not all(isinstance(v, str) for v in values):
        raise DataError(f"keys must be 'auto', item names, +1/-1 values or a mapping, not {keys!r}")
    signed = any(v.startswith("-") for v in values)  # psych's scoring keys: "-A1", "A2", ...
    reversed_ = {
        v[1:] if v.startswith("-") else v for v in values if v.startswith("-") or not signed
    }
    named = {v.lstrip("+-") for v in values}
    unknown = sorted(named - set(names))
    if unknown:
        raise DataError(
            f"keys name {unknown[0]!r}, which is not an item of the data ({', '.join(names)})",
            column=unknown[0],
        )
    return np.array([-1.0 if n in reversed_ else 1.0 for n in names])


def _auto_keys(x: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """psych's ``check.keys = TRUE``: reverse the items loading negatively on the first
    principal component of the pairwise correlations (signed so most items load positively)."""
    cov, _, _ = pairwise_sums(x).covariance()
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cov / np.outer(sd, sd)
    if not np.isfinite(r).all():
        raise DataError("keys='auto' needs every item to vary and every pair answered together")
    _, vectors = np.linalg.eigh(r)
    pc1 = vectors[:, -1]
    if np.count_nonzero(pc1 < 0) > np.count_nonzero(pc1 > 0):
        pc1 = -pc1
    key = np.where(pc1 < 0, -1.0, 1.0)
    flipped = [n for n, k in zip(names, key, strict=True) if k < 0]
    if flipped:
        warnings.warn(
            f"{'items' if len(flipped) > 1 else 'item'} {', '.join(flipped)} "
            f"{'correlate' if len(flipped) > 1 else 'correlates'} negatively with the first "
            "principal component and reversed (keys='auto', as psych's check.keys = TRUE)",
            NegativeItemWarning,
            stacklevel=5,  # the caller of cronbach_alpha & co.
        )
    return key


def apply_keys(items: Any, keys: Keys) -> Any:
    """``items`` with the columns ``keys`` marks reversed as ``min + max - x``.

    psych::alpha's rule: min and max are the smallest and largest answer over all the
    items given. Pass the instrument's ends instead by keying with
    :func:`~kemitraan_assess.stats.reverse` (``low``, ``high``) or use
    :func:`kemitraan_assess.reliability`, which keys as the instrument says.
    """
    if keys is None:
        return items
    x, names = numeric_matrix(items)
    key = _key_vector(keys, names, x)
    if (key > 0).all():
        return items
    lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
    x = x.copy()
    x[:, key < 0] = (lo + hi) - x[:, key < 0]
    return pd.DataFrame(x, columns=list(names))


def warn_negative_items(names: Sequence[str], cov: np.ndarray, *, stacklevel: int = 3) -> None:
    """Warn (:class:`NegativeItemWarning`) about items whose corrected item-total
    correlation, computed from the covariances ``cov``, is negative."""
    if cov.shape[0] < 2:
        return
    col = cov.sum(axis=0)
    diag = np.diag(cov)
    with np.errstate(invalid="ignore", divide="ignore"):
        r_drop = (col - diag) / np.sqrt(diag * (cov.sum() - 2 * col + diag))
    bad = [(str(n), float(r)) for n, r in zip(names, r_drop, strict=True) if r < 0]
    if bad:
        listed = ", ".join(f"{n} (r.drop = {r:.2f})" for n, r in bad)
        warnings.warn(
            f"{listed} correlate{'s' if len(bad) == 1 else ''} negatively with the total of the "
            "other items: a reverse-worded item not reverse-keyed? Pass keys=[...] (psych's keys), "
            "keys='auto' (psych's check.keys), or use kemitraan_assess.reliability(responses, "
            "instrument), which keys items as the instrument says",
            NegativeItemWarning,
            stacklevel=stacklevel,
        )
