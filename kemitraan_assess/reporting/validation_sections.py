"""The validation report's context: a :class:`~kemitraan_assess.validation.ValidationResult`
turned into rows, texts and charts for one language.

The context reads the typed result of :func:`kemitraan_assess.validation.validate` (its
``to_dict()`` is the JSON contract; the report needs no JSON). Numbers keep full precision
here; the template rounds them for display only (2 decimals, 3 for RMSEA, SRMR and p)
through the one number path of :class:`~kemitraan_assess.reporting.locale.Catalogue`, as the
partnership report does. EFA factors are named after the scale their items come from; a part
the analysis could not compute says why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from .. import __version__
from ..instrument.model import Instrument
from ..stats.results import finite_or_none
from ..validation import ValidationResult
from ..validation.sections import (
    CFASummary,
    EFASummary,
    Factorability,
    NotComputed,
    ScaleResult,
    SplitHalfSummary,
)
from .locale import Catalogue
from .validation_charts import FA_COLOR, PC_COLOR, RwgRow, Series, rwg_chart, scree_chart
from .validation_conclusions import findings
from .validation_methods import method_entries, threshold_source
from .validation_words import load_validation_catalogue, threshold

__all__ = ["LOADING_CUT", "validation_context"]

LOADING_CUT = 0.30
"""EFA loadings with an absolute value below this are greyed (a common salience rule)."""
_KAISER = (
    (0.90, "marvelous"),
    (0.80, "meritorious"),
    (0.70, "middling"),
    (0.60, "mediocre"),
    (0.50, "miserable"),
)
_FIT_INDICES = (
    ("cfi", "ge", 0.95),
    ("tli", "ge", 0.95),
    ("rmsea", "le", 0.06),
    ("srmr", "le", 0.08),
)
_REFERENCES = (
    "bartlett",
    "bliese",
    "cronbach",
    "duhachek",
    "feldt",
    "field",
    "horn",
    "hu",
    "james",
    "kaiser",
    "lebreton",
    "mcdonald",
    "nunnally",
    "revelle",
    "revelle_condon",
    "rosseel",
    "schmid",
    "zinbarg",
)


class _Names:
    """Scale and item names of the instrument in the report's language."""

    def __init__(self, instrument: Instrument, lang: str):
        self.inst, self.lang = instrument, lang

    def scale(self, sid: str) -> str:
        sm = self.inst.scale_map
        return self.inst.text(sm[sid].name, self.lang) if sid in sm else sid

    def reverse(self, iid: str) -> bool:
        it = self.inst.items.get(iid)
        return bool(it is not None and it.reverse)

    def item(self, iid: str) -> str:
        it = self.inst.items.get(iid)
        if it is None:
            return iid
        return self.inst.text(it.short or it.text, self.lang)


def _kind_label(cat: Catalogue, kind: str) -> str:
    return cat(f"kind.{kind}") if cat.has(f"kind.{kind}") else kind


# ---------------------------------------------------------------- sections
def _scale_row(
    result: ValidationResult, s: ScaleResult, names: _Names, cat: Catalogue
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": s.scale,
        "name": names.scale(s.scale),
        "kind": s.kind or "other",
        "n_items": s.n_items,
        "not_computed": s.not_computed,
        "left_out": list(s.items_left_out),
        "alpha": None,
    }
    if s.not_computed is not None or s.alpha_summary is None:
        return row
    thr_a, _ = threshold(result, "alpha", 0.70)
    thr_r, _ = threshold(result, "r_drop", 0.30)
    a = s.alpha_summary
    split = s.split_half
    row.update(
        n=s.n,
        alpha=finite_or_none(a.raw),
        alpha_std=finite_or_none(a.standardized),
        ci=list(a.ci95),
        ci_duhachek=list(a.ci95_duhachek),
        omega=finite_or_none(s.omega_total),
        omega_method=s.omega_method,
        lambda6=finite_or_none(s.guttman_lambda6),
        average_r=finite_or_none(s.average_r),
        split=split if isinstance(split, SplitHalfSummary) else None,
        split_reason=split.not_computed if isinstance(split, NotComputed) else None,
    )
    row["alpha_ok"] = row["alpha"] is not None and row["alpha"] >= thr_a
    missing = result.sample.missing_share
    items = []
    for iid, it in s.items.items():
        flags = []
        if it.low_r_drop:
            flags.append(
                cat(
                    "reliability.flag_low_r",
                    r=cat.number(finite_or_none(it.r_drop)),
                    thr=cat.number(thr_r),
                )
            )
        if it.alpha_increases:
            flags.append(
                cat(
                    "reliability.flag_alpha_up",
                    a=cat.number(finite_or_none(it.alpha_if_dropped), 3),
                    b=cat.number(row["alpha"], 3),
                )
            )
        items.append(
            {
                "id": iid,
                "text": names.item(iid),
                "reverse": names.reverse(iid),
                "n": it.n,
                "missing": finite_or_none(missing.get(iid)),
                "mean": finite_or_none(it.mean),
                "sd": finite_or_none(it.sd),
                "r_cor": finite_or_none(it.r_cor),
                "r_drop": finite_or_none(it.r_drop),
                "alpha_drop": finite_or_none(it.alpha_if_dropped),
                "weak": it.weakens or bool(flags),
                "flags": flags,
            }
        )
    row["items"] = items
    return row


def _missing_by_scale(
    result: ValidationResult, instrument: Instrument, names: _Names
) -> list[dict[str, Any]]:
    miss = result.sample.missing_share
    rows = []
    for scale in instrument.scales:
        shares: list[tuple[str, float]] = []
        for item in scale.items:
            v = finite_or_none(miss.get(item.id))
            if v is not None:
                shares.append((item.id, v))
        if not shares:
            continue
        worst = max(shares, key=lambda s: s[1])
        rows.append(
            {
                "name": names.scale(scale.id),
                "n_items": len(scale.items),
                "lowest": min(s[1] for s in shares),
                "highest": worst[1],
                "worst": worst[0],
            }
        )
    return rows


def _kaiser_label(kmo: float | None, cat: Catalogue) -> str:
    if kmo is None:
        return "–"
    for cut, key in _KAISER:
        if kmo >= cut:
            return cat(f"factorability.kaiser.{key}")
    return cat("factorability.kaiser.unacceptable")


def _structure(
    result: ValidationResult, instrument: Instrument, names: _Names, cat: Catalogue
) -> dict[str, Any]:
    st = result.structure
    fac = st.factorability
    out: dict[str, Any] = {
        "not_computed": None,
        "factorability": None,
        "parallel": None,
        "efa": None,
        "omega": st.omega,
    }
    if not isinstance(fac, Factorability):
        out["not_computed"] = fac.not_computed if isinstance(fac, NotComputed) else "—"
        out["omega"] = None
        return out
    thr_k, _ = threshold(result, "kmo", 0.60)
    kmo_items = {k: finite_or_none(v) for k, v in fac.kmo_items.items()}
    low = [{"id": k, "value": v} for k, v in kmo_items.items() if v is not None and v < thr_k]
    lowest = min(
        ((k, v) for k, v in kmo_items.items() if v is not None), key=lambda kv: kv[1], default=None
    )
    kmo = finite_or_none(fac.kmo)
    out["factorability"] = {
        "kmo": kmo,
        "label": _kaiser_label(kmo, cat),
        "low": low,
        "lowest": lowest,
        "bartlett": fac.bartlett,
        "n": fac.n,
        "k": len(st.structure_items or kmo_items),
        "thr": thr_k,
    }
    pa = st.parallel_analysis
    if pa is not None:
        total = len(pa.pc_values or pa.fa_values)
        shown = min(total, 20)
        series = [
            Series(cat("structure.legend_pc"), pa.pc_values, PC_COLOR, False, "circle"),
            Series(cat("structure.legend_pc_sim"), pa.pc_sim_quantile, PC_COLOR, True),
            Series(cat("structure.legend_fa"), pa.fa_values, FA_COLOR, False, "square"),
            Series(cat("structure.legend_fa_sim"), pa.fa_sim_quantile, FA_COLOR, True),
        ]
        out["parallel"] = {
            "nf": pa.n_factors,
            "nc": pa.n_components,
            "n_iter": pa.n_iter,
            "method": pa.method,
            "shown": shown,
            "total": total,
            "chart": scree_chart(
                series,
                cat,
                title=cat("structure.scree_title"),
                x_label=cat("structure.axis_x"),
                y_label=cat("structure.axis_y"),
                max_points=shown,
            ),
        }
    if st.efa is not None:
        out["efa"] = _efa(st.efa, instrument, names)
    return out


def _factor_labels(
    loadings: Mapping[str, Mapping[str, Any]], factors: Sequence[str], instrument: Instrument
) -> dict[str, dict[str, Any]]:
    """Each EFA factor named by the scale most of its items come from.

    An item counts for the factor it loads highest on (absolute value). A factor is named
    by the scale with most such items (the first in the instrument on a tie), its column
    header is the scale's id (``GOL``), numbered when two factors share a scale
    (``GOL-1``, ``GOL-2``); a factor no item loads highest on keeps the analysis' name
    (``MR7``). Returns, per factor, ``scale`` (id or None), ``short`` and ``order`` (the
    scale's position in the instrument, so columns follow the item groups).
    """
    order = {s.id: j for j, s in enumerate(instrument.scales)}
    votes: dict[str, Counter[str]] = {f: Counter() for f in factors}
    for iid, row in loadings.items():
        vals = [abs(finite_or_none(row.get(f)) or 0.0) for f in factors]
        sid = instrument.item_scale.get(iid)
        if vals and sid is not None:
            votes[factors[max(range(len(vals)), key=vals.__getitem__)]][sid] += 1
    scale_of: dict[str, str | None] = {}
    for f in factors:
        ranked = sorted(votes[f].items(), key=lambda kv: (-kv[1], order.get(kv[0], 1 << 30)))
        scale_of[f] = ranked[0][0] if ranked else None
    shared = Counter(s for s in scale_of.values() if s is not None)
    seen: Counter[str] = Counter()
    out: dict[str, dict[str, Any]] = {}
    for j, f in enumerate(factors):
        sid = scale_of[f]
        if sid is None:
            out[f] = {"scale": None, "short": f, "order": (1 << 30) + j}
            continue
        seen[sid] += 1
        short = sid if shared[sid] == 1 else f"{sid}-{seen[sid]}"
        out[f] = {"scale": sid, "short": short, "order": order.get(sid, 1 << 29) * 100 + j}
    return out


def _efa(efa: EFASummary, instrument: Instrument, names: _Names) -> dict[str, Any]:
    """Loadings grouped by scale, factors named and ordered by the scale of their items."""
    loadings = efa.loadings
    raw = list(next(iter(loadings.values()), {}).keys())
    labels = _factor_labels(loadings, raw, instrument)
    factors = sorted(raw, key=lambda f: labels[f]["order"])
    pos = [raw.index(f) for f in factors]
    groups: list[dict[str, Any]] = []
    for iid, row in loadings.items():
        vals = [finite_or_none(row.get(f)) for f in factors]
        best = max(range(len(vals)), key=lambda j: abs(vals[j] or 0.0)) if vals else -1
        cells = [
            {"v": v, "faint": v is None or abs(v) < LOADING_CUT, "best": j == best}
            for j, v in enumerate(vals)
        ]
        sid = instrument.item_scale.get(iid, "")
        if not groups or groups[-1]["id"] != sid:
            groups.append({"id": sid, "name": names.scale(sid) if sid else "", "rows": []})
        groups[-1]["rows"].append(
            {
                "id": iid,
                "text": names.item(iid),
                "reverse": names.reverse(iid),
                "cells": cells,
                "h2": finite_or_none(efa.communalities.get(iid)),
            }
        )
    phi = efa.phi
    ok_phi = isinstance(phi, list) and len(phi) == len(raw) and len(raw) > 1
    return {
        "nf": efa.n_factors,
        "method": efa.method,
        "factors": [
            {
                "id": f,
                "short": labels[f]["short"],
                "name": names.scale(labels[f]["scale"]) if labels[f]["scale"] else f,
            }
            for f in factors
        ],
        "groups": groups,
        "fit": efa.fit,
        "phi": [[phi[i][j] for j in pos] for i in pos] if ok_phi else None,
    }


def _cfa_block(
    result: ValidationResult,
    kind: str,
    block: CFASummary | NotComputed,
    names: _Names,
    cat: Catalogue,
) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": kind, "label": _kind_label(cat, kind), "not_computed": None}
    if isinstance(block, NotComputed):
        entry["not_computed"] = block.not_computed
        return entry
    checks = {}
    for key, side, default in _FIT_INDICES:
        thr, _ = threshold(result, key, default)
        v = finite_or_none(getattr(block, key))
        ok = None if v is None else (v >= thr if side == "ge" else v <= thr)
        checks[key] = {"value": v, "thr": thr, "side": side, "ok": ok}
    entry.update(
        {
            "checks": checks,
            "met": sum(1 for c in checks.values() if c["ok"]),
            "n": block.n,
            "n_dropped": block.n_dropped,
            "missing": block.missing,
            "chi2": block.chi2,
            "df": block.df,
            "p": block.p,
            "aic": block.aic,
            "bic": block.bic,
            "rmsea_ci90": list(block.rmsea_ci90),
            "converged": block.converged,
            "heywood": block.heywood,
            "warnings": list(block.warnings),
            "method": block.method,
            "loadings": [
                {
                    "factor": f,
                    "name": names.scale(f),
                    "items": [{"id": i, "v": finite_or_none(v)} for i, v in items.items()],
                }
                for f, items in block.std_loadings.items()
            ],
        }
    )
    return entry


def _aggregation(
    result: ValidationResult, instrument: Instrument, names: _Names, cat: Catalogue
) -> dict[str, Any]:
    agg = result.aggregation
    if isinstance(agg, NotComputed) or not agg:  # no partnership column: nothing to aggregate
        return {"rows": [], "charts": [], "excluded": None}
    weak, strong = instrument.defaults.agreement_moderate, instrument.defaults.agreement_strong
    rows: list[dict[str, Any]] = []
    by_kind: dict[str, list[RwgRow]] = {}
    for sid, e in agg.items():
        rw = e.rwg_j
        rows.append(
            {
                "id": sid,
                "name": names.scale(sid),
                "not_computed": e.not_computed,
                "icc1": finite_or_none(e.icc1),
                "icc2": finite_or_none(e.icc2),
                "F": finite_or_none(e.F),
                "p": e.p,
                "m": finite_or_none(e.mean_group_size),
                "needed": finite_or_none(e.respondents_needed),
                "rwg_median": finite_or_none(rw.median),
                "rwg_q": list(rw.quartiles or (None, None)),
                "strong": finite_or_none(rw.share_strong),
                "weak": finite_or_none(rw.share_weak),
                "n_groups": rw.n_partnerships,
            }
        )
        hist = tuple(int(c) for c in rw.histogram)
        text = (
            cat(
                "aggregation.rwg_row",
                median=cat.number(finite_or_none(rw.median)),
                strong=cat.percent(finite_or_none(rw.share_strong)),
                thr=cat.number(strong),
                weak=cat.percent(finite_or_none(rw.share_weak)),
                low=cat.number(weak),
            )
            if hist
            else cat("aggregation.no_rwg")
        )
        kind = instrument.scale_map[sid].kind if sid in instrument.scale_map else "other"
        by_kind.setdefault(kind or "other", []).append(
            RwgRow(
                names.scale(sid),
                hist or (0,) * 10,
                text,
                None if rw.share_weak is None else round(rw.share_weak * rw.n_partnerships),
            )
        )
    legend = {k: cat(f"aggregation.legend_{k}") for k in ("weak", "moderate", "strong")}
    charts = []
    for kind, chart_rows in by_kind.items():
        label = _kind_label(cat, kind)
        charts.append(
            {
                "label": label,
                "chart": rwg_chart(
                    chart_rows,
                    cat,
                    title=f"{cat('aggregation.rwg_title')}: {label}",
                    weak=weak,
                    strong=strong,
                    legend=legend,
                ),
            }
        )
    sizes = sorted(r["m"] for r in rows if r["m"] is not None and r["icc2"] is not None)
    return {
        "rows": rows,
        "charts": charts,
        # the mean group size the conclusions name: the median of the table's (the value of
        # most scales; fewer on a scale whose blanks leave respondents without a score)
        "m_typical": sizes[len(sizes) // 2] if sizes else None,
        "weak": weak,
        "strong": strong,
        "excluded": result.sample.aggregation_excluded,
    }


def _kinds(scales: Sequence[dict[str, Any]], cat: Catalogue) -> list[dict[str, Any]]:
    """Consecutive scales of one kind (success factors, benefits, ...) as one group."""
    kinds: list[dict[str, Any]] = []
    for s in scales:
        if not kinds or kinds[-1]["kind"] != s["kind"]:
            kinds.append({"kind": s["kind"], "label": _kind_label(cat, s["kind"]), "scales": []})
        kinds[-1]["scales"].append(s)
    return kinds


def validation_context(
    result: ValidationResult, instrument: Instrument, *, lang: str = "id"
) -> dict[str, Any]:
    """The plain-data context of the validation report in ``lang``.

    Parameters
    ----------
    result
        From :func:`kemitraan_assess.validation.validate`.
    instrument
        The instrument the result was computed for (names of scales and items).
    lang
        Report language (a catalogue in ``reports/locales/validation/``).

    Returns
    -------
    dict
        Sections ``scales`` (grouped by kind in ``kinds``), ``missing``, ``structure``,
        ``cfa``, ``aggregation``, ``conclusions`` and ``thresholds``, plus cover data.
        Charts are SVG markup.
    """
    cat = load_validation_catalogue(lang)
    names = _Names(instrument, lang)
    title = instrument.text(instrument.title, lang) or result.instrument_id
    st = result.structure
    struct_ids = {instrument.item_scale.get(i) for i in st.structure_items}
    listwise = result.missing == "listwise"
    ctx: dict[str, Any] = {
        "lang": lang,
        "generator": f"kemitraan-assess {__version__}",
        "instrument": {
            "id": result.instrument_id,
            "version": result.instrument_version,
            "title": title,
        },
        "document_title": cat(
            "cover.document_title", instrument=title, version=result.instrument_version
        ),
        "n": result.n_respondents,
        "missing_how": cat("words.missing_listwise" if listwise else "words.missing_pairwise"),
        "missing_policy": "listwise" if listwise else "pairwise",
        "seed": result.seed,
        "n_iter": None if st.parallel_analysis is None else st.parallel_analysis.n_iter,
        "sample": result.sample,
        "missing": _missing_by_scale(result, instrument, names),
        "n_structure_scales": len(struct_ids - {None}),
        "names": names,
        "instrument_obj": instrument,
    }
    ctx["scales"] = [_scale_row(result, s, names, cat) for s in result.scales.values()]
    ctx["kinds"] = _kinds(ctx["scales"], cat)
    ungrouped = len(ctx["kinds"]) == 1 and ctx["kinds"][0]["kind"] == "other"
    if ungrouped:  # an instrument without kinds of scale (bfi): "All scales", not "Other"
        ctx["kinds"][0]["label"] = cat("kind.all")
    ctx["has_groups"] = result.has_groups
    # listwise needs complete cases: at least half the sample and 10 per structure item
    cc, n_items = result.sample.complete_cases, len(st.structure_items)
    ctx["listwise_feasible"] = cc >= 0.5 * result.n_respondents and cc >= 10 * n_items
    ctx["structure_all"] = len(struct_ids - {None}) == len(instrument.scales)
    ctx["structure"] = _structure(result, instrument, names, cat)
    ctx["cfa"] = [_cfa_block(result, k, b, names, cat) for k, b in st.cfa.items()]
    if ungrouped:
        for block in ctx["cfa"]:
            block["label"] = cat("kind.all")
    ctx["aggregation"] = _aggregation(result, instrument, names, cat)
    ctx["icc2_threshold"] = threshold(result, "icc2", instrument.defaults.icc2_threshold)[0]
    ctx["thresholds"] = [
        {
            "key": k,
            "value": finite_or_none(v.get("value")),
            "source": str(v.get("source", "")),
            "side": "le" if k in ("rmsea", "srmr") else "ge",
        }
        for k, v in result.thresholds.items()
        if cat.has(f"methods.th_{k}")
        # without partnerships the report has no ICC and no rwg(j): nor their thresholds
        and (ctx["aggregation"]["rows"] or k not in ("rwg_j", "icc2"))
    ]
    for th in ctx["thresholds"]:
        th["source"], th["translated"] = threshold_source(cat, th["key"], th["source"])
    labels = {k: b["label"] for k, b in zip(st.cfa, ctx["cfa"], strict=True)}
    ctx["methods"] = method_entries(result, instrument, cat, labels)
    ctx["references"] = [cat(f"methods.ref_{r}") for r in _REFERENCES]
    ctx["conclusions"] = findings(result, ctx, cat)
    return ctx
