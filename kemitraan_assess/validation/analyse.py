"""The psychometric validation of an instrument on a sample: every statistic in one dict.

The dict is what ``kemitraan-assess reliability --format json`` prints (the contract in
DESIGN.md, extended). Items are reverse-keyed before analysis and missing data are
handled pairwise by default, as R's psych does. Sample-level statistics use every usable
respondent, including those in partnerships too small to be shown.

The responses are read once (:func:`kemitraan_assess.stats.item_moments`, with the
instrument's scales declared): the pairwise sums of every item, the scale scores and the
answer counts. Each statistic is then called on the moments of its items
(``moments.subset(items)``), with the numbers and errors of calling it on those columns;
with ``missing="listwise"`` a subset drops the rows missing any of its items.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InsufficientDataError, KemitraanError
from ..instrument.model import Instrument
from ..scoring.groups import GroupIndex
from ..scoring.scales import item_matrix, scale_score
from ..stats.agreement import rwg_j_by_group
from ..stats.arrays import single_threaded_blas
from ..stats.confirmatory import CFAResult, cfa
from ..stats.exploratory import efa
from ..stats.factor import (
    CorrelationInput,
    bartlett_sphericity,
    correlation_input,
    kmo,
    parallel_analysis,
)
from ..stats.icc import icc_nested, respondents_needed
from ..stats.items import ItemAnalysis, item_analysis
from ..stats.keys import NegativeItemWarning
from ..stats.moments import ItemMoments, item_moments
from ..stats.omegas import OmegaTotalResult, omega, omega_total_1f
from ..stats.reliability import AlphaResult, cronbach_alpha
from ..stats.results import finite_or_none, to_jsonable
from ..stats.splithalf import SplitHalfResult, split_half
from ._plan import NO_GROUPS, Plan, ValidationWarning, make_plan

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


def structure_scales(instrument: Instrument) -> list[str]:
    """Scales whose items enter the factor analyses: success factors and benefits
    (all scales when the instrument has no kinds)."""
    chosen = [s.id for s in instrument.scales if s.kind in ("success_factor", "benefit")]
    return chosen or [s.id for s in instrument.scales]


def _not_computed(exc: Exception) -> dict[str, Any]:
    return {"not_computed": str(exc)}


def _scale_block(mo: ItemMoments, seed: int) -> dict[str, Any]:
    """Reliability, item analysis, split halves and one-factor omega of one scale's items."""
    a = cronbach_alpha(mo)
    ia = item_analysis(mo)
    sh: SplitHalfResult | KemitraanError
    try:
        sh = split_half(mo, seed=seed)
    except KemitraanError as exc:
        sh = exc
    om: OmegaTotalResult | KemitraanError
    try:
        om = omega_total_1f(mo)
    except KemitraanError as exc:
        om = exc
    return _scale_dict(a, ia, sh, om)


def _scale_dict(a: AlphaResult, ia: ItemAnalysis, sh: SplitHalfResult | KemitraanError, om: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "n_items": int(a.n_items),
        "n": int(a.n),
        "alpha": {
            "raw": finite_or_none(a.raw),
            "standardized": finite_or_none(a.standardized),
            "ci95": [finite_or_none(v) for v in a.ci],
            "ci_method": "feldt",
            "ci95_duhachek": [finite_or_none(v) for v in a.ci_duhachek],
        },
        "guttman_lambda6": finite_or_none(a.guttman_lambda6),
        "average_r": finite_or_none(a.average_r),
    }
    if isinstance(sh, KemitraanError):
        out["split_half"] = _not_computed(sh)
    else:
        out["split_half"] = {"max": finite_or_none(sh.max), "min": finite_or_none(sh.min), "mean": finite_or_none(sh.mean), "method": sh.method}
    if isinstance(om, KemitraanError):
        out["omega_total"] = None
        out["omega_method"] = _not_computed(om)["not_computed"]
    else:
        out["omega_total"] = finite_or_none(om.omega_total)
        out["omega_method"] = om.method
    frame = ia.to_frame()
    out["items"] = {
        str(item): {k: to_jsonable(v) for k, v in row.items()} for item, row in frame.to_dict("index").items()
    }
    freq = ia.response_frame()  # psych's response.freq: share of each answer and of missing
    if freq is not None:
        for item, row in freq.to_dict("index").items():
            out["items"][str(item)]["response_freq"] = {str(k): to_jsonable(v) for k, v in row.items()}
    return out


def _cfa_dict(fit: CFAResult) -> dict[str, Any]:
    std = {
        f: {item: finite_or_none(fit.standardized_loadings[i, j]) for i, item in enumerate(fit.items) if item in fit.structure[f]}
        for j, f in enumerate(fit.factors)
    }
    return {
        "factors": list(fit.factors),
        "n": int(fit.n_used),
        "n_dropped": int(fit.n_dropped),
        "missing": fit.missing,
        "chi2": finite_or_none(fit.chi2),
        "df": int(fit.dof),
        "p": finite_or_none(fit.p_value),
        "cfi": finite_or_none(fit.cfi),
        "tli": finite_or_none(fit.tli),
        "rmsea": finite_or_none(fit.rmsea),
        "rmsea_ci90": [finite_or_none(v) for v in fit.rmsea_ci90],
        "srmr": finite_or_none(fit.srmr),
        "aic": finite_or_none(fit.aic),
        "bic": finite_or_none(fit.bic),
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
    min_group_size: int | None = None,
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
    min_group_size
        Partnerships with fewer respondents are left out of rwg(j) and ICC (and counted);
        None (default) keeps every partnership, as DESIGN's sample-level rule.

    Notes
    -----
    Without a ``partnership`` column (a researcher's plain item file) every sample-level
    statistic is computed and ``aggregation`` says why rwg(j) and ICC were not. An item
    without variance or with fewer than two answers is left out of the sample-level
    analyses with a warning naming it (``warnings``, ``items_left_out``), as psych::alpha
    does; an item correlating negatively with the rest of its scale is a warning too.
    """
    if missing not in ("pairwise", "listwise"):
        raise KemitraanError(f"missing must be 'pairwise' or 'listwise', not {missing!r}")
    if min_group_size is not None and (not isinstance(min_group_size, (int, np.integer)) or min_group_size < 1):
        raise KemitraanError(f"min_group_size must be a positive whole number, not {min_group_size!r}")
    item_ids = list(instrument.items)
    x = _keyed_matrix(responses, instrument, item_ids)
    plan = make_plan(x, responses, instrument, min_group_size=min_group_size)
    with single_threaded_blas(), warnings.catch_warnings():  # small matrices: threads cost more than they give
        # the analysis records its own warnings (an item against its scale) in the result
        warnings.simplefilter("ignore", NegativeItemWarning)
        # one pass; the scales as the plan analyses them, and whole (the aggregation's scores)
        declared = {f"plan:{sid}": items for sid, items in plan.scales.items() if items}
        if plan.dropped:
            declared.update({f"whole:{s.id}": [i.id for i in s.items] for s in instrument.scales})
        mo = item_moments(x, names=item_ids, scales=declared, nan_policy="listwise" if missing == "listwise" else "pairwise")
        return to_jsonable(_validate(mo, x, plan, instrument, missing, seed, n_iter))


def _keyed_matrix(responses: pd.DataFrame, instrument: Instrument, item_ids: list[str]) -> np.ndarray:
    """The reverse-keyed items as :func:`~kemitraan_assess.scoring.reverse_key` makes them,
    as one float64 array, column-major when pandas holds the items that way (read-only
    when nothing is reversed: then it may share the table's memory)."""
    if any(i not in responses.columns for i in item_ids):
        item_matrix(responses, instrument, item_ids)  # raises the DataError naming the column
    src = responses[item_ids].to_numpy(dtype=np.float64, na_value=np.nan)  # a view when it can be
    offsets = np.array(
        [
            (rs.min + rs.max) if instrument.items[i].reverse else np.nan
            for i in item_ids
            for rs in [instrument.response_scale(i)]
        ]
    )
    rev = ~np.isnan(offsets)
    if not rev.any():  # nothing to recode: read the table's own memory, never write to it
        x = src.view()
        x.setflags(write=False)
        return x
    x = np.array(src, order="F", copy=True)
    x[:, rev] = offsets[rev] - x[:, rev]
    return x


def _validate(
    mo: ItemMoments, x: np.ndarray, plan: Plan, instrument: Instrument, missing: str, seed: int, n_iter: int
) -> dict[str, Any]:
    """The analyses, from the moments of every item (``x``: the keyed responses)."""
    gi = plan.all_groups
    n = int(x.shape[0])
    item_ids = list(instrument.items)
    result: dict[str, Any] = {
        "instrument": {"id": instrument.id, "version": instrument.version},
        "n_respondents": n,
        "missing": missing,
        "seed": seed,
        "thresholds": THRESHOLDS,
    }
    if mo.nan_policy == "pairwise":  # the answers per item and the complete rows, from the pass
        n_missing, complete_cases = mo.n - np.diag(mo.n_pairs).astype(np.int64), mo.n_complete
    else:
        n_missing, complete_cases = np.isnan(x).sum(axis=0), mo.n
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
        "complete_cases": complete_cases,
        "missing_share": {k: finite_or_none(int(v) / n) for k, v in zip(item_ids, n_missing, strict=True)},
    }

    result["items_left_out"] = dict(plan.dropped)
    result["scales"] = _scales(mo, plan, instrument, seed)
    result.update(_models(mo, plan, instrument, seed, n_iter))
    if plan.group_rows is not None:
        result["sample"]["aggregation_excluded"] = {
            "min_group_size": plan.min_group_size,
            "partnerships": plan.excluded_groups,
            "respondents": plan.excluded_respondents,
        }
    result["aggregation"] = (
        _aggregation(mo, x, plan, plan.groups, instrument) if plan.groups is not None else {"not_computed": NO_GROUPS}
    )
    result["warnings"] = [w.to_dict() for w in (*plan.warnings, *_negative_items(result["scales"]))]
    return result


def _scale_scores(mo: ItemMoments, x: np.ndarray, instrument: Instrument) -> pd.DataFrame:
    """:func:`~kemitraan_assess.scoring.scale_scores` of the whole scales (every row, as
    ``score``): from the row means of the pass (pairwise), else from the keyed matrix."""
    pos = {item: j for j, item in enumerate(instrument.items)}
    out = {}
    for scale in instrument.scales:
        items = [i.id for i in scale.items]
        least = instrument.min_answered_count(scale)
        if mo.nan_policy == "pairwise":
            mean, answered = mo.subset(items).row_means()
            mean = np.where(answered > 0, mean, 0.0)
            out[scale.id] = np.where(answered >= least, mean, np.nan)
        else:
            out[scale.id] = scale_score([x[:, pos[i]] for i in items], least)
    return pd.DataFrame(out)


def _negative_items(scales: dict[str, Any]) -> list[ValidationWarning]:
    """Items whose corrected item-total correlation (psych's r.drop) is negative after
    reverse-keying: the instrument's key is probably wrong for them, or the item does not
    belong to its scale."""
    out = []
    for sid, block in scales.items():
        for item, stats in (block["items"] if "items" in block else {}).items():
            r = stats["r_drop"]
            if r is not None and r < 0:
                out.append(ValidationWarning(
                    "negative_item",
                    f"item {item!r} correlates negatively with the rest of scale {sid!r} after "
                    f"reverse-keying (r.drop = {r:.2f}): check whether it should be reverse-keyed",
                    item=item, scale=sid, value=float(r)))
    return out


def _scales(mo: ItemMoments, plan: Plan, instrument: Instrument, seed: int) -> dict[str, Any]:
    """Reliability and item analysis of every scale, on the items the plan keeps."""
    scales_out: dict[str, Any] = {}
    for scale in instrument.scales:
        cols = plan.items(scale.id)
        left_out = [i.id for i in scale.items if i.id in plan.dropped]
        if len(cols) < 2:
            why = "a scale needs at least 2 items"
            if left_out:
                why += f" ({len(cols)} left after leaving out {', '.join(left_out)})"
            scales_out[scale.id] = {"n_items": len(cols), "not_computed": why}
        else:
            try:
                scales_out[scale.id] = _scale_block(mo.subset(cols), seed)
            except (InsufficientDataError, KemitraanError) as exc:
                scales_out[scale.id] = {"n_items": len(cols), **_not_computed(exc)}
        if left_out:
            scales_out[scale.id]["items_left_out"] = left_out
        scales_out[scale.id]["kind"] = scale.kind
    return scales_out


def _models(mo: ItemMoments, plan: Plan, instrument: Instrument, seed: int, n_iter: int) -> dict[str, Any]:
    """Structure items, factorability, parallel analysis, EFA, omega and CFA (in that order),
    on the items the plan keeps; a scale left with fewer than 2 items is not a factor."""
    struct_ids = [sid for sid in structure_scales(instrument) if len(plan.scales[sid]) >= 2]
    struct_items = [i for sid in struct_ids for i in plan.scales[sid]]
    out: dict[str, Any] = {"structure_items": struct_items}
    try:
        corr = correlation_input(mo.subset(struct_items))
        _structure(out, corr, instrument, struct_ids, seed, n_iter)
    except KemitraanError as exc:
        out.setdefault("factorability", _not_computed(exc))

    # CFA by block (success factors, benefits), with the run's missing-data policy (lavaan's
    # missing = "pairwise" by default): listwise deletion over all 49 items of an instrument
    # with ~3 % blanks would leave too few complete cases even for the whole instrument.
    blocks: dict[str, list[str]] = {}
    for sid in struct_ids:
        blocks.setdefault(instrument.scale(sid).kind, []).append(sid)
    out["cfa"] = {}
    for kind, sids in blocks.items():
        structure = {sid: plan.items(sid) for sid in sids}
        try:
            out["cfa"][kind] = _cfa_dict(cfa(mo, structure))
        except KemitraanError as exc:
            out["cfa"][kind] = _not_computed(exc)
    return out


def _structure(
    result: dict[str, Any],
    corr: CorrelationInput,
    instrument: Instrument,
    struct_ids: list[str],
    seed: int,
    n_iter: int,
) -> None:
    """Factorability, parallel analysis, EFA and omega of the structure items."""
    rmat = pd.DataFrame(corr.r, index=list(corr.items), columns=list(corr.items))
    k = kmo(rmat)
    b = bartlett_sphericity(rmat, n=corr.n_obs)
    result["factorability"] = {
        "kmo": finite_or_none(k.msa),
        "kmo_items": {str(key): finite_or_none(v) for key, v in k.msa_items.items()},
        "bartlett": {"chi2": finite_or_none(b.chi2), "df": int(b.df), "p": finite_or_none(b.p)},
        "n": int(corr.n_obs) if corr.n_obs is not None else None,
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
            item: {f: finite_or_none(fa.loadings[i, j]) for j, f in enumerate(fa.factors)} for i, item in enumerate(fa.items)
        },
        "phi": to_jsonable(fa.phi),
        "communalities": {item: finite_or_none(fa.communalities[i]) for i, item in enumerate(fa.items)},
        "fit": {"rmsea": finite_or_none(fa.rmsea), "tli": finite_or_none(fa.tli), "bic": finite_or_none(fa.bic), "rms": finite_or_none(fa.rms)},
    }
    n_sf = len([sid for sid in struct_ids if instrument.scale(sid).kind == "success_factor"])
    om = omega(rmat, n_factors=n_sf if n_sf >= 3 else 3, n_obs=corr.n_obs)
    result["omega"] = {
        "omega_h": finite_or_none(om.omega_h),
        "omega_total": finite_or_none(om.omega_total),
        "n_factors": om.n_factors,
        "heywood": bool(om.heywood),
        "method": om.method,
    }


def _aggregation(mo: ItemMoments, x: np.ndarray, plan: Plan, gi: GroupIndex, instrument: Instrument) -> dict[str, Any]:
    """ICC(1), ICC(2) and the rwg(j) distribution of every scale across partnerships (the
    instrument's whole scales, as ``score``; partnerships below ``min_group_size`` left out)."""
    agg: dict[str, Any] = {}
    pos = {item: j for j, item in enumerate(instrument.items)}
    sc = _scale_scores(mo, x, instrument)
    if plan.group_rows is not None:
        sc, x = sc[plan.group_rows], x[plan.group_rows]
    for scale in instrument.scales:
        vals = sc[scale.id].to_numpy()
        entry: dict[str, Any] = {}
        try:
            r = icc_nested(vals, gi.codes)
            entry.update(
                {
                    "icc1": finite_or_none(r.icc1),
                    "icc2": finite_or_none(r.icc2),
                    "F": finite_or_none(r.F),
                    "p": finite_or_none(r.p),
                    "mean_group_size": finite_or_none(r.mean_group_size),
                    "respondents_needed": finite_or_none(respondents_needed(r.icc1, instrument.defaults.icc2_threshold)),
                }
            )
        except KemitraanError as exc:
            entry.update(_not_computed(exc))
        idx = np.array([pos[i.id] for i in scale.items], dtype=np.intp)
        consecutive = bool(np.array_equal(idx, np.arange(idx[0], idx[0] + idx.size)))
        cols = slice(int(idx[0]), int(idx[0]) + idx.size) if consecutive else idx  # a view if consecutive
        a_opts = instrument.response_scales[scale.items[0].response].n_options
        rwg = rwg_j_by_group(x[:, cols], gi.codes, a_opts, n_groups=gi.n_groups).value
        rwg = rwg[~np.isnan(rwg)]
        entry["rwg_j"] = {
            "n_partnerships": int(len(rwg)),
            "median": finite_or_none(np.median(rwg)) if len(rwg) else None,
            "quartiles": [finite_or_none(np.quantile(rwg, q)) for q in (0.25, 0.75)] if len(rwg) else None,
            "share_strong": finite_or_none((rwg >= instrument.defaults.agreement_strong).mean()) if len(rwg) else None,
            "share_weak": finite_or_none((rwg < instrument.defaults.agreement_moderate).mean()) if len(rwg) else None,
            "histogram": np.histogram(rwg, bins=10, range=(0.0, 1.0))[0].tolist() if len(rwg) else [],
        }
        agg[scale.id] = entry
    return agg
