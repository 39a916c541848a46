"""Partnership model profile and model fit.

The model scales (kind ``model``) describe how a partnership works; the model whose
scale has the highest partnership mean is the one its answers point to. The fields with
role ``goals``, ``resources`` and ``context`` describe the three things the choice of a
model depends on; each answer lists the models it suits (``suits``) and why
(``reason``). The models suggested by a partnership's modal answers are ranked by how
many of the three point to them; the working model *fits* when it is among the
top-ranked suggestions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..instrument.model import Instrument
from .groups import GroupIndex, group_describe, modal_choice

__all__ = ["model_profile", "FIT_ROLES", "CLEAR_MARGIN"]

FIT_ROLES = ("goals", "resources", "context")
CLEAR_MARGIN = 0.25
"""A model is 'clear' when its mean leads the runner-up by at least a quarter point."""


def model_profile(
    responses: pd.DataFrame, scores: pd.DataFrame, instrument: Instrument, gi: GroupIndex
) -> dict[str, Any]:
    """Per partnership: model scores, the leading model, and whether it fits.

    Returns a dict of per-group columns: ``model_ids`` (the model scales' models),
    ``means`` (float array, groups x models), ``top`` and ``runner_up`` (model id or
    None), ``margin`` (float array), ``clear`` (bool array), ``fits`` (True/False/None)
    and ``fit`` (plain dicts for ``scores.json``: suggested models and the reasons).
    """
    g = gi.n_groups
    mscales = [s for s in instrument.scales if s.kind == "model" and s.model]
    model_ids = [str(s.model) for s in mscales]
    means = np.full((g, len(mscales)), np.nan)
    for j, s in enumerate(mscales):
        means[:, j] = group_describe(scores[s.id].to_numpy(), gi)["mean"]

    top: list[str | None] = [None] * g
    runner: list[str | None] = [None] * g
    margin = np.full(g, np.nan)
    if mscales:
        filled = np.where(np.isnan(means), -np.inf, means)
        order = np.argsort(-filled, axis=1, kind="stable")
        has = ~np.isnan(means).all(axis=1)
        first = filled[np.arange(g), order[:, 0]]
        second = filled[np.arange(g), order[:, 1]] if len(mscales) > 1 else np.full(g, -np.inf)
        # subtract only where both are finite (a partnership with no model answers has -inf
        # in both places, whose difference would warn)
        ok = has & np.isfinite(second)
        margin = np.subtract(first, second, out=np.full(g, np.nan), where=ok)
        ids = np.array(model_ids, dtype=object)
        top_arr = ids[order[:, 0]]
        top_arr[~has] = None
        top = top_arr.tolist()
        if len(mscales) > 1:
            runner_arr = ids[order[:, 1]]
            runner_arr[~(has & np.isfinite(second))] = None
            runner = runner_arr.tolist()
    with np.errstate(invalid="ignore"):
        clear = ~np.isnan(margin) & (margin >= CLEAR_MARGIN)

    # the three factors a model choice depends on
    factors = []
    for role in FIT_ROLES:
        fld = instrument.field_by_role(role)
        if fld is None or fld.id not in responses.columns:
            continue
        modes, share = modal_choice(responses[fld.id], gi)
        suits = {c.code: list(c.suits) for c in fld.choices}
        factors.append((fld.id, modes, share, suits))

    all_models = [m.id for m in instrument.models] or model_ids
    votes = np.zeros((g, len(all_models)), dtype=np.int64)
    col = {m: j for j, m in enumerate(all_models)}
    for _, modes, _, suits in factors:
        modes_arr = np.array(modes, dtype=object)
        for code, models in suits.items():
            hit = modes_arr == code
            for m in models:
                if m in col:
                    votes[hit, col[m]] += 1

    fit_dicts: list[dict[str, Any]] = []
    fits: list[bool | None] = []
    mean_of = {m: j for j, m in enumerate(model_ids)}
    if not factors:  # nothing to weigh: the same answer for every partnership
        fits = [None] * g
        fit_dicts = [{"suggested": [], "fits": None, "reasons": []} for _ in range(g)]
    for k in range(g if factors else 0):
        reasons = [
            {
                "field": fid,
                "answer": answer,
                "share": float(share[k]),
                "suits": suits.get(answer, []),
            }
            for fid, modes, share, suits in factors
            if (answer := modes[k]) is not None
        ]
        v = votes[k]
        if not reasons or v.max() == 0:
            suggested: list[str] = []
            fit: bool | None = None
        else:

            def rank_key(m: str, v: np.ndarray = v, k: int = k) -> tuple[int, float, str]:
                j = mean_of.get(m)
                sc = means[k, j] if j is not None and not np.isnan(means[k, j]) else -np.inf
                return (-int(v[col[m]]), -sc, m)

            suggested = sorted([m for m in all_models if v[col[m]] > 0], key=rank_key)
            best = v.max()
            leader = top[k]
            fit = bool(v[col[leader]] == best) if leader is not None and leader in col else None
        fits.append(fit)
        fit_dicts.append({"suggested": suggested, "fits": fit, "reasons": reasons})
    return {
        "model_ids": model_ids,
        "means": means,
        "top": top,
        "runner_up": runner,
        "margin": margin,
        "clear": clear,
        "fits": fits,
        "fit": fit_dicts,
    }
