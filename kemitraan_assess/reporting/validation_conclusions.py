"""The conclusions of the validation report: what the numbers say, in plain language, each
finding with its threshold and the source of that threshold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..stats.results import finite_or_none
from ..validation import ValidationResult
from .locale import Catalogue
from .validation_methods import omega_group_rule
from .validation_words import p_value, reason_text, threshold, warning_text

__all__ = ["findings"]


def _listing(cat: Catalogue, parts: Sequence[str]) -> str:
    return cat.join(list(parts)) if parts else cat("words.none")


def findings(
    result: ValidationResult, ctx: Mapping[str, Any], cat: Catalogue
) -> list[dict[str, str]]:
    """The conclusions chapter: plain-language findings, each with its threshold and
    source, and a status (``ok``, ``warn`` or ``info``). ``ctx`` is the report's context
    (its rows and numbers, already computed from ``result``)."""
    out: list[dict[str, str]] = []
    add = lambda status, text: out.append({"status": status, "text": text})  # noqa: E731
    for w in result.warnings:
        add("warn", warning_text(cat, w, ctx["names"].scale))
    thr_a, src_a = threshold(result, "alpha", 0.70)
    done = [s for s in ctx["scales"] if not s["not_computed"] and s["alpha"] is not None]
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
        omegas = [s["omega"] for s in done if s["omega"] is not None]
        if omegas:
            thr_o, src_o = threshold(result, "omega", 0.70)
            without = [s["name"] for s in done if s["omega"] is None]
            words = dict(
                lo=cat.number(min(omegas)),
                hi=cat.number(max(omegas)),
                thr=cat.number(thr_o),
                source=src_o,
            )
            if without:  # not "across scales" when a scale has none
                text = cat(
                    "conclusions.omega_range_some",
                    n=len(omegas),
                    k=len(done),
                    list=_listing(cat, without),
                    **words,
                )
            else:
                text = cat("conclusions.omega_range", **words)
            below = [s for s in done if s["omega"] is not None and s["omega"] < thr_o]
            if below:  # name them, as the reliability finding does
                text += " " + cat(
                    "conclusions.omega_low",
                    ok=len(omegas) - len(below),
                    n=len(omegas),
                    thr=cat.number(thr_o),
                    list=_listing(cat, [f"{s['name']} ({cat.number(s['omega'])})" for s in below]),
                )
            add("warn" if below else "ok", text)
        thr_r, src_r = threshold(result, "r_drop", 0.30)
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
    if st["factorability"]:
        f = st["factorability"]
        thr_k, src_k = threshold(result, "kmo", 0.60)
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
                chi2=cat.number(b.chi2),
                df=cat.integer(b.df),
                p=p_value(cat, b.p),
            ),
        )
    if st["parallel"]:
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
                    "conclusions.parallel_match" if match else "conclusions.parallel_mismatch",
                    k=k,
                    nf=pa["nf"],
                ),
            ),
        )
    om = result.structure.omega
    oh = None if om is None else finite_or_none(om.omega_h)
    ot = None if om is None else finite_or_none(om.omega_total)
    if om is not None and oh is not None and ot:
        add(
            "info",
            cat(
                "conclusions.omega_h",
                oh=cat.number(oh),
                ot=cat.number(ot),
                nf=om.n_factors,
                p=cat.integer(len(result.structure.structure_items)),
                rule=cat(f"methods.omega_rule_{omega_group_rule(result, ctx['instrument_obj'])}"),
                share=cat.percent(oh / ot),
            ),
        )
    _, src_fit = threshold(result, "cfi", 0.95)
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
            "conclusions.cfa_cases_" + ("listwise" if blk["missing"] == "listwise" else "pairwise")
        )
        text = cat(
            "conclusions.cfa",
            block=blk["label"],
            met=blk["met"],
            source=src_fit,
            n=cat.integer(blk["n"]),
            cases=cases,
            cfi=cat.number(c["cfi"]["value"], 3),
            tli=cat.number(c["tli"]["value"], 3),
            rmsea=cat.number(c["rmsea"]["value"], 3),
            srmr=cat.number(c["srmr"]["value"], 3),
        )
        n_used, n_drop = blk["n"], blk["n_dropped"]
        if n_drop > n_used and blk["missing"] == "listwise":
            text += " " + cat(
                "conclusions.cfa_dropped", n=cat.integer(n_used), total=cat.integer(n_used + n_drop)
            )
        for w in blk["warnings"]:
            text += " " + cat("conclusions.cfa_warning", text=w)
        add("ok" if blk["met"] == 4 and blk["converged"] else "warn", text)
    agg = ctx["aggregation"]["rows"]
    if not agg:
        add("info", cat("conclusions.icc_none"))
    else:
        thr_i, src_i = threshold(result, "icc2", 0.70)
        have = [r for r in agg if r["icc2"] is not None]
        if have:
            low = [r for r in have if r["icc2"] < thr_i]
            need = max((r["needed"] for r in have if r["needed"] is not None), default=None)
            m = ctx["aggregation"]["m_typical"]
            common = dict(
                thr=cat.number(thr_i),
                k=len(have),
                m=cat.number(m, 1),
                source=src_i,
                need="–" if need is None else cat.integer(int(need)),
            )
            gs, excluded = result.sample.group_size, result.sample.aggregation_excluded
            small = (
                gs is not None
                and need is not None
                and gs.min < need
                and (excluded is None or not excluded.partnerships)
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
            if small and gs is not None:  # the partnerships below the needed size
                out[-1]["text"] += " " + cat(
                    "conclusions.icc_small", need=common["need"], min=cat.integer(gs.min)
                )
        meds = [r for r in agg if r["rwg_median"] is not None]
        if meds:
            thr_w, src_w = threshold(result, "rwg_j", 0.70)
            few = [r["name"] for r in meds if r["strong"] is not None and r["strong"] < 0.5]
            shares = [r for r in meds if r["strong"] is not None]
            lowest = min(shares, key=lambda r: (r["strong"], -(r["weak"] or 0)), default=None)
            if few:
                detail = cat("conclusions.rwg_weak", list=_listing(cat, few))
            elif lowest is not None:
                detail = cat(
                    "conclusions.rwg_fine_lowest",
                    name=lowest["name"],
                    strong=cat.percent(lowest["strong"]),
                    weak=cat.percent(lowest["weak"]),
                    low=cat.number(ctx["aggregation"]["weak"]),
                )
            else:
                detail = cat("conclusions.rwg_fine")
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
