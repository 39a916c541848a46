"""Score a response table: respondents, partnerships, ICC, and the ``scores.json`` summary."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, InsufficientDataError
from ..instrument.model import Instrument
from ..stats.agreement import rwg_j_by_group
from ..stats.icc import icc_nested, respondents_needed
from .groups import GroupIndex, band_uncertain, group_describe, group_index, modal_choice
from .profile import model_profile

__all__ = ["ScoreResult", "score", "agreement_class"]

_RESERVED = ("respondent_id", "partnership", "source_row")


@dataclass(frozen=True)
class ScoreResult:
    """Everything the scoring stage produces.

    Attributes
    ----------
    instrument
        The instrument used.
    responses
        The ingested table as given (raw answer codes, not reverse-keyed).
    respondents
        One row per respondent: id, partnership, respondent fields, one column per
        scale score (NaN when too few items answered) and ``readiness``.
    partnerships
        One row per partnership (sorted by name), flat columns as in ``partnerships.csv``.
    summary
        The plain-data summary written as ``scores.json``.
    """

    instrument: Instrument
    responses: pd.DataFrame
    respondents: pd.DataFrame
    partnerships: pd.DataFrame
    summary: dict[str, Any] = field(repr=False)

    @property
    def exit_code(self) -> int:
        return 1 if self.summary.get("warnings") else 0


def agreement_class(rwg: np.ndarray, strong: float, moderate: float) -> np.ndarray:
    """'strong' (≥ strong), 'moderate' (≥ moderate), 'weak' or None (LeBreton & Senter 2008)."""
    out = np.full(len(rwg), None, dtype=object)
    ok = ~np.isnan(rwg)
    out[ok] = np.where(rwg[ok] >= strong, "strong", np.where(rwg[ok] >= moderate, "moderate", "weak"))
    return out


def _num(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(float(x)) else None


def _band_ids(instrument: Instrument, values: np.ndarray) -> np.ndarray:
    """Band id for each value (None for NaN), vectorised over the sorted band minima."""
    bands = instrument.bands  # sorted high → low
    out = np.full(len(values), None, dtype=object)
    ok = ~np.isnan(values)
    assigned = np.zeros(len(values), dtype=bool)
    for b in bands:
        hit = ok & ~assigned & (values >= b.min)
        out[hit] = b.id
        assigned |= hit
    out[ok & ~assigned] = bands[-1].id
    return out


def score(
    responses: pd.DataFrame,
    instrument: Instrument,
    *,
    min_group_size: int | None = None,
) -> ScoreResult:
    """Score an ingested response table.

    Parameters
    ----------
    responses
        The table from :func:`kemitraan_assess.io.ingest` (``IngestResult.responses``):
        ``respondent_id``, ``partnership``, respondent field columns and one column per item.
    instrument
        The instrument.
    min_group_size
        Confidentiality minimum; defaults to the instrument's (5). Never below 3.

    Returns
    -------
    ScoreResult

    Notes
    -----
    Per partnership and scale: n (respondents with a scale score), mean, SD (n − 1),
    a t-based 95 % CI of the mean, and rwg(j) with a uniform null (James, Demaree &
    Wolf 1984) on the scale's items. The readiness index is the mean over respondents of
    their weighted mean of the composite's scales; its band is flagged ``band_uncertain``
    when the CI straddles a band boundary. ICC(1) and ICC(2) (Bliese 2000) use every
    usable respondent, suppressed partnerships included: suppression governs only what is
    shown about a partnership.
    """
    from .scales import readiness_scores, reverse_key, scale_scores

    d = instrument.defaults
    k_min = d.min_group_size if min_group_size is None else int(min_group_size)
    if k_min < 3:
        raise DataError(f"the confidentiality minimum cannot be below 3 (got {k_min})")
    if "partnership" not in responses.columns:
        raise DataError("the response table has no 'partnership' column", column="partnership")
    if len(responses) == 0:
        raise DataError("no usable responses to score")

    keyed = reverse_key(responses, instrument)
    sc = scale_scores(keyed, instrument)
    ready = readiness_scores(sc, instrument)
    gi = group_index(responses["partnership"])
    sizes = gi.sizes()
    suppressed = sizes < k_min

    field_cols = [f.id for f in instrument.fields if f.id in responses.columns and f.role != "comment"]
    head_cols = [c for c in _RESERVED if c in responses.columns]
    respondents = pd.concat(
        [responses[head_cols + field_cols].reset_index(drop=True), sc.reset_index(drop=True)], axis=1
    )
    respondents["readiness"] = ready.to_numpy()

    table: dict[str, Any] = {"partnership": gi.names, "n": sizes, "suppressed": suppressed}
    boundaries = [b.min for b in instrument.bands[:-1]]
    icc: dict[str, Any] = {}
    scale_stats: dict[str, dict[str, np.ndarray]] = {}
    for scale in instrument.scales:
        vals = sc[scale.id].to_numpy()
        desc = group_describe(vals, gi, ci_level=d.ci_level)
        items = keyed[[i.id for i in scale.items]].to_numpy(dtype=np.float64)
        a_opts = instrument.response_scales[scale.items[0].response].n_options
        rwg = rwg_j_by_group(items, gi.codes, a_opts, null="uniform", n_groups=gi.n_groups).value
        desc["rwg_j"] = rwg
        desc["agreement"] = agreement_class(rwg, d.agreement_strong, d.agreement_moderate)
        desc["band"] = _band_ids(instrument, desc["mean"])
        desc["band_uncertain"] = band_uncertain(desc["ci_low"], desc["ci_high"], boundaries)
        scale_stats[scale.id] = desc
        try:
            res = icc_nested(vals, gi.codes)
            needed = respondents_needed(res.icc1, d.icc2_threshold)
            icc[scale.id] = {
                "icc1": _num(res.icc1),
                "icc2": _num(res.icc2),
                "n_groups": int(res.n_groups),
                "mean_group_size": _num(res.mean_group_size),
                "respondents_needed": needed if needed is None else _num(needed),
            }
        except InsufficientDataError as exc:  # too few groups or answers
            icc[scale.id] = {"icc1": None, "icc2": None, "not_computed": str(exc)}

    rd = group_describe(ready.to_numpy(), gi, ci_level=d.ci_level)
    rd["band"] = _band_ids(instrument, rd["mean"])
    rd["band_uncertain"] = band_uncertain(rd["ci_low"], rd["ci_high"], boundaries)
    table["readiness_index"] = rd["mean"]
    table["readiness_ci_low"] = rd["ci_low"]
    table["readiness_ci_high"] = rd["ci_high"]
    table["readiness_band"] = rd["band"]
    table["readiness_band_uncertain"] = rd["band_uncertain"]

    type_field = instrument.field_by_role("type")
    if type_field is not None and type_field.id in responses.columns:
        types, type_share = modal_choice(responses[type_field.id], gi)
    else:
        types, type_share = [None] * gi.n_groups, np.full(gi.n_groups, np.nan)
    table["type"] = types
    table["type_share"] = type_share

    profile = model_profile(responses, sc, instrument, gi)
    table["model"] = profile["top"]
    table["model_margin"] = profile["margin"]
    table["model_fit"] = profile["fits"]

    for sid, desc in scale_stats.items():
        for key in ("n", "mean", "sd", "ci_low", "ci_high", "rwg_j", "agreement", "band", "band_uncertain"):
            table[f"{sid}_{key}"] = desc[key]
    partnerships = pd.DataFrame(table)
    _blank_suppressed(partnerships)

    summary = _summary(instrument, respondents, partnerships, gi, scale_stats, rd, icc, profile, k_min)
    return ScoreResult(
        instrument=instrument,
        responses=responses,
        respondents=respondents,
        partnerships=partnerships,
        summary=summary,
    )


def _blank_suppressed(frame: pd.DataFrame) -> None:
    """Suppressed partnerships keep only their name, n and the flag."""
    keep = {"partnership", "n", "suppressed"}
    mask = frame["suppressed"].to_numpy()
    if not mask.any():
        return
    for col in frame.columns:
        if col in keep:
            continue
        if frame[col].dtype == bool:
            frame[col] = frame[col].astype(object)
        if frame[col].dtype.kind in "iu":
            frame[col] = frame[col].astype("Int64")
        frame.loc[mask, col] = None


def _summary(
    instrument: Instrument,
    respondents: pd.DataFrame,
    partnerships: pd.DataFrame,
    gi: GroupIndex,
    scale_stats: dict[str, dict[str, np.ndarray]],
    rd: dict[str, np.ndarray],
    icc: dict[str, Any],
    profile: dict[str, Any],
    k_min: int,
) -> dict[str, Any]:
    d = instrument.defaults
    sizes = partnerships["n"].to_numpy()
    suppressed = partnerships["suppressed"].to_numpy()
    sector_field = instrument.field_by_role("sector")
    sector_counts: dict[int, dict[str, int]] = {}
    if sector_field is not None and sector_field.id in respondents.columns:
        sec = respondents[sector_field.id].astype("string")
        ok = sec.notna().to_numpy()
        ct = (
            pd.DataFrame({"g": gi.codes[ok], "s": sec[ok].to_numpy()})
            .groupby(["g", "s"], sort=True)
            .size()
        )
        for (g, s), k in ct.items():
            sector_counts.setdefault(int(g), {})[str(s)] = int(k)

    # Readiness percentile among shown partnerships (ties share their mid-rank).
    shown = ~suppressed & ~np.isnan(rd["mean"])
    pct = np.full(len(sizes), np.nan)
    if shown.any():
        ranks = pd.Series(rd["mean"][shown]).rank(method="average").to_numpy()
        pct[shown] = (ranks - 0.5) / shown.sum() * 100

    parts: dict[str, Any] = {}
    for g, name in enumerate(gi.names):
        if suppressed[g]:
            parts[name] = {
                "n": int(sizes[g]),
                "suppressed": True,
                "reason": f"n = {int(sizes[g])} < {k_min}",
            }
            continue
        scales = {}
        for sid, desc in scale_stats.items():
            scales[sid] = {
                "n": int(desc["n"][g]),
                "mean": _num(desc["mean"][g]),
                "sd": _num(desc["sd"][g]),
                "ci95": [_num(desc["ci_low"][g]), _num(desc["ci_high"][g])],
                "rwg_j": _num(desc["rwg_j"][g]),
                "agreement": desc["agreement"][g],
                "band": desc["band"][g],
                "band_uncertain": bool(desc["band_uncertain"][g]),
            }
        parts[name] = {
            "n": int(sizes[g]),
            "suppressed": False,
            "scales": scales,
            "readiness": {
                "index": _num(rd["mean"][g]),
                "ci95": [_num(rd["ci_low"][g]), _num(rd["ci_high"][g])],
                "band": rd["band"][g],
                "band_uncertain": bool(rd["band_uncertain"][g]),
                "percentile": _num(pct[g]),
            },
            "type": partnerships["type"].iloc[g],
            "type_share": _num(partnerships["type_share"].iloc[g]),
            "model": profile["model"][g],
            "model_fit": profile["fit"][g],
            "sectors": sector_counts.get(g, {}),
        }
    portfolio_scales = {}
    for sid, desc in scale_stats.items():
        vals = desc["mean"][shown]
        portfolio_scales[sid] = {"median": _num(np.median(vals)) if len(vals) else None}
    rvals = rd["mean"][shown]
    warnings = []
    n_sup = int(suppressed.sum())
    if n_sup:
        warnings.append(
            f"{n_sup} partnership(s) with fewer than {k_min} respondents are suppressed"
        )
    low_icc = [sid for sid, v in icc.items() if v.get("icc2") is not None and v["icc2"] < d.icc2_threshold]
    return {
        "instrument": {"id": instrument.id, "version": instrument.version},
        "settings": {
            "min_group_size": k_min,
            "ci_level": d.ci_level,
            "agreement_strong": d.agreement_strong,
            "agreement_moderate": d.agreement_moderate,
            "icc2_threshold": d.icc2_threshold,
            "null": "uniform",
            "rwg_missing": "listwise",
            "min_answered": {s.id: instrument.min_answered_count(s) for s in instrument.scales},
            "readiness_scales": list(instrument.readiness_composite.scales),
        },
        "n_respondents": int(len(respondents)),
        "n_partnerships": int(len(gi.names)),
        "n_suppressed": n_sup,
        "partnerships": parts,
        "icc": icc,
        "icc2_below_threshold": low_icc,
        "portfolio": {
            "readiness": {"median": _num(np.median(rvals)) if len(rvals) else None, "n": int(len(rvals))},
            "scales": portfolio_scales,
        },
        "warnings": warnings,
    }
