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

import dataclasses
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InsufficientDataError, KemitraanError
from ..instrument.model import Instrument, Scale
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
from ..stats.omegas import omega, omega_total_1f
from ..stats.reliability import cronbach_alpha
from ..stats.results import finite_or_none, to_jsonable
from ..stats.splithalf import split_half
from ._plan import NO_GROUPS, Plan, ValidationWarning, make_plan
from .sections import (
    AggregationExcluded,
    AlphaSummary,
    Bartlett,
    CFASummary,
    EFAFit,
    EFASummary,
    Factorability,
    GroupSize,
    ItemStats,
    NotComputed,
    OmegaSummary,
    ParallelSummary,
    RwgSummary,
    Sample,
    ScaleAggregation,
    ScaleResult,
    SplitHalfSummary,
    Structure,
    ValidationResult,
)

__all__ = ["validate", "structure_scales", "THRESHOLDS"]

THRESHOLDS: dict[str, dict[str, Any]] = {
    "alpha": {"value": 0.70, "source": "Nunnally & Bernstein (1994), Psychometric Theory, 3rd ed."},
    "omega": {"value": 0.70, "source": "McDonald (1999); Revelle & Condon (2019)"},
    "r_drop": {"value": 0.30, "source": "Nunnally & Bernstein (1994); Field (2013)"},
    "kmo": {
        "value": 0.60,
        "source": "Kaiser (1974): ≥ .60 mediocre, ≥ .70 middling, ≥ .80 meritorious",
    },
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


def _not_computed(exc: Exception) -> NotComputed:
    return NotComputed(str(exc))


def _scale_block(scale: Scale, mo: ItemMoments, seed: int) -> ScaleResult:
    """Reliability, item analysis, split halves and one-factor omega of one scale's items."""
    a = cronbach_alpha(mo)
    ia = item_analysis(mo)
    split: SplitHalfSummary | NotComputed
    try:
        sh = split_half(mo, seed=seed)
        split = SplitHalfSummary(
            max=finite_or_none(sh.max),
            min=finite_or_none(sh.min),
            mean=finite_or_none(sh.mean),
            method=sh.method,
        )
    except KemitraanError as exc:
        split = _not_computed(exc)
    try:
        om = omega_total_1f(mo)
        omega_total, omega_method = finite_or_none(om.omega_total), om.method
    except KemitraanError as exc:
        omega_total, omega_method = None, str(exc)
    return ScaleResult(
        scale=scale.id,
        kind=scale.kind,
        n_items=int(a.n_items),
        n=int(a.n),
        alpha_summary=AlphaSummary(
            raw=finite_or_none(a.raw),
            standardized=finite_or_none(a.standardized),
            ci95=(finite_or_none(a.ci[0]), finite_or_none(a.ci[1])),
            ci_method="feldt",
            ci95_duhachek=(finite_or_none(a.ci_duhachek[0]), finite_or_none(a.ci_duhachek[1])),
        ),
        guttman_lambda6=finite_or_none(a.guttman_lambda6),
        average_r=finite_or_none(a.average_r),
        split_half=split,
        omega_total=omega_total,
        omega_method=omega_method,
        items=_item_stats(ia),
    )


def _item_stats(ia: ItemAnalysis) -> dict[str, ItemStats]:
    """psych::alpha's item table, and psych's response.freq (share of each answer and of
    missing), one typed row per item."""
    freq = ia.response_frame()
    freqs = (
        {}
        if freq is None
        else {
            str(item): {str(k): to_jsonable(v) for k, v in row.items()}
            for item, row in freq.to_dict("index").items()
        }
    )
    return {
        str(item): ItemStats(
            **{k: to_jsonable(v) for k, v in row.items()}, response_freq=freqs.get(str(item))
        )
        for item, row in ia.to_frame().to_dict("index").items()
    }


def _cfa_summary(fit: CFAResult) -> CFASummary:
    std = {
        f: {
            item: finite_or_none(fit.standardized_loadings[i, j])
            for i, item in enumerate(fit.items)
            if item in fit.structure[f]
        }
        for j, f in enumerate(fit.factors)
    }
    return CFASummary(
        factors=tuple(fit.factors),
        n=int(fit.n_used),
        n_dropped=int(fit.n_dropped),
        missing=fit.missing,
        chi2=finite_or_none(fit.chi2),
        df=int(fit.dof),
        p=finite_or_none(fit.p_value),
        cfi=finite_or_none(fit.cfi),
        tli=finite_or_none(fit.tli),
        rmsea=finite_or_none(fit.rmsea),
        rmsea_ci90=(finite_or_none(fit.rmsea_ci90[0]), finite_or_none(fit.rmsea_ci90[1])),
        srmr=finite_or_none(fit.srmr),
        aic=finite_or_none(fit.aic),
        bic=finite_or_none(fit.bic),
        converged=bool(fit.converged),
        heywood=bool(fit.heywood),
        warnings=tuple(fit.warnings),
        method=fit.method,
        std_loadings=std,
    )


def validate(
    responses: pd.DataFrame,
    instrument: Instrument,
    *,
    missing: str = "pairwise",
    seed: int = 0,
    n_iter: int = 100,
    min_group_size: int | None = None,
) -> ValidationResult:
    """All the psychometrics of ``instrument`` on ``responses``, as a typed result whose
    ``to_dict()`` is the JSON of ``kemitraan-assess reliability --format json``.

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
    if min_group_size is not None and (
        not isinstance(min_group_size, (int, np.integer)) or min_group_size < 1
    ):
        raise KemitraanError(
            f"min_group_size must be a positive whole number, not {min_group_size!r}"
        )
    item_ids = list(instrument.items)
    x = _keyed_matrix(responses, instrument, item_ids)
    plan = make_plan(x, responses, instrument, min_group_size=min_group_size)
    with (
        single_threaded_blas(),
        warnings.catch_warnings(),
    ):  # small matrices: threads cost more than they give
        # the analysis records its own warnings (an item against its scale) in the result
        warnings.simplefilter("ignore", NegativeItemWarning)
        # one pass; the scales as the plan analyses them, and whole (the aggregation's scores)
        declared: dict[str, tuple[str, ...]] = {
            f"plan:{sid}": tuple(items) for sid, items in plan.scales.items() if items
        }
        if plan.dropped:
            declared.update(
                {f"whole:{s.id}": tuple(i.id for i in s.items) for s in instrument.scales}
            )
        mo = item_moments(
            x,
            names=item_ids,
            scales=declared,
            nan_policy="listwise" if missing == "listwise" else "pairwise",
        )
        return _validate(mo, x, plan, instrument, missing, seed, n_iter)


def _keyed_matrix(
    responses: pd.DataFrame, instrument: Instrument, item_ids: list[str]
) -> np.ndarray:
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
    mo: ItemMoments,
    x: np.ndarray,
    plan: Plan,
    instrument: Instrument,
    missing: str,
    seed: int,
    n_iter: int,
) -> ValidationResult:
    """The analyses, from the moments of every item (``x``: the keyed responses)."""
    gi = plan.all_groups
    n = int(x.shape[0])
    item_ids = list(instrument.items)
    if mo.nan_policy == "pairwise":  # the answers per item and the complete rows, from the pass
        n_missing, complete_cases = mo.n - np.diag(mo.n_pairs).astype(np.int64), mo.n_complete
    else:
        n_missing, complete_cases = np.isnan(x).sum(axis=0), mo.n
    sizes = gi.sizes() if gi else None
    sample = Sample(
        n_partnerships=gi.n_groups if gi else None,
        group_size=(
            GroupSize(min=int(sizes.min()), median=float(np.median(sizes)), max=int(sizes.max()))
            if sizes is not None
            else None
        ),
        complete_cases=int(complete_cases),
        missing_share={
            k: finite_or_none(int(v) / n) for k, v in zip(item_ids, n_missing, strict=True)
        },
        aggregation_excluded=(
            AggregationExcluded(
                min_group_size=plan.min_group_size,
                partnerships=plan.excluded_groups,
                respondents=plan.excluded_respondents,
            )
            if plan.group_rows is not None
            else None
        ),
    )
    scales = _scales(mo, plan, instrument, seed)
    structure = _models(mo, plan, instrument, seed, n_iter)
    aggregation = (
        _aggregation(mo, x, plan, plan.groups, instrument)
        if plan.groups is not None
        else NotComputed(NO_GROUPS)
    )
    return ValidationResult(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        n_respondents=n,
        missing=missing,
        seed=seed,
        thresholds=THRESHOLDS,
        sample=sample,
        items_left_out=dict(plan.dropped),
        scales=scales,
        structure=structure,
        aggregation=aggregation,
        warnings=(*plan.warnings, *_negative_items(scales)),
    )


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


def _negative_items(scales: Mapping[str, ScaleResult]) -> list[ValidationWarning]:
    """Items whose corrected item-total correlation (psych's r.drop) is negative after
    reverse-keying: the instrument's key is probably wrong for them, or the item does not
    belong to its scale."""
    out = []
    for sid, block in scales.items():
        for item, stats in block.items.items():
            r = stats.r_drop
            if r is not None and r < 0:
                out.append(
                    ValidationWarning(
                        "negative_item",
                        f"item {item!r} correlates negatively with the rest of scale {sid!r} after "
                        f"reverse-keying (r.drop = {r:.2f}): "
                        "check whether it should be reverse-keyed",
                        item=item,
                        scale=sid,
                        value=float(r),
                    )
                )
    return out


def _scales(
    mo: ItemMoments, plan: Plan, instrument: Instrument, seed: int
) -> dict[str, ScaleResult]:
    """Reliability and item analysis of every scale, on the items the plan keeps."""
    scales_out: dict[str, ScaleResult] = {}
    for scale in instrument.scales:
        cols = plan.items(scale.id)
        left_out = tuple(i.id for i in scale.items if i.id in plan.dropped)
        if len(cols) < 2:
            why = "a scale needs at least 2 items"
            if left_out:
                why += f" ({len(cols)} left after leaving out {', '.join(left_out)})"
            res = ScaleResult(scale=scale.id, kind=scale.kind, n_items=len(cols), not_computed=why)
        else:
            try:
                res = _scale_block(scale, mo.subset(cols), seed)
            except (InsufficientDataError, KemitraanError) as exc:
                res = ScaleResult(
                    scale=scale.id, kind=scale.kind, n_items=len(cols), not_computed=str(exc)
                )
        scales_out[scale.id] = dataclasses.replace(res, items_left_out=left_out)
    return scales_out


def _models(
    mo: ItemMoments, plan: Plan, instrument: Instrument, seed: int, n_iter: int
) -> Structure:
    """Structure items, factorability, parallel analysis, EFA, omega and CFA (in that order),
    on the items the plan keeps; a scale left with fewer than 2 items is not a factor."""
    struct_ids = [sid for sid in structure_scales(instrument) if len(plan.scales[sid]) >= 2]
    struct_items = [i for sid in struct_ids for i in plan.scales[sid]]
    parts: dict[str, Any] = {}
    try:
        corr = correlation_input(mo.subset(struct_items))
        _structure(parts, corr, instrument, struct_ids, seed, n_iter)
    except KemitraanError as exc:
        parts.setdefault("factorability", _not_computed(exc))

    # CFA by block (success factors, benefits), with the run's missing-data policy (lavaan's
    # missing = "pairwise" by default): listwise deletion over all 49 items of an instrument
    # with ~3 % blanks would leave too few complete cases even for the whole instrument.
    blocks: dict[str, list[str]] = {}
    for sid in struct_ids:
        blocks.setdefault(instrument.scale(sid).kind, []).append(sid)
    fits: dict[str, CFASummary | NotComputed] = {}
    for kind, sids in blocks.items():
        structure = {sid: plan.items(sid) for sid in sids}
        try:
            fits[kind] = _cfa_summary(cfa(mo, structure))
        except KemitraanError as exc:
            fits[kind] = _not_computed(exc)
    return Structure(structure_items=tuple(struct_items), cfa=fits, **parts)


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
    result["factorability"] = Factorability(
        kmo=finite_or_none(k.msa),
        kmo_items={str(key): finite_or_none(v) for key, v in k.msa_items.items()},
        bartlett=Bartlett(chi2=finite_or_none(b.chi2), df=int(b.df), p=finite_or_none(b.p)),
        n=int(corr.n_obs) if corr.n_obs is not None else None,
    )
    pa = parallel_analysis(rmat, n_obs=corr.n_obs, n_iter=n_iter, seed=seed)
    result["parallel_analysis"] = ParallelSummary(
        n_factors=to_jsonable(pa.n_factors),
        n_components=to_jsonable(pa.n_components),
        fa_values=tuple(to_jsonable(pa.fa_values)),
        fa_sim_quantile=tuple(to_jsonable(pa.fa_sim_quantile)),
        pc_values=tuple(to_jsonable(pa.pc_values)),
        pc_sim_quantile=tuple(to_jsonable(pa.pc_sim_quantile)),
        n_iter=n_iter,
        method=pa.method,
    )
    n_fac = len(struct_ids)
    fa = efa(rmat, n_fac, n_obs=corr.n_obs)
    result["efa"] = EFASummary(
        n_factors=n_fac,
        method=fa.method,
        loadings={
            item: {f: finite_or_none(fa.loadings[i, j]) for j, f in enumerate(fa.factors)}
            for i, item in enumerate(fa.items)
        },
        phi=to_jsonable(fa.phi),
        communalities={
            item: finite_or_none(fa.communalities[i]) for i, item in enumerate(fa.items)
        },
        fit=EFAFit(
            rmsea=finite_or_none(fa.rmsea),
            tli=finite_or_none(fa.tli),
            bic=finite_or_none(fa.bic),
            rms=finite_or_none(fa.rms),
        ),
    )
    n_sf = len([sid for sid in struct_ids if instrument.scale(sid).kind == "success_factor"])
    om = omega(rmat, n_factors=n_sf if n_sf >= 3 else 3, n_obs=corr.n_obs)
    result["omega"] = OmegaSummary(
        omega_h=finite_or_none(om.omega_h),
        omega_total=finite_or_none(om.omega_total),
        n_factors=to_jsonable(om.n_factors),
        heywood=bool(om.heywood),
        method=om.method,
    )


def _aggregation(
    mo: ItemMoments, x: np.ndarray, plan: Plan, gi: GroupIndex, instrument: Instrument
) -> dict[str, ScaleAggregation]:
    """ICC(1), ICC(2) and the rwg(j) distribution of every scale across partnerships (the
    instrument's whole scales, as ``score``; partnerships below ``min_group_size`` left out)."""
    agg: dict[str, ScaleAggregation] = {}
    pos = {item: j for j, item in enumerate(instrument.items)}
    sc = _scale_scores(mo, x, instrument)
    if plan.group_rows is not None:
        sc, x = sc[plan.group_rows], x[plan.group_rows]
    for scale in instrument.scales:
        vals = sc[scale.id].to_numpy()
        icc: dict[str, Any]
        try:
            r = icc_nested(vals, gi.codes)
            icc = {
                "icc1": finite_or_none(r.icc1),
                "icc2": finite_or_none(r.icc2),
                "F": finite_or_none(r.F),
                "p": finite_or_none(r.p),
                "mean_group_size": finite_or_none(r.mean_group_size),
                "respondents_needed": finite_or_none(
                    respondents_needed(r.icc1, instrument.defaults.icc2_threshold)
                ),
            }
        except KemitraanError as exc:
            icc = dict.fromkeys(("icc1", "icc2", "F", "p", "mean_group_size", "respondents_needed"))
            icc["not_computed"] = str(exc)
        idx = np.array([pos[i.id] for i in scale.items], dtype=np.intp)
        consecutive = bool(np.array_equal(idx, np.arange(idx[0], idx[0] + idx.size)))
        cols = (
            slice(int(idx[0]), int(idx[0]) + idx.size) if consecutive else idx
        )  # a view if consecutive
        a_opts = instrument.response_scales[scale.items[0].response].n_options
        rwg = rwg_j_by_group(x[:, cols], gi.codes, a_opts, n_groups=gi.n_groups).value
        rwg = rwg[~np.isnan(rwg)]
        found = len(rwg) > 0
        rwg_j = RwgSummary(
            n_partnerships=int(len(rwg)),
            median=finite_or_none(np.median(rwg)) if found else None,
            quartiles=(
                finite_or_none(np.quantile(rwg, 0.25)),
                finite_or_none(np.quantile(rwg, 0.75)),
            )
            if found
            else None,
            share_strong=finite_or_none((rwg >= instrument.defaults.agreement_strong).mean())
            if found
            else None,
            share_weak=finite_or_none((rwg < instrument.defaults.agreement_moderate).mean())
            if found
            else None,
            histogram=tuple(np.histogram(rwg, bins=10, range=(0.0, 1.0))[0].tolist())
            if found
            else (),
        )
        agg[scale.id] = ScaleAggregation(**icc, rwg_j=rwg_j)
    return agg
