"""The validation report's context: the result of :func:`kemitraan_assess.validation.validate`
turned into rows, texts and charts for one language.

Numbers keep full precision in the result; they are rounded here or in the template, for
display only (2 decimals, 3 for RMSEA, SRMR and p), through the one number path of
:class:`~kemitraan_assess.reporting.locale.Catalogue` (decimal comma and thousands groups in
``id``, the minus sign U+2212), as in the partnership report. The context reads the result's
JSON document (``ValidationResult.to_dict()``, the contract of ``reliability --format json``),
so a report can be made again from a saved JSON file. EFA factors are named after the scale
their items come from; a part the analysis could not compute says why.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .. import __version__
from ..instrument.model import Instrument
from ..stats.results import finite_or_none
from .locale import Catalogue, catalogue_languages, read_catalogue
from .validation_charts import FA_COLOR, PC_COLOR, RwgRow, Series, rwg_chart, scree_chart

__all__ = [
    "LOADING_CUT",
    "load_validation_catalogue",
    "p_value",
    "reason_text",
    "validation_context",
    "validation_languages",
    "warning_text",
]

LOADING_CUT = 0.30
"""EFA loadings with an absolute value below this are greyed (a common salience rule)."""
_KAISER = (
    (0.90, "marvelous"),
    (0.80, "meritorious"),
    (0.70, "middling"),
    (0.60, "mediocre"),
    (0.50, "miserable"),
)
_FIT_INDICES = (("cfi", "ge"), ("tli", "ge"), ("rmsea", "le"), ("srmr", "le"))
_THRESHOLD_CITES = {
    "alpha": "Nunnally & Bernstein, 1994",
    "omega": "McDonald, 1999",
    "r_drop": "Nunnally & Bernstein, 1994",
    "kmo": "Kaiser, 1974",
    "cfi": "Hu & Bentler, 1999",
    "tli": "Hu & Bentler, 1999",
    "rmsea": "Hu & Bentler, 1999",
    "srmr": "Hu & Bentler, 1999",
    "rwg_j": "LeBreton & Senter, 2008",
    "icc2": "Bliese, 2000",
}
_REFERENCES = (
    "bliese",
    "cronbach",
    "duhachek",
    "feldt",
    "horn",
    "hu",
    "james",
    "kaiser",
    "lebreton",
    "mcdonald",
    "nunnally",
    "revelle",
    "rosseel",
    "zinbarg",
)


def validation_languages() -> list[str]:
    """Languages with a validation-report catalogue (sorted).

    Examples
    --------
    >>> validation_languages()
    ['en', 'id']
    """
    return catalogue_languages("locales/validation")


@functools.lru_cache(maxsize=8)
def _messages(lang: str) -> dict[str, str]:
    return read_catalogue("locales/validation", lang, "validation-report")


def load_validation_catalogue(lang: str) -> Catalogue:
    """The words of the validation report in ``lang``, with the locale's number format.

    Examples
    --------
    >>> cat = load_validation_catalogue("id")
    >>> cat("reliability.title"), cat.number(0.9108), cat.number(-3133.24, 1)
    ('Reliabilitas dan konsistensi internal', '0,91', '−3.133,2')
    """
    return Catalogue(lang, _messages(lang))


# ---------------------------------------------------------------- small helpers
def p_value(cat: Catalogue, p: Any, *, cell: bool = False) -> str:
    """A p value: '= 0,012' / '< 0,001' after 'p' in a sentence, '0,012' / '< 0,001' in a cell."""
    v = finite_or_none(p)
    if v is None:
        return "–"
    if v < 0.001:
        return cat("words.p_small", p=cat.number(0.001, 3))
    return ("" if cell else "= ") + cat.number(v, 3)


def _thr(result: Mapping[str, Any], key: str, default: float) -> tuple[float, str]:
    th = (result.get("thresholds") or {}).get(key) or {}
    value = finite_or_none(th.get("value"))
    return (default if value is None else value), _THRESHOLD_CITES.get(
        key, str(th.get("source", ""))
    )


def _reason(block: Any) -> str | None:
    if isinstance(block, Mapping) and "not_computed" in block:
        return str(block["not_computed"])
    return None


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


# ---------------------------------------------------------------- sections
def _reliability(result: Mapping[str, Any], names: _Names, cat: Catalogue) -> list[dict[str, Any]]:
    thr_a, _ = _thr(result, "alpha", 0.70)
    thr_r, _ = _thr(result, "r_drop", 0.30)
    miss = (result.get("sample") or {}).get("missing_share") or {}
    out = []
    for sid, block in (result.get("scales") or {}).items():
        row: dict[str, Any] = {
            "id": sid,
            "name": names.scale(sid),
            "kind": block.get("kind") or "other",
            "n_items": block.get("n_items"),
            "not_computed": _reason(block),
            "left_out": list(block.get("items_left_out") or []),
        }
        if row["not_computed"] is None:
            a = block.get("alpha") or {}
            sh = block.get("split_half") or {}
            row.update(
                n=block.get("n"),
                alpha=finite_or_none(a.get("raw")),
                alpha_std=finite_or_none(a.get("standardized")),
                ci=a.get("ci95") or [None, None],
                ci_duhachek=a.get("ci95_duhachek") or [None, None],
                omega=finite_or_none(block.get("omega_total")),
                omega_method=block.get("omega_method"),
                lambda6=finite_or_none(block.get("guttman_lambda6")),
                average_r=finite_or_none(block.get("average_r")),
                split=None if _reason(sh) else sh,
                split_reason=_reason(sh),
            )
            row["alpha_ok"] = row["alpha"] is not None and row["alpha"] >= thr_a
            items = []
            for iid, it in (block.get("items") or {}).items():
                flags = []
                if it.get("low_r_drop"):
                    flags.append(
                        cat(
                            "reliability.flag_low_r",
                            r=cat.number(finite_or_none(it.get("r_drop"))),
                            thr=cat.number(thr_r),
                        )
                    )
                if it.get("alpha_increases"):
                    flags.append(
                        cat(
                            "reliability.flag_alpha_up",
                            a=cat.number(finite_or_none(it.get("alpha_if_dropped")), 3),
                            b=cat.number(row["alpha"], 3),
                        )
                    )
                items.append(
                    {
                        "id": iid,
                        "text": names.item(iid),
                        "reverse": names.reverse(iid),
                        "n": it.get("n"),
                        "missing": finite_or_none(miss.get(iid)),
                        "mean": finite_or_none(it.get("mean")),
                        "sd": finite_or_none(it.get("sd")),
                        "r_cor": finite_or_none(it.get("r_cor")),
                        "r_drop": finite_or_none(it.get("r_drop")),
                        "alpha_drop": finite_or_none(it.get("alpha_if_dropped")),
                        "weak": bool(it.get("weakens")) or bool(flags),
                        "flags": flags,
                    }
                )
            row["items"] = items
        out.append(row)
    return out


def _missing_by_scale(
    result: Mapping[str, Any], instrument: Instrument, names: _Names
) -> list[dict[str, Any]]:
    miss = (result.get("sample") or {}).get("missing_share") or {}
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
    result: Mapping[str, Any], instrument: Instrument, names: _Names, cat: Catalogue
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "not_computed": _reason(result.get("factorability")),
        "factorability": None,
        "parallel": None,
        "efa": None,
        "efa_reason": None,
        "omega": None,
        "omega_reason": None,
    }
    fac = result.get("factorability")
    if out["not_computed"] is not None or not fac:
        out["not_computed"] = out["not_computed"] or "—"
        return out
    thr_k, _ = _thr(result, "kmo", 0.60)
    kmo_items = {k: finite_or_none(v) for k, v in (fac.get("kmo_items") or {}).items()}
    low = [{"id": k, "value": v} for k, v in kmo_items.items() if v is not None and v < thr_k]
    lowest = min(
        ((k, v) for k, v in kmo_items.items() if v is not None), key=lambda kv: kv[1], default=None
    )
    out["factorability"] = {
        "kmo": finite_or_none(fac.get("kmo")),
        "label": _kaiser_label(finite_or_none(fac.get("kmo")), cat),
        "low": low,
        "lowest": lowest,
        "bartlett": fac.get("bartlett") or {},
        "n": fac.get("n"),
        "k": len(result.get("structure_items") or kmo_items),
        "thr": thr_k,
    }
    pa = result.get("parallel_analysis")
    if pa:
        total = len(pa.get("pc_values") or pa.get("fa_values") or [])
        shown = min(total, 20)
        series = [
            Series(cat("structure.legend_pc"), _values(pa, "pc_values"), PC_COLOR, False, "circle"),
            Series(cat("structure.legend_pc_sim"), _values(pa, "pc_sim_quantile"), PC_COLOR, True),
            Series(cat("structure.legend_fa"), _values(pa, "fa_values"), FA_COLOR, False, "square"),
            Series(cat("structure.legend_fa_sim"), _values(pa, "fa_sim_quantile"), FA_COLOR, True),
        ]
        out["parallel"] = {
            "nf": pa.get("n_factors"),
            "nc": pa.get("n_components"),
            "n_iter": pa.get("n_iter"),
            "method": pa.get("method"),
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
    efa = result.get("efa")
    if efa and not _reason(efa):
        out["efa"] = _efa(efa, instrument, names)
    elif efa:
        out["efa_reason"] = _reason(efa)
    om = result.get("omega")
    if om:
        out["omega"] = om if not _reason(om) else None
        out["omega_reason"] = _reason(om)
    return out


def _values(block: Mapping[str, Any], key: str) -> tuple[float | None, ...]:
    return tuple(finite_or_none(v) for v in block.get(key) or ())


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


def _efa(efa: Mapping[str, Any], instrument: Instrument, names: _Names) -> dict[str, Any]:
    """Loadings grouped by scale, factors named and ordered by the scale of their items."""
    loadings = efa.get("loadings") or {}
    raw = list(next(iter(loadings.values()), {}).keys())
    labels = _factor_labels(loadings, raw, instrument)
    factors = sorted(raw, key=lambda f: labels[f]["order"])
    pos = [raw.index(f) for f in factors]
    communalities = efa.get("communalities") or {}
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
                "cells": cells,
                "h2": finite_or_none(communalities.get(iid)),
            }
        )
    phi = efa.get("phi")
    ok_phi = isinstance(phi, list) and len(phi) == len(raw) and len(raw) > 1
    return {
        "nf": efa.get("n_factors"),
        "method": efa.get("method"),
        "factors": [
            {
                "id": f,
                "short": labels[f]["short"],
                "name": names.scale(labels[f]["scale"]) if labels[f]["scale"] else f,
            }
            for f in factors
        ],
        "groups": groups,
        "fit": efa.get("fit") or {},
        "phi": [[phi[i][j] for j in pos] for i in pos] if ok_phi else None,  # type: ignore[index]
    }


def _cfa(result: Mapping[str, Any], names: _Names, cat: Catalogue) -> list[dict[str, Any]]:
    blocks = []
    for kind, block in (result.get("cfa") or {}).items():
        entry: dict[str, Any] = {
            "kind": kind,
            "label": cat(f"kind.{kind}") if cat.has(f"kind.{kind}") else kind,
            "not_computed": _reason(block),
        }
        if entry["not_computed"] is None:
            checks = {}
            for key, side in _FIT_INDICES:
                thr, _ = _thr(
                    result, key, {"cfi": 0.95, "tli": 0.95, "rmsea": 0.06, "srmr": 0.08}[key]
                )
                v = finite_or_none(block.get(key))
                ok = None if v is None else (v >= thr if side == "ge" else v <= thr)
                checks[key] = {"value": v, "thr": thr, "side": side, "ok": ok}
            entry.update(block)
            entry["checks"] = checks
            entry["met"] = sum(1 for c in checks.values() if c["ok"])
            entry["loadings"] = [
                {
                    "factor": f,
                    "name": names.scale(f),
                    "items": [{"id": i, "v": finite_or_none(v)} for i, v in items.items()],
                }
                for f, items in (block.get("std_loadings") or {}).items()
            ]
        blocks.append(entry)
    return blocks


def _aggregation(
    result: Mapping[str, Any], instrument: Instrument, names: _Names, cat: Catalogue
) -> dict[str, Any]:
    agg = result.get("aggregation") or {}
    excluded = (result.get("sample") or {}).get("aggregation_excluded")
    if not agg or _reason(agg) is not None:  # no partnership column: nothing to aggregate
        return {"rows": [], "charts": [], "excluded": None}
    weak, strong = instrument.defaults.agreement_moderate, instrument.defaults.agreement_strong
    rows: list[dict[str, Any]] = []
    by_kind: dict[str, list[RwgRow]] = {}
    for sid, e in agg.items():
        rw = e.get("rwg_j") or {}
        rows.append(
            {
                "id": sid,
                "name": names.scale(sid),
                "not_computed": _reason(e),
                "icc1": finite_or_none(e.get("icc1")),
                "icc2": finite_or_none(e.get("icc2")),
                "F": finite_or_none(e.get("F")),
                "p": e.get("p"),
                "m": finite_or_none(e.get("mean_group_size")),
                "needed": finite_or_none(e.get("respondents_needed")),
                "rwg_median": finite_or_none(rw.get("median")),
                "rwg_q": rw.get("quartiles") or [None, None],
                "strong": finite_or_none(rw.get("share_strong")),
                "weak": finite_or_none(rw.get("share_weak")),
                "n_groups": rw.get("n_partnerships"),
            }
        )
        hist = [int(c) for c in (rw.get("histogram") or [])]
        text = (
            cat(
                "aggregation.rwg_row",
                median=cat.number(finite_or_none(rw.get("median"))),
                strong=cat.percent(finite_or_none(rw.get("share_strong"))),
                thr=cat.number(strong),
            )
            if hist
            else cat("aggregation.no_rwg")
        )
        kind: str = instrument.scale_map[sid].kind if sid in instrument.scale_map else "other"
        by_kind.setdefault(kind, []).append(RwgRow(names.scale(sid), tuple(hist or [0] * 10), text))
    legend = {k: cat(f"aggregation.legend_{k}") for k in ("weak", "moderate", "strong")}
    charts = []
    for kind, chart_rows in by_kind.items():
        label = cat(f"kind.{kind}") if cat.has(f"kind.{kind}") else kind
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
    return {"rows": rows, "charts": charts, "weak": weak, "strong": strong, "excluded": excluded}


def _listing(cat: Catalogue, parts: Sequence[str]) -> str:
    return cat.join(list(parts)) if parts else cat("words.none")


def _conclusions(
    result: Mapping[str, Any], ctx: Mapping[str, Any], cat: Catalogue
) -> list[dict[str, str]]:
    """Plain-language findings, each with its threshold and source."""
    out: list[dict[str, str]] = []
    add = lambda status, text: out.append({"status": status, "text": text})  # noqa: E731
    for w in result.get("warnings") or []:
        add("warn", warning_text(cat, w, ctx["names"].scale))
    thr_a, src_a = _thr(result, "alpha", 0.70)
    done = [s for s in ctx["scales"] if not s["not_computed"] and s.get("alpha") is not None]
    if not done:
        add("warn", cat("conclusions.reliability_none_computed"))
    else:
        low = [s for s in done if not s["alpha_ok"]]
        if not low:
            add(
                "ok",
                cat(
                    "conclusions.reliability_all", k=len(done), thr=cat.number(thr_a), source=src_a
                ),
            )
        else:
            add(
                "warn",
                cat(
                    "conclusions.reliability_some",
                    ok=len(done) - len(low),
                    k=len(done),
                    thr=cat.number(thr_a),
                    source=src_a,
                    list=_listing(cat, [f"{s['name']} ({cat.number(s['alpha'])})" for s in low]),
                ),
            )
        omegas = [s["omega"] for s in done if s.get("omega") is not None]
        if omegas:
            thr_o, src_o = _thr(result, "omega", 0.70)
            add(
                "ok" if min(omegas) >= thr_o else "warn",
                cat(
                    "conclusions.omega_range",
                    lo=cat.number(min(omegas)),
                    hi=cat.number(max(omegas)),
                    thr=cat.number(thr_o),
                    source=src_o,
                ),
            )
        thr_r, src_r = _thr(result, "r_drop", 0.30)
        weak = [f"{i['id']} ({s['name']})" for s in done for i in s["items"] if i["weak"]]
        if weak:
            add(
                "warn",
                cat(
                    "conclusions.items_some",
                    n=len(weak),
                    thr=cat.number(thr_r),
                    source=src_r,
                    list=_listing(cat, weak),
                ),
            )
        else:
            add("ok", cat("conclusions.items_none", thr=cat.number(thr_r), source=src_r))
    st = ctx["structure"]
    if st.get("factorability"):
        f = st["factorability"]
        thr_k, src_k = _thr(result, "kmo", 0.60)
        ok = f["kmo"] is not None and f["kmo"] >= thr_k
        b = f["bartlett"]
        add(
            "ok" if ok else "warn",
            cat(
                "conclusions.kmo",
                kmo=cat.number(f["kmo"]),
                label=f["label"],
                source=src_k,
                verdict=cat(
                    "conclusions.kmo_ok" if ok else "conclusions.kmo_low", thr=cat.number(thr_k)
                ),
                chi2=cat.number(finite_or_none(b.get("chi2"))),
                df=cat.integer(b.get("df")),
                p=p_value(cat, b.get("p")),
            ),
        )
    if st.get("parallel"):
        pa = st["parallel"]
        k = ctx["n_structure_scales"]
        match = pa["nf"] == k
        add(
            "ok" if match else "info",
            cat(
                "conclusions.parallel",
                nf=pa["nf"],
                nc=pa["nc"],
                k=k,
                verdict=cat(
                    "conclusions.parallel_match" if match else "conclusions.parallel_mismatch"
                ),
            ),
        )
    om = st.get("omega")
    if (
        om
        and finite_or_none(om.get("omega_h")) is not None
        and finite_or_none(om.get("omega_total"))
    ):
        add(
            "info",
            cat(
                "conclusions.omega_h",
                oh=cat.number(finite_or_none(om["omega_h"])),
                ot=cat.number(finite_or_none(om["omega_total"])),
                nf=om.get("n_factors"),
                share=cat.percent(
                    finite_or_none(om["omega_h"]) / finite_or_none(om["omega_total"])
                ),
            ),
        )  # type: ignore[operator]
    _, src_fit = _thr(result, "cfi", 0.95)
    for blk in ctx["cfa"]:
        if blk["not_computed"]:
            add(
                "warn",
                cat(
                    "conclusions.cfa_not_computed",
                    block=blk["label"],
                    reason=reason_text(cat, blk["not_computed"])[0],
                ),
            )
            continue
        c = blk["checks"]
        cases = cat(
            "conclusions.cfa_cases_"
            + ("listwise" if blk.get("missing") == "listwise" else "pairwise")
        )
        text = cat(
            "conclusions.cfa",
            block=blk["label"],
            met=blk["met"],
            source=src_fit,
            n=cat.integer(blk.get("n")),
            cases=cases,
            cfi=cat.number(c["cfi"]["value"], 3),
            tli=cat.number(c["tli"]["value"], 3),
            rmsea=cat.number(c["rmsea"]["value"], 3),
            srmr=cat.number(c["srmr"]["value"], 3),
        )
        n_used, n_drop = blk.get("n") or 0, blk.get("n_dropped") or 0
        if n_drop > n_used and blk.get("missing") == "listwise":
            text += " " + cat(
                "conclusions.cfa_dropped", n=cat.integer(n_used), total=cat.integer(n_used + n_drop)
            )
        for w in blk.get("warnings") or []:
            text += " " + cat("conclusions.cfa_warning", text=w)
        add("ok" if blk["met"] == 4 and blk.get("converged", True) else "warn", text)
    agg = ctx["aggregation"]["rows"]
    if not agg:
        add("info", cat("conclusions.icc_none"))
    else:
        thr_i, src_i = _thr(result, "icc2", 0.70)
        have = [r for r in agg if r["icc2"] is not None]
        if have:
            low = [r for r in have if r["icc2"] < thr_i]
            need = max((r["needed"] for r in have if r["needed"] is not None), default=None)
            m = finite_or_none(
                sum(r["m"] for r in have if r["m"] is not None)
                / max(1, len([r for r in have if r["m"]]))
            )
            common = dict(
                thr=cat.number(thr_i),
                k=len(have),
                m=cat.number(m, 1),
                source=src_i,
                need="–" if need is None else cat.integer(int(need)),
            )
            if low:
                add(
                    "warn",
                    cat(
                        "conclusions.icc_some",
                        ok=len(have) - len(low),
                        list=_listing(cat, [f"{r['name']} ({cat.number(r['icc2'])})" for r in low]),
                        **common,
                    ),
                )
            else:
                add("ok", cat("conclusions.icc_all", **common))
        meds = [r for r in agg if r["rwg_median"] is not None]
        if meds:
            thr_w, src_w = _thr(result, "rwg_j", 0.70)
            few = [r["name"] for r in meds if r["strong"] is not None and r["strong"] < 0.5]
            detail = (
                cat("conclusions.rwg_weak", list=_listing(cat, few))
                if few
                else cat("conclusions.rwg_fine")
            )
            add(
                "warn" if few else "ok",
                cat(
                    "conclusions.rwg",
                    lo=cat.number(min(r["rwg_median"] for r in meds)),
                    hi=cat.number(max(r["rwg_median"] for r in meds)),
                    thr=cat.number(thr_w),
                    source=src_w,
                    detail=detail,
                ),
            )
    return out


def validation_context(
    result: Mapping[str, Any], instrument: Instrument, *, lang: str = "id"
) -> dict[str, Any]:
    """The plain-data context of the validation report in ``lang``.

    Parameters
    ----------
    result
        From :func:`kemitraan_assess.validation.validate` (or its JSON, read back).
    instrument
        The instrument the result was computed for (names of scales and items).
    lang
        Report language (a catalogue in ``reports/locales/validation/``).

    Returns
    -------
    dict
        Sections ``scales``, ``missing``, ``structure``, ``cfa``, ``aggregation``,
        ``conclusions`` and ``thresholds``, plus cover data. Charts are SVG markup.
    """
    cat = load_validation_catalogue(lang)
    names = _Names(instrument, lang)
    inst = result.get("instrument") or {"id": instrument.id, "version": instrument.version}
    sample = result.get("sample") or {}
    title = instrument.text(instrument.title, lang) or inst.get("id", "")
    struct_ids = {instrument.item_scale.get(i) for i in result.get("structure_items") or []}
    ctx: dict[str, Any] = {
        "lang": lang,
        "generator": f"kemitraan-assess {__version__}",
        "instrument": {"id": inst.get("id"), "version": inst.get("version"), "title": title},
        "document_title": cat(
            "cover.document_title", instrument=title, version=inst.get("version", "")
        ),
        "n": result.get("n_respondents"),
        "missing_how": cat(
            "words.missing_listwise"
            if result.get("missing") == "listwise"
            else "words.missing_pairwise"
        ),
        "missing_policy": "listwise" if result.get("missing") == "listwise" else "pairwise",
        "seed": result.get("seed"),
        "sample": sample,
        "missing": _missing_by_scale(result, instrument, names),
        "n_structure_scales": len(struct_ids - {None}),
        "names": names,
    }
    ctx["n_iter"] = (result.get("parallel_analysis") or {}).get("n_iter")
    ctx["scales"] = _reliability(result, names, cat)
    kinds: list[dict[str, Any]] = []
    for s in ctx["scales"]:
        if not kinds or kinds[-1]["kind"] != s["kind"]:
            kinds.append(
                {
                    "kind": s["kind"],
                    "label": cat(f"kind.{s['kind']}")
                    if cat.has(f"kind.{s['kind']}")
                    else s["kind"],
                    "scales": [],
                }
            )
        kinds[-1]["scales"].append(s)
    ctx["kinds"] = kinds
    ctx["structure"] = _structure(result, instrument, names, cat)
    ctx["cfa"] = _cfa(result, names, cat)
    ctx["aggregation"] = _aggregation(result, instrument, names, cat)
    ctx["icc2_threshold"] = _thr(result, "icc2", instrument.defaults.icc2_threshold)[0]
    ctx["thresholds"] = [
        {
            "key": k,
            "value": finite_or_none(v.get("value")),
            "source": str(v.get("source", "")),
            "side": "le" if k in ("rmsea", "srmr") else "ge",
        }
        for k, v in (result.get("thresholds") or {}).items()
        if cat.has(f"methods.th_{k}")
    ]
    ctx["references"] = [cat(f"methods.ref_{r}") for r in _REFERENCES]
    ctx["conclusions"] = _conclusions(result, ctx, cat)
    return ctx


# ---------------------------------------------------------------- analysis words
_REASONS = (
    (
        re.compile(r"^(?P<n>\d+) item\(s\) given; at least (?P<k>\d+) are needed$"),
        "words.reason_items",
    ),
    (
        re.compile(
            r"^n = (?P<n>\d+) usable rows \((?P<policy>pairwise|listwise)\); "
            r"at least (?P<k>\d+) are needed$"
        ),
        "words.reason_rows",
    ),
)


def reason_text(cat: Catalogue, reason: str | None) -> tuple[str, bool]:
    """An analysis' "not computed" reason in the report's language where the catalogue has it.

    Returns the text and whether it was translated; reasons the catalogue does not cover stay
    in English (the template marks them so).

    Examples
    --------
    >>> from kemitraan_assess.reporting.validation_sections import load_validation_catalogue
    >>> reason_text(load_validation_catalogue("id"), "2 item(s) given; at least 3 are needed")
    ('2 butir; diperlukan paling sedikit 3', True)
    >>> reason_text(load_validation_catalogue("id"), "singular matrix")
    ('singular matrix', False)
    """
    text = "" if reason is None else str(reason)
    for pattern, key in _REASONS:
        m = pattern.match(text)
        if m and cat.has(key):
            values = {
                k: cat.integer(int(v)) if v.isdigit() else v for k, v in m.groupdict().items()
            }
            if "policy" in values:
                values["policy"] = cat(f"words.policy_{values['policy']}")
            return cat(key, **values), True
    return text, False


def warning_text(
    cat: Catalogue, warning: Mapping[str, Any], scale_name: Callable[[str], str]
) -> str:
    """A warning of the analysis (``result["warnings"]``) in the report's language;
    ``scale_name`` gives a scale's name from its id. A code the catalogue does not know
    keeps the analysis' English message.

    Examples
    --------
    >>> from kemitraan_assess.reporting.validation_sections import load_validation_catalogue
    >>> warning_text(load_validation_catalogue("en"), {"code": "constant_item", "item": "GOL1",
    ...              "scale": "GOL", "value": 3.0, "count": 40, "message": "..."},
    ...              {"GOL": "Clear, agreed goals and objectives"}.get)[:86]
    'GOL1 (Clear, agreed goals and objectives) has no variance: all 40 answers are the same'
    """
    code = str(warning.get("code"))
    item, scale = warning.get("item"), warning.get("scale")
    fields = {
        "item": item or "",
        "scale": scale_name(str(scale)) if scale else "",
        "value": cat.number(warning.get("value"))
        if code == "negative_item"
        else cat.number(warning.get("value"), 0),
        "count": cat.integer(warning.get("count")) if warning.get("count") is not None else "",
    }
    key = f"warnings.{code}"
    return cat(key, **fields) if cat.has(key) else str(warning.get("message", code))
