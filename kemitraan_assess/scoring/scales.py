"""Respondent-level scoring: reverse-keying, scale scores, the readiness composite."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError
from ..instrument.model import Instrument

__all__ = [
    "reverse_key",
    "scale_scores",
    "readiness_scores",
    "item_matrix",
    "keyed_items",
    "scale_score",
]


def _check_columns(responses: pd.DataFrame, instrument: Instrument, item_ids: list[str]) -> None:
    missing = [i for i in item_ids if i not in responses.columns]
    if missing:
        raise DataError(
            f"the response table has no column for item(s) {', '.join(missing)} "
            f"of instrument '{instrument.id}'",
            column=missing[0],
        )


def item_matrix(responses: pd.DataFrame, instrument: Instrument, item_ids: list[str]) -> np.ndarray:
    """The raw answers of ``item_ids`` as a float64 array (n_respondents, n_items).

    Raises
    ------
    DataError
        when an item column is missing from ``responses``.
    """
    _check_columns(responses, instrument, item_ids)
    return responses[item_ids].to_numpy(dtype=np.float64, na_value=np.nan, copy=True)


def keyed_items(responses: pd.DataFrame, instrument: Instrument) -> list[np.ndarray]:
    """Reverse-keyed answers of every item, in instrument order, as 1-D float64 arrays.

    Items that are not reverse-keyed are read-only views of the response table (no
    copy of a million-row table); reverse-keyed items are new arrays ``min + max - x``.

    Raises
    ------
    DataError
        when an item column is missing from ``responses``.
    """
    ids = list(instrument.items)
    _check_columns(responses, instrument, ids)
    out = []
    for item_id in ids:
        x = responses[item_id].to_numpy(dtype=np.float64, na_value=np.nan)
        if instrument.items[item_id].reverse:
            rs = instrument.response_scale(item_id)
            x = (rs.min + rs.max) - x
        out.append(x)
    return out


def reverse_key(responses: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Item scores with reverse-keyed items recoded as ``min + max - x``.

    Parameters
    ----------
    responses
        The ingested table: one column per item id with raw answer codes (NaN = missing).
    instrument
        The instrument defining which items are reverse-keyed and their scale range.

    Returns
    -------
    pandas.DataFrame
        One float64 column per item in instrument order, same index as ``responses``.

    Examples
    --------
    >>> import pandas as pd
    >>> from kemitraan_assess import load_instrument
    >>> inst = load_instrument("tests/fixtures/mini-instrument.yaml")
    >>> df = pd.DataFrame({"Q1": [1.0, 6.0], "Q2": [1.0, 5.0], "Q3": [2.0, None]})
    >>> reverse_key(df, inst)["Q2"].tolist()
    [6.0, 2.0]
    """
    values = np.column_stack(keyed_items(responses, instrument)) if len(instrument.items) else None
    return pd.DataFrame(values, columns=list(instrument.items), index=responses.index, copy=False)


def scale_score(columns: list[np.ndarray], need: int) -> np.ndarray:
    """Mean of the answered values over ``columns`` (1-D arrays), NaN below ``need`` answers.

    The sum runs item by item, left to right. With whole-number answers every partial
    sum is exact, so each score is the correctly rounded quotient, the value R's
    ``rowMeans(items, na.rm = TRUE)`` gives.
    """
    n = len(columns[0]) if columns else 0
    total = np.zeros(n, dtype=np.float64)
    answered = np.zeros(n, dtype=np.int64)
    for x in columns:
        ok = ~np.isnan(x)
        answered += ok
        total += np.where(ok, x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(answered >= need, total / np.maximum(answered, 1), np.nan)


def scale_scores(keyed: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Mean of the answered (reverse-keyed) items of each scale.

    A respondent gets a score on a scale only when they answered at least
    ``instrument.min_answered_count(scale)`` of its items (default: two thirds,
    rounded up); otherwise the score is NaN.

    Parameters
    ----------
    keyed
        Output of :func:`reverse_key`.
    instrument
        The instrument.

    Returns
    -------
    pandas.DataFrame
        One float64 column per scale id.

    Examples
    --------
    >>> import pandas as pd
    >>> from kemitraan_assess import load_instrument
    >>> inst = load_instrument("tests/fixtures/mini-instrument.yaml")
    >>> keyed = pd.DataFrame({"Q1": [2.0, 4.0], "Q2": [4.0, None], "Q3": [3.0, None]})
    >>> scale_scores(keyed, inst)["S1"].tolist()   # second respondent: 1 of 3 answered
    [3.0, nan]
    """
    out = {}
    for scale in instrument.scales:
        cols = [keyed[item.id].to_numpy(dtype=np.float64, na_value=np.nan) for item in scale.items]
        out[scale.id] = scale_score(cols, instrument.min_answered_count(scale))
    return pd.DataFrame(out, index=keyed.index)


def readiness_scores(scores: pd.DataFrame, instrument: Instrument) -> pd.Series:
    """Each respondent's readiness index: the weighted mean of the composite's scale scores.

    A respondent needs scores on at least two thirds (rounded up) of the composite's
    scales; the index is then the weighted mean of the scales they have.
    """
    comp = instrument.readiness_composite
    cols = list(comp.scales)
    weights = np.array([comp.weights[c] if comp.weights else 1.0 for c in cols])
    block = scores[cols].to_numpy(dtype=np.float64)
    present = ~np.isnan(block)
    w = np.where(present, weights, 0.0)
    need = max(1, int(np.ceil(round(len(cols) * 2 / 3, 9))))
    wsum = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.where(present.sum(axis=1) >= need, np.nansum(block * w, axis=1) / wsum, np.nan)
    return pd.Series(index, index=scores.index, name="readiness")
