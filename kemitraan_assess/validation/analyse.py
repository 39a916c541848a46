"""The psychometric validation of an instrument on a sample: every statistic in one dict.

The dict is what ``kemitraan-assess reliability --format json`` prints (the contract in
DESIGN.md, extended). Items are reverse-keyed before analysis and missing data are
handled pairwise by default, as R's psych does. Sample-level statistics use every usable
respondent, including those in partnerships too small to be shown.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InsufficientDataError, KemitraanError
from ..instrument.model import Instrument
from ..scoring.groups import group_index
from ..scoring.scales import reverse_key, scale_scores
from ..stats._result import to_jsonable
from ..stats.agreement import rwg_j_by_group
from ..stats.cfa import cfa
from ..stats.efa import efa
from ..stats.factor import bartlett_sphericity, correlation_input, kmo, parallel_analysis
from ..stats.icc import icc_nested, respondents_needed
from ..stats.omega import omega, omega_total_1f
from ..stats.items import item_analysis
from ..stats.reliability import cronbach_alpha
from ..stats.splithalf import split_half

__all__ = ["validate", "structure_scales", "THRESHOLDS"]

THRESHOLDS: dict[str, dict[str, Any]] = {
    "alpha": {"value": 0.70, "source": "Nunnally & Bernstein (1994), Psychometric Theory, 3rd ed."},
    "omega": {"value": 0.70, "source": "McDonald (1999); Revelle & Condon (2019)"},
    "r_drop": {"value": 0.30, "source": "Nunnally & Bernstein (1994); Field (2013)"},
    "kmo": {"value": 0.60, "source": "Kaiser (1974): ≥ .60 mediocre, ≥ .70 middling, ≥ .80 meritorious"},
    "cfi": {"value": 0.95, "source": "Hu & Bentler (1999)"},
    "tli": {"value": 0.95, "source": "Hu & Bentler (1999)"},
    "rmsea": {"value": 0.06, "source": "Hu & Bentler (1999)"},
    "srmr": {"value": 0.08, "source": "Hu & Bentler (1999)"},
    "rwg_j": {"value": 0.70, "source": "LeBreton & Senter (2008)"},
    "icc2": {"value": 0.70, "source": "Bliese (2000); LeBreton & Senter (2008)"},
}


def _num(x: Any) -> float | None:
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def structure_scales(instrument: Instrument) -> list[str]:
    """Scales whose items enter the factor analyses: success factors and benefits
    (all scales when the instrument has no kinds)."""
    chosen = [s.id for s in instrument.scales if s.kind in ("success_factor", "benefit")]
    return chosen or [s.id for s in instrument.scales]


def _not_computed(exc: Exception) -> dict[str, Any]:
    return {"not_computed": str(exc)}


def _scale_block(items: pd.DataFrame, missing: str, seed: int) -> dict[str, Any]:
    a = cronbach_alpha(items, nan_policy=missing)
    ia = item_analysis(items, nan_policy=missing)
    out: dict[str, Any] = {
        "n_items": int(items.shape[1]),
        "n": int(a.n),
        "alpha": {
            "raw": _num(a.raw),
            "standardized": _num(a.standardized),
            "ci95": [_num(v) for v in a.ci],
            "ci_method": "feldt",
            "ci95_duhachek": [_num(v) for v in a.ci_duhachek],
        },
        "guttman_lambda6": _num(a.guttman_lambda6),
        "average_r": _num(a.average_r),
    }
    try:
        sh = split_half(items, nan_policy=missing, seed=seed)
        out["split_half"] = {"max": _num(sh.max), "min": _num(sh.min), "mean": _num(sh.mean), "method": sh.method}
    except KemitraanError as exc:
        out["split_half"] = _not_computed(exc)
    try:
        om = omega_total_1f(items, nan_policy=missing)
        out["omega_total"] = _num(om.omega_total)
        out["omega_method"] = om.method
    except KemitraanError as exc:
        out["omega_total"] = None
        out["omega_method"] = _not_computed(exc)["not_computed"]
    frame = ia.to_frame()
    out["items"] = {
        str(item): {k: to_jsonable(v) for k, v in row.items()} for item, row in frame.to_dict("index").items()
    }
    return out


def _cfa_block(keyed: pd.DataFrame, structure: dict[str, list[str]]) -> dict[str, Any]:
    fit = cfa(keyed, structure)
    std = {
        f: {item: _num(fit.standardized_loadings[i, j]) for i, item in enumerate(fit.items) if item in fit.structure[f]}
        for j, f in enumerate(fit.factors)
    }
    return {
        "factors": list(fit.factors),
        "n": int(fit.n_used),
        "n_dropped": int(fit.n_dropped),
        "chi2": _num(fit.chi2),
        "df": int(fit.dof),
        "p": _num(fit.p_value),
        "cfi": _num(fit.cfi),
        "tli": _num(fit.tli),
        "rmsea": _num(fit.rmsea),
        "rmsea_ci90": [_num(v) for v in fit.rmsea_ci90],
        "srmr": _num(fit.srmr),
        "aic": _num(fit.aic),
        "bic": _num(fit.bic),
        "converged": bool(fit.converged),
        "heywood": bool(fit.heywood),
        "warnings": list(fit.warnings),
        "method": fit.method,
        "std_loadings": std,
    }


def validate(
    responses: pd.DataFrame,
    instrument: Instrument,
    *,
    missing: str = "pairwise",
    seed: int = 0,
    n_iter: int = 100,
) -> dict[str, Any]:
    """All the psychometrics of ``instrument`` on ``responses``, as plain JSON data.

    Parameters
    ----------
    responses
        The ingested table (raw answer codes; reverse-keying happens here).
    instrument
        The instrument.
    missing
        "pairwise" (psych's default) or "listwise".
    seed
        Seed for parallel analysis and sampled split-halves.
    n_iter
        Parallel-analysis iterations.
    """
    if missing not in ("pairwise", "listwise"):
        raise KemitraanError(f"missing must be 'pairwise' or 'listwise', not {missing!r}")
    keyed = reverse_key(responses, instrument)
    n = int(len(keyed))
    result: dict[str, Any] = {
        "instrument": {"id": instrument.id, "version": instrument.version},
        "n_respondents": n,
        "missing": missing,
        "seed": seed,
        "thresholds": THRESHOLDS,
    }
    gi = group_index(responses["partnership"]) if "partnership" in responses.columns else None
    item_ids = list(instrument.items)
    miss = keyed[item_ids].isna().mean()
    result["sample"] = {
        "n_partnerships": gi.n_groups if gi else None,
        "group_size": (
            {
                "min": int(gi.sizes().min()),
                "median": float(np.median(gi.sizes())),
                "max": int(gi.sizes().max()),
            }
            if gi
            else None
        ),
        "complete_cases": int((~keyed[item_ids].isna().any(axis=1)).sum()),
        "missing_share": {k: _num(v) for k, v in miss.items()},
    }

    scales_out: dict[str, Any] = {}
    for scale in instrument.scales:
        cols = [i.id for i in scale.items]
        if len(cols) < 2:
            scales_out[scale.id] = {"n_items": len(cols), "not_computed": "a scale needs at least 2 items"}
            continue
        try:
            scales_out[scale.id] = _scale_block(keyed[cols], missing, seed)
        except (InsufficientDataError, KemitraanError) as exc:
            scales_out[scale.id] = {"n_items": len(cols), **_not_computed(exc)}
        scales_out[scale.id]["kind"] = scale.kind
    result["scales"] = scales_out

    struct_ids = structure_scales(instrument)
    struct_items = [i.id for sid in struct_ids for i in instrument.scale(sid).items]
    result["structure_items"] = struct_items
    try:
        corr = correlation_input(keyed[struct_items], nan_policy=missing)
        rmat = pd.DataFrame(corr.r, index=list(corr.items), columns=list(corr.items))
        k = kmo(rmat)
        b = bartlett_sphericity(rmat, n=corr.n_obs)
        result["factorability"] = {
            "kmo": _num(k.msa),
            "kmo_items": {str(key): _num(v) for key, v in k.msa_items.items()},
            "bartlett": {"chi2": _num(b.chi2), "df": int(b.df), "p": _num(b.p)},
            "n": int(corr.n_obs),
        }
        pa = parallel_analysis(rmat, n_obs=corr.n_obs, n_iter=n_iter, seed=seed)
        result["parallel_analysis"] = {
            "n_factors": pa.n_factors,
            "n_components": pa.n_components,
            "fa_values": to_jsonable(pa.fa_values),
            "fa_sim_quantile": to_jsonable(pa.fa_sim_quantile),
            "pc_values": to_jsonable(pa.pc_values),
            "pc_sim_quantile": to_jsonable(pa.pc_sim_quantile),
            "n_iter": n_iter,
            "method": pa.method,
        }
        n_fac = len(struct_ids)
        fa = efa(rmat, n_fac, n_obs=corr.n_obs)
        result["efa"] = {
            "n_factors": n_fac,
            "method": fa.method,
            "loadings": {
                item: {f: _num(fa.loadings[i, j]) for j, f in enumerate(fa.factors)}
                for i, item in enumerate(fa.items)
            },
            "phi": to_jsonable(fa.phi),
            "communalities": {item: _num(fa.communalities[i]) for i, item in enumerate(fa.items)},
            "fit": {"rmsea": _num(fa.rmsea), "tli": _num(fa.tli), "bic": _num(fa.bic), "rms": _num(fa.rms)},
        }
        n_sf = len([sid for sid in struct_ids if instrument.scale(sid).kind == "success_factor"])
        om = omega(rmat, n_factors=n_sf if n_sf >= 3 else 3, n_obs=corr.n_obs)
        result["omega"] = {
            "omega_h": _num(om.omega_h),
            "omega_total": _num(om.omega_total),
            "n_factors": om.n_factors,
            "heywood": bool(om.heywood),
            "method": om.method,
        }
    except KemitraanError as exc:
        result.setdefault("factorability", _not_computed(exc))

    # CFA by block (success factors, benefits): listwise deletion over all 49 items of an
    # instrument with ~3 % blanks would leave too few complete cases.
    blocks: dict[str, list[str]] = {}
    for sid in struct_ids:
        blocks.setdefault(instrument.scale(sid).kind, []).append(sid)
    result["cfa"] = {}
    for kind, sids in blocks.items():
        try:
            result["cfa"][kind] = _cfa_block(keyed, {sid: [i.id for i in instrument.scale(sid).items] for sid in sids})
        except KemitraanError as exc:
            result["cfa"][kind] = _not_computed(exc)

    agg: dict[str, Any] = {}
    if gi is not None:
        sc = scale_scores(keyed, instrument)
        for scale in instrument.scales:
            vals = sc[scale.id].to_numpy()
            entry: dict[str, Any] = {}
            try:
                r = icc_nested(vals, gi.codes)
                entry.update(
                    {
                        "icc1": _num(r.icc1),
                        "icc2": _num(r.icc2),
                        "F": _num(r.F),
                        "p": _num(r.p),
                        "mean_group_size": _num(r.mean_group_size),
                        "respondents_needed": _num(respondents_needed(r.icc1, instrument.defaults.icc2_threshold)),
                    }
                )
            except KemitraanError as exc:
                entry.update(_not_computed(exc))
            cols = [i.id for i in scale.items]
            a_opts = instrument.response_scales[scale.items[0].response].n_options
            rwg = rwg_j_by_group(keyed[cols].to_numpy(dtype=np.float64), gi.codes, a_opts, n_groups=gi.n_groups).value
            rwg = rwg[~np.isnan(rwg)]
            entry["rwg_j"] = {
                "n_partnerships": int(len(rwg)),
                "median": _num(np.median(rwg)) if len(rwg) else None,
                "quartiles": [_num(np.quantile(rwg, q)) for q in (0.25, 0.75)] if len(rwg) else None,
                "share_strong": _num((rwg >= instrument.defaults.agreement_strong).mean()) if len(rwg) else None,
                "share_weak": _num((rwg < instrument.defaults.agreement_moderate).mean()) if len(rwg) else None,
                "histogram": np.histogram(rwg, bins=10, range=(0.0, 1.0))[0].tolist() if len(rwg) else [],
            }
            agg[scale.id] = entry
    result["aggregation"] = agg
    return to_jsonable(result)
