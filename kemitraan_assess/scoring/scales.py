"""Respondent-level scoring: reverse-keying, scale scores, the readiness composite."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError
from ..instrument.model import Instrument

__all__ = ["reverse_key", "scale_scores", "readiness_scores", "item_matrix"]


def item_matrix(responses: pd.DataFrame, instrument: Instrument, item_ids: list[str]) -> np.ndarray:
    """The raw answers of ``item_ids`` as a float64 array (n_respondents, n_items).

    Raises
    ------
    DataError
        when an item column is missing from ``responses``.
    """
    missing = [i for i in item_ids if i not in responses.columns]
    if missing:
        raise DataError(
            f"the response table has no column for item(s) {', '.join(missing)} "
            f"of instrument '{instrument.id}'",
            column=missing[0],
        )
    return responses[item_ids].to_numpy(dtype=np.float64, na_value=np.nan, copy=True)


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
    ids = list(instrument.items)
    values = item_matrix(responses, instrument, ids)
    offsets = np.array(
        [
            (rs.min + rs.max) if instrument.items[i].reverse else np.nan
            for i in ids
            for rs in [instrument.response_scale(i)]
        ]
    )
    rev = ~np.isnan(offsets)
    if rev.any():
        values[:, rev] = offsets[rev] - values[:, rev]
    return pd.DataFrame(values, columns=ids, index=responses.index)


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
        cols = [item.id for item in scale.items]
        block = keyed[cols].to_numpy(dtype=np.float64)
        answered = np.count_nonzero(~np.isnan(block), axis=1)
        total = np.nansum(block, axis=1)
        need = instrument.min_answered_count(scale)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(answered >= need, total / np.maximum(answered, 1), np.nan)
        out[scale.id] = score
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
