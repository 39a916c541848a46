"""Sections of the report context (see :mod:`kemitraan_assess.report.context`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .locale import Catalogue
from .recommend import Recommendations
from .suppress import suppress_groups
from .waves import wave_change

__all__ = [
    "band_list",
    "factor_sections",
    "benefits_section",
    "model_section",
    "portfolio_section",
    "wave_section",
    "sector_table",
    "action_plan",
    "methods_section",
]

_NO_SECTOR = "_none"


def band_list(cat: Catalogue, instrument: Any, lang: str) -> list[dict[str, Any]]:
    """Bands high → low with their range in words (``≥ 4,00``, ``3,00–3,99``, ``< 3,00``)."""
    out = []
    bands = instrument.bands
    for i, b in enumerate(bands):
        if i == 0:
            rng = f"≥ {cat.number(b.min)}"
        elif i == len(bands) - 1:
            rng = f"< {cat.number(bands[i - 1].min)}"
        else:
            rng = f"{cat.number(b.min)}–{cat.number(bands[i - 1].min - 0.01)}"
        out.append({"id": b.id, "min": b.min, "label": instrument.text(b.label, lang),
                    "description": instrument.text(b.description, lang), "range_text": rng})
    return out


def _band_label(instrument: Any, band_id: str | None, lang: str) -> str:
    for b in instrument.bands:
        if b.id == band_id:
            return instrument.text(b.label, lang)
    return ""


def _agreement_text(cat: Catalogue, agreement: str | None, rwg: float | None) -> str:
    if agreement is None or rwg is None:
        return cat("agreement.none")
    return cat(f"agreement.{agreement}", rwg=cat.number(rwg))


def _choice_label(instrument: Any, role: str, code: str | None, lang: str) -> str:
    fld = instrument.field_by_role(role)
    if fld is None or code is None:
        return "" if code is None else str(code)
    for c in fld.choices:
        if c.code == code:
            return instrument.text(c.label, lang)
    return str(code)


def _sector_breakdown(cat: Catalogue, scores: Any, rows: np.ndarray, sid: str, lang: str, k: int) -> dict[str, Any]:
    """Scale means by sector for one partnership, with complementary suppression."""
    instrument = scores.instrument
    fld = instrument.field_by_role("sector")
    resp = scores.respondents
    if fld is None or fld.id not in resp.columns or sid not in resp.columns:
        return {"available": False, "rows": [], "note": cat("sectors.no_field")}
    sub = resp.iloc[rows]
    vals = sub[sid].to_numpy(dtype=float)
    sec = sub[fld.id].astype("string").fillna(_NO_SECTOR).to_numpy(dtype=object)
    ok = ~np.isnan(vals)
    frame = pd.DataFrame({"s": sec[ok], "v": vals[ok]})
    stats = frame.groupby("s", sort=True)["v"].agg(["count", "mean"])
    counts = {str(s): int(n) for s, n in stats["count"].items()}
    sup = suppress_groups(counts, k)
    means = {str(s): float(m) for s, m in stats["mean"].items()}
    out_rows = []
    for s in sup.shown:
        label = cat("sectors.unknown") if s == _NO_SECTOR else _choice_label(instrument, "sector", s, lang)
        mean = float(means[s])
        out_rows.append({"sector": s, "label": label, "n": counts[s], "n_text": cat.integer(counts[s]),
                         "mean": mean, "mean_text": cat.number(mean)})
    if sup.shown and sup.combined_ok:
        m = float(frame.loc[frame["s"].isin(sup.hidden), "v"].mean())
        out_rows.append({"sector": "_combined", "label": cat("sectors.combined"), "n": sup.hidden_n,
                         "n_text": cat.integer(sup.hidden_n), "mean": m, "mean_text": cat.number(m)})
    if not sup.shown:
        note = cat("sectors.none_shown", k=k)
    elif sup.hidden:
        note = cat("sectors.some_hidden", k=k)
    else:
        note = ""
    return {"available": bool(sup.shown), "rows": out_rows, "note": note}


def _item_rows(cat: Catalogue, scores: Any, rows: np.ndarray, scale: Any, lang: str) -> list[dict[str, Any]]:
    instrument = scores.instrument
    out = []
    for item in scale.items:
        rs = instrument.response_scales[item.response]
        if item.id in scores.responses.columns and len(rows):
            v = scores.responses[item.id].iloc[rows].to_numpy(dtype=float)
            v = v[~np.isnan(v)]
            v = v[(v >= rs.min) & (v <= rs.max)]
            counts = np.bincount((v - rs.min).astype(np.int64), minlength=rs.n_options).tolist()
        else:
            counts = [0] * rs.n_options
        n = int(sum(counts))
        label = instrument.text(item.short or item.text, lang)
        out.append({
            "id": item.id,
            "label": label + (" " + cat("items.reverse_mark") if item.reverse else ""),
            "text": instrument.text(item.text, lang),
            "reverse": bool(item.reverse),
            "counts": [int(c) for c in counts],
            "n": n,
        })
    return out


def factor_sections(cat: Catalogue, scores: Any, name: str, rows: np.ndarray, lang: str, k: int) -> list[dict[str, Any]]:
    """One entry per success-factor scale: mean, CI, band, agreement, items, sectors."""
    instrument = scores.instrument
    summary = scores.summary
    p = summary["partnerships"][name]
    medians = summary.get("portfolio", {}).get("scales", {})
    out = []
    for scale in instrument.scales_of_kind("success_factor"):
        s = p["scales"].get(scale.id) or {}
        ci = s.get("ci95") or [None, None]
        mean = s.get("mean")
        median = (medians.get(scale.id) or {}).get("median")
        entry: dict[str, Any] = {
            "id": scale.id,
            "name": instrument.text(scale.name, lang),
            "description": instrument.text(scale.description, lang),
            "n": s.get("n"),
            "mean": mean,
            "sd": s.get("sd"),
            "ci": ci,
            "band": s.get("band"),
            "band_label": _band_label(instrument, s.get("band"), lang),
            "uncertain": bool(s.get("band_uncertain")),
            "rwg": s.get("rwg_j"),
            "agreement": s.get("agreement"),
            "median": median,
            "mean_text": cat.number(mean),
            "ci_text": cat.interval(ci[0], ci[1]),
            "sd_text": cat.number(s.get("sd")),
            "rwg_text": cat.number(s.get("rwg_j")),
            "median_text": cat.number(median),
            "n_text": cat.integer(s.get("n")),
        }
        entry["agreement_text"] = _agreement_text(cat, entry["agreement"], entry["rwg"])
        entry["value_text"] = f"{entry['mean_text']} ({entry['ci_text']})"
        entry["sentence"] = cat("factor.sentence", mean=entry["mean_text"], lo=cat.number(ci[0]),
                                hi=cat.number(ci[1]), band=entry["band_label"], n=entry["n_text"])
        entry["uncertain_text"] = cat("factor.band_uncertain") if entry["uncertain"] else ""
        entry["items"] = _item_rows(cat, scores, rows, scale, lang)
        entry["sectors"] = (
            _sector_breakdown(cat, scores, rows, scale.id, lang, k) if entry["agreement"] == "weak" else None
        )
        out.append(entry)
    return out


def benefits_section(cat: Catalogue, scores: Any, name: str, lang: str) -> list[dict[str, Any]]:
    instrument = scores.instrument
    p = scores.summary["partnerships"][name]
    out = []
    for scale in instrument.scales_of_kind("benefit"):
        s = p["scales"].get(scale.id) or {}
        ci = s.get("ci95") or [None, None]
        out.append({
            "id": scale.id,
            "name": instrument.text(scale.name, lang),
            "description": instrument.text(scale.description, lang),
            "mean": s.get("mean"),
            "ci": ci,
            "band": s.get("band"),
            "band_label": _band_label(instrument, s.get("band"), lang),
            "mean_text": cat.number(s.get("mean")),
            "ci_text": cat.interval(ci[0], ci[1]),
            "value_text": cat.number(s.get("mean")),
            "agreement_text": _agreement_text(cat, s.get("agreement"), s.get("rwg_j")),
        })
    return out


def model_section(cat: Catalogue, scores: Any, name: str, lang: str) -> dict[str, Any]:
    """Type, model profile, and whether the model fits goals, resources and context."""
    instrument = scores.instrument
    p = scores.summary["partnerships"][name]
    models = {m.id: m for m in instrument.models}

    def mname(mid: str | None) -> str:
        return instrument.text(models[mid].name, lang) if mid in models else (mid or "")

    type_code = p.get("type")
    ptype = next((t for t in instrument.types if t.id == type_code), None)
    type_info = {
        "code": type_code,
        "label": _choice_label(instrument, "type", type_code, lang) if type_code else "",
        "description": instrument.text(ptype.description, lang) if ptype else "",
        "share": p.get("type_share"),
        "share_text": cat.percent(p.get("type_share")),
    }
    type_info["sentence"] = (
        cat("model.type_sentence", type=type_info["label"], share=type_info["share_text"])
        if type_code else cat("model.type_unknown")
    )
    m = p.get("model") or {}
    fit = p.get("model_fit") or {}
    top = m.get("top")
    bars = [
        {"key": mid, "label": mname(mid), "mean": val, "value_text": cat.number(val)}
        for mid, val in (m.get("scores") or {}).items()
    ]
    out: dict[str, Any] = {
        "type": type_info,
        "top": top,
        "top_name": mname(top),
        "top_description": instrument.text(models[top].description, lang) if top in models else "",
        "runner_up": m.get("runner_up"),
        "runner_up_name": mname(m.get("runner_up")),
        "margin": m.get("margin"),
        "clear": bool(m.get("clear")),
        "bars": bars,
        "fits": fit.get("fits"),
        "suggested": list(fit.get("suggested") or []),
        "suggested_names": [mname(x) for x in fit.get("suggested") or []],
    }
    if top is None:
        out["profile_sentence"] = cat("model.no_profile")
    elif out["clear"]:
        out["profile_sentence"] = cat("model.points_clear", model=out["top_name"])
    else:
        out["profile_sentence"] = cat("model.points_close", model=out["top_name"], runner=out["runner_up_name"],
                                      margin=cat.number(out["margin"]))
    reasons = []
    for r in fit.get("reasons") or []:
        fld = next((f for f in instrument.fields if f.id == r.get("field")), None)
        choice = next((c for c in fld.choices if c.code == r.get("answer")), None) if fld else None
        reasons.append({
            "field": r.get("field"),
            "question": instrument.text(fld.text, lang) if fld else str(r.get("field")),
            "answer": instrument.text(choice.label, lang) if choice else str(r.get("answer")),
            "share_text": cat.percent(r.get("share")),
            "suits": [mname(x) for x in r.get("suits") or []],
            "suits_text": cat.join([mname(x) for x in r.get("suits") or []]) or cat("model.suits_none"),
            "reason": instrument.text(choice.reason, lang) if choice and choice.reason else "",
            "matches": top in (r.get("suits") or []),
        })
    out["reasons"] = reasons
    sugg = cat.join(out["suggested_names"])
    if out["fits"] is True:
        out["verdict"] = cat("model.fits_yes", model=out["top_name"])
    elif out["fits"] is False:
        out["verdict"] = cat("model.fits_no", model=out["top_name"], suggested=sugg)
    else:
        out["verdict"] = cat("model.fits_unknown")
    return out


def portfolio_section(cat: Catalogue, scores: Any, name: str, lang: str) -> dict[str, Any]:
    summary = scores.summary
    instrument = scores.instrument
    p = summary["partnerships"][name]
    port = summary.get("portfolio", {})
    med = (port.get("readiness") or {}).get("median")
    n_shown = int((port.get("readiness") or {}).get("n") or 0)
    idx = (p.get("readiness") or {}).get("index")
    pct = (p.get("readiness") or {}).get("percentile")
    rows = []
    for scale in instrument.scales:
        if scale.kind not in ("success_factor", "benefit"):
            continue
        s = p["scales"].get(scale.id) or {}
        m = (port.get("scales", {}).get(scale.id) or {}).get("median")
        diff = None if s.get("mean") is None or m is None else s["mean"] - m
        rows.append({"id": scale.id, "name": instrument.text(scale.name, lang), "kind": scale.kind,
                     "mean_text": cat.number(s.get("mean")), "median_text": cat.number(m),
                     "diff": diff, "diff_text": cat.signed(diff)})
    out = {"available": n_shown >= 2 and med is not None, "median": med, "median_text": cat.number(med),
           "n_partnerships": n_shown, "percentile": pct, "rows": rows}
    if out["available"]:
        out["sentence"] = cat("portfolio.sentence", index=cat.number(idx), median=cat.number(med),
                              n=cat.integer(n_shown), pct=cat.ordinal(None if pct is None else round(pct)))
    else:
        out["sentence"] = cat("portfolio.too_few")
    return out


def wave_section(cat: Catalogue, scores: Any, name: str, rows: np.ndarray, lang: str, k: int) -> dict[str, Any] | None:
    instrument = scores.instrument
    fld = instrument.field_by_role("wave")
    resp = scores.respondents
    if fld is None or fld.id not in resp.columns:
        return None
    sids = list(instrument.readiness_composite.scales)
    cols = [c for c in [*sids, "readiness"] if c in resp.columns]
    res = wave_change(resp.iloc[rows], fld.id, cols, min_group_size=k,
                      ci_level=float(scores.summary.get("settings", {}).get("ci_level", 0.95)))
    if res is None:
        return None
    out: dict[str, Any] = {"previous": res["previous"], "current": res["current"],
                           "comparable": res["comparable"], "rows": []}
    if not res["comparable"]:
        out["sentence"] = cat("waves.not_comparable", k=k)
        return out
    out["sentence"] = cat("waves.sentence", previous=res["previous"], current=res["current"],
                          n1=cat.integer(res["n_previous"]), n2=cat.integer(res["n_current"]))
    for sid, d in res["scales"].items():
        label = cat("waves.readiness") if sid == "readiness" else instrument.text(instrument.scale(sid).name, lang)
        if d is None:
            out["rows"].append({"id": sid, "name": label, "diff": None, "diff_text": "–", "ci_text": "–",
                                "verdict": cat("waves.not_computed")})
            continue
        lo, hi = d["ci"]
        verdict = cat("waves.up") if lo > 0 else cat("waves.down") if hi < 0 else cat("waves.unclear")
        out["rows"].append({"id": sid, "name": label, "diff": d["difference"], "ci": [lo, hi],
                            "previous_text": cat.number(d["mean_previous"]), "current_text": cat.number(d["mean_current"]),
                            "diff_text": cat.signed(d["difference"]),
                            "ci_text": f"{cat.signed(lo)} {cat('words.to')} {cat.signed(hi)}", "verdict": verdict})
    return out


def sector_table(cat: Catalogue, scores: Any, rows: np.ndarray, lang: str, k: int) -> dict[str, Any]:
    """Respondents by sector, with small sectors merged so none can be recovered."""
    instrument = scores.instrument
    fld = instrument.field_by_role("sector")
    resp = scores.respondents
    if fld is None or fld.id not in resp.columns or len(rows) == 0:
        return {"available": False, "rows": [], "note": cat("sectors.no_field")}
    sec = resp[fld.id].iloc[rows].astype("string").fillna(_NO_SECTOR)
    counts = {str(s): int(n) for s, n in sec.value_counts(sort=False).items()}
    sup = suppress_groups(counts, k, min_shown=1)
    out_rows = [{"label": cat("sectors.unknown") if s == _NO_SECTOR else _choice_label(instrument, "sector", s, lang),
                 "n_text": cat.integer(counts[s])} for s in sup.shown]
    if sup.hidden and sup.combined_ok:
        out_rows.append({"label": cat("sectors.combined"), "n_text": cat.integer(sup.hidden_n)})
    note = cat("sectors.some_hidden", k=k) if sup.hidden else ""
    if not sup.shown:
        note = cat("sectors.none_shown", k=k)
    return {"available": bool(sup.shown), "rows": out_rows, "note": note}


def action_plan(cat: Catalogue, instrument: Any, factors: list[dict[str, Any]], model: Mapping[str, Any],
                recs: Recommendations, lang: str, *, max_factors: int = 3, per_factor: int = 3) -> list[dict[str, Any]]:
    """Actions for the weakest factors below the top band, then for the working model."""
    top_band = instrument.bands[0].id
    below = [f for f in factors if f["mean"] is not None and f["band"] != top_band]
    below.sort(key=lambda f: (f["mean"], f["id"]))
    plan: list[dict[str, Any]] = []
    for f in below[:max_factors]:
        actions = recs.for_scale(f["id"], f["band"], lang)[:per_factor]
        if not actions:
            plan.append({"kind": "factor", "factor_id": f["id"], "factor": f["name"], "band_label": f["band_label"],
                         "action": "", "placeholder": cat("plan.own_action")})
        for a in actions:
            plan.append({"kind": "factor", "factor_id": f["id"], "factor": f["name"], "band_label": f["band_label"],
                         "action": a, "placeholder": ""})
    if model.get("top"):
        for a in recs.for_model(model["top"], lang)[:2]:
            plan.append({"kind": "model", "factor_id": model["top"], "factor": cat("plan.model_row", model=model["top_name"]),
                         "band_label": "", "action": a, "placeholder": ""})
    return plan


def methods_section(cat: Catalogue, scores: Any, name: str, lang: str) -> dict[str, Any]:
    summary = scores.summary
    instrument = scores.instrument
    settings = summary.get("settings", {})
    k = settings.get("min_group_size", instrument.defaults.min_group_size)
    by_kind: dict[str, list[tuple[int, int]]] = {}
    for scale in instrument.scales:
        need = int((settings.get("min_answered") or {}).get(scale.id, instrument.min_answered_count(scale)))
        rule = (need, len(scale.items))
        if rule not in by_kind.setdefault(scale.kind, []):
            by_kind[scale.kind].append(rule)
    rules = [{"name": cat(f"methods.kind_{kind}"),
              "text": "; ".join(cat("methods.min_answered_rule", k=cat.integer(a), n=cat.integer(b))
                                for a, b in sorted(pairs, key=lambda r: (r[1], r[0])))}
             for kind, pairs in by_kind.items()]
    thr = float(settings.get("icc2_threshold", instrument.defaults.icc2_threshold))
    icc_notes = []
    for sid in instrument.readiness_composite.scales:
        v = (summary.get("icc") or {}).get(sid) or {}
        if v.get("icc2") is not None and v["icc2"] < thr:
            icc_notes.append(cat("methods.icc_low", factor=instrument.text(instrument.scale(sid).name, lang),
                                 icc2=cat.number(v["icc2"]), threshold=cat.number(thr)))
    return {
        "instrument": cat("methods.instrument", title=instrument.text(instrument.title, lang) or instrument.id,
                          id=instrument.id, version=instrument.version),
        "source": instrument.text(instrument.source, lang) if instrument.source else "",
        "sample": cat("methods.sample", n=cat.integer(summary.get("n_respondents")),
                      g=cat.integer(summary.get("n_partnerships"))),
        "this_n": cat("methods.this_n", n=cat.integer(summary["partnerships"][name]["n"])),
        "min_answered": rules,
        "suppression": cat("methods.suppression", k=k),
        "ci": cat("methods.ci", level=cat.percent(settings.get("ci_level", 0.95))),
        "agreement": cat("methods.agreement", strong=cat.number(settings.get("agreement_strong", 0.70)),
                         moderate=cat.number(settings.get("agreement_moderate", 0.51))),
        "readiness": cat("methods.readiness", factors=cat.join(
            [instrument.text(instrument.scale(s).name, lang) for s in instrument.readiness_composite.scales])),
        "icc": cat("methods.icc"),
        "icc_notes": icc_notes,
        "model": cat("methods.model"),
    }
