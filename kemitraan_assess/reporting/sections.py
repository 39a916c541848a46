"""Sections of the report context (see :mod:`kemitraan_assess.reporting.context`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import KemitraanError
from ..scoring.results import NO_SECTOR, PartnershipResult, ScaleResult
from ..scoring.stats import pooled_mean
from .executive import in_sentence, round_name
from .locale import Catalogue
from .recommend import Recommendations
from .suppress import suppress_groups

__all__ = [
    "band_label",
    "band_list",
    "choice_label",
    "factor_sections",
    "benefits_section",
    "model_section",
    "portfolio_section",
    "sector_table",
    "action_plan",
    "methods_section",
]

_NO_SECTOR = NO_SECTOR
SPLIT_POINTS = 1.0
"""Sector means this far apart (on the 1–5 scale) make a factor 'divided' even with fair rwg(j)."""


def present(value: Any, what: str, name: str) -> Any:
    """``value``, which scoring always gives a shown partnership; a clear error, not an
    ``AttributeError`` deep in a template, if it ever does not."""
    if value is None:
        raise KemitraanError(
            f"partnership {name!r}: scoring gave no {what}, which a shown partnership must have"
        )
    return value


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
        out.append(
            {
                "id": b.id,
                "min": b.min,
                "label": instrument.text(b.label, lang),
                "description": instrument.text(b.description, lang),
                "range_text": rng,
            }
        )
    return out


def band_label(instrument: Any, band_id: str | None, lang: str) -> str:
    for b in instrument.bands:
        if b.id == band_id:
            return instrument.text(b.label, lang)
    return ""


def _agreement_text(cat: Catalogue, agreement: str | None, rwg: float | None) -> str:
    if agreement is None or rwg is None:
        return cat("agreement.none")
    return cat(f"agreement.{agreement}", rwg=cat.number(rwg))


def choice_label(instrument: Any, role: str, code: str | None, lang: str) -> str:
    fld = instrument.field_by_role(role)
    if fld is None or code is None:
        return "" if code is None else str(code)
    for c in fld.choices:
        if c.code == code:
            return instrument.text(c.label, lang)
    return str(code)


def _sector_breakdown(
    cat: Catalogue, scores: Any, p: PartnershipResult, sid: str, lang: str, k: int
) -> dict[str, Any]:
    """Scale means by sector for one partnership, with complementary suppression."""
    instrument = scores.instrument
    if sid not in p.sector_means:
        return {"available": False, "rows": [], "note": cat("sectors.no_field")}
    stats = {m.sector: m for m in p.sector_means[sid]}
    sup = suppress_groups({s: m.n for s, m in stats.items()}, k)
    out_rows = []
    for s in sup.shown:
        label = (
            cat("sectors.unknown")
            if s == _NO_SECTOR
            else choice_label(instrument, "sector", s, lang)
        )
        mean = stats[s].mean
        out_rows.append(
            {
                "sector": s,
                "label": label,
                "n": stats[s].n,
                "n_text": cat.integer(stats[s].n),
                "mean": mean,
                "mean_text": cat.number(mean),
            }
        )
    if sup.shown and sup.combined_ok:
        m = pooled_mean([stats[s] for s in sup.hidden])
        out_rows.append(
            {
                "sector": "_combined",
                "label": cat("sectors.combined"),
                "n": sup.hidden_n,
                "n_text": cat.integer(sup.hidden_n),
                "mean": m,
                "mean_text": cat.number(m),
            }
        )
    if not sup.shown:
        note = cat("sectors.none_shown", k=k)
    elif sup.hidden:
        note = cat("sectors.some_hidden", k=k)
    else:
        note = ""
    return {
        "available": bool(sup.shown),
        "rows": out_rows,
        "note": note,
        "suppressed": not sup.shown,
    }


def _other_bands(
    instrument: Any, band: str | None, lo: float | None, hi: float | None, lang: str
) -> list[str]:
    """'“Perlu perhatian”': the band(s) other than ``band`` that the interval reaches into."""
    from ..instrument.model import BAND_HALF_UNIT

    if lo is None or hi is None:
        return []

    def band_of(v: float) -> Any:
        return next(
            (b for b in instrument.bands if v >= b.min - BAND_HALF_UNIT), instrument.bands[-1]
        )

    reached = (band_of(lo), band_of(hi))
    return [
        f"“{instrument.text(b.label, lang)}”"
        for b in instrument.bands
        if b.id != band and b in reached
    ]


def uncertain_text(
    cat: Catalogue, instrument: Any, band: str | None, lo: float | None, hi: float | None, lang: str
) -> str:
    """'The 95% confidence interval (2.88–3.89) crosses a band boundary ...: the result
    could also be “Concern”.' naming the band(s) the interval reaches into (the index on
    page 1 and every factor: DESIGN says an uncertain band is said, not hidden)."""
    others = _other_bands(instrument, band, lo, hi, lang)
    if not others:
        return cat("summary.band_uncertain")
    return cat(
        "summary.band_uncertain_named",
        ci=cat.interval(lo, hi),
        other=f" {cat('words.or')} ".join(others),
    )


def _item_rows(
    cat: Catalogue, scores: Any, p: PartnershipResult, scale: Any, lang: str
) -> list[dict[str, Any]]:
    instrument = scores.instrument
    out = []
    for item in scale.items:
        d = p.items[item.id]
        label = instrument.text(item.short or item.text, lang)
        out.append(
            {
                "id": item.id,
                "label": label + (" " + cat("items.reverse_mark") if item.reverse else ""),
                "text": instrument.text(item.text, lang),
                "reverse": bool(item.reverse),
                "counts": list(d.counts),
                "keyed_counts": list(d.keyed_counts),
                "favourable": d.favourable,
                "unfavourable": d.unfavourable,
                "neutral": d.neutral,
                "n": d.n,
            }
        )
    return out


def _scale_entry(
    cat: Catalogue, instrument: Any, scale: Any, s: ScaleResult, lang: str
) -> dict[str, Any]:
    ci = [s.ci_low, s.ci_high]
    entry: dict[str, Any] = {
        "id": scale.id,
        "name": instrument.text(scale.name, lang),
        "description": instrument.text(scale.description, lang),
        "n": s.n,
        "mean": s.mean,
        "sd": s.sd,
        "ci": ci,
        "band": s.band,
        "band_label": band_label(instrument, s.band, lang),
        "uncertain": s.band_uncertain,
        "rwg": s.rwg_j,
        "agreement": s.agreement,
        "divided": s.divided,
        "median": s.portfolio_median,
        "mean_text": cat.number(s.mean),
        "ci_text": cat.interval(ci[0], ci[1]),
        "sd_text": cat.number(s.sd),
        "rwg_text": cat.number(s.rwg_j),
        "median_text": cat.number(s.portfolio_median),
        "n_text": cat.integer(s.n),
    }
    entry["agreement_text"] = _agreement_text(cat, s.agreement, s.rwg_j)
    entry["value_text"] = entry["mean_text"]
    entry["divided_text"] = cat("exec.divided_badge") if s.divided else ""
    return entry


def factor_sections(
    cat: Catalogue, scores: Any, p: PartnershipResult, lang: str, k: int
) -> list[dict[str, Any]]:
    """One entry per success-factor scale: mean, CI, band, agreement, items, sectors."""
    instrument = scores.instrument
    out = []
    for scale in instrument.scales_of_kind("success_factor"):
        s = p.scales[scale.id]
        entry = _scale_entry(cat, instrument, scale, s, lang)
        entry["sentence"] = cat(
            "factor.sentence",
            mean=entry["mean_text"],
            lo=cat.number(s.ci_low),
            hi=cat.number(s.ci_high),
            band=entry["band_label"],
            n=entry["n_text"],
        )
        others = _other_bands(instrument, s.band, s.ci_low, s.ci_high, lang)
        entry["uncertain_text"] = (
            uncertain_text(cat, instrument, s.band, s.ci_low, s.ci_high, lang)
            if entry["uncertain"]
            else ""
        )
        # the short flag beside a factor listed by band ('Faktor terkuat')
        entry["uncertain_short"] = (
            cat("summary.band_uncertain_short", other=f" {cat('words.or')} ".join(others))
            if entry["uncertain"] and others
            else ""
        )
        entry["items"] = _item_rows(cat, scores, p, scale, lang)
        sectors = _sector_breakdown(cat, scores, p, scale.id, lang, k)
        means = [r["mean"] for r in sectors["rows"] if r["mean"] is not None]
        # a sector split: sectors shown apart differ by a whole point or more
        entry["split"] = len(means) >= 2 and max(means) - min(means) >= SPLIT_POINTS
        entry["divided"] = s.divided or entry["split"]
        entry["divided_text"] = cat("exec.divided_badge") if entry["divided"] else ""
        entry["sectors"] = sectors if entry["divided"] else None
        out.append(entry)
    return out


def benefits_section(
    cat: Catalogue, scores: Any, p: PartnershipResult, lang: str
) -> list[dict[str, Any]]:
    instrument = scores.instrument
    return [
        _scale_entry(cat, instrument, scale, p.scales[scale.id], lang)
        for scale in instrument.scales_of_kind("benefit")
    ]


def model_section(cat: Catalogue, scores: Any, p: PartnershipResult, lang: str) -> dict[str, Any]:
    """Type, model profile, and whether the model fits goals, resources and context."""
    instrument = scores.instrument
    models = {m.id: m for m in instrument.models}

    def mname(mid: str | None) -> str:
        return instrument.text(models[mid].name, lang) if mid in models else (mid or "")

    def sname(mid: str | None) -> str:  # inside a sentence
        return in_sentence(mname(mid), lang)

    type_code = p.type
    ptype = next((t for t in instrument.types if t.id == type_code), None)
    type_info = {
        "code": type_code,
        "label": choice_label(instrument, "type", type_code, lang) if type_code else "",
        "description": instrument.text(ptype.description, lang) if ptype else "",
        "share": p.type_share,
        "share_text": cat.percent(p.type_share),
    }
    # a common noun inside a sentence in every language: 'sebagai kemitraan multisektoral', 'as a
    # multisectoral partnership' (not 'as a Multisectoral partnership'); an acronym keeps its case
    label = in_sentence(str(type_info["label"]), "id")
    type_info["sentence"] = (
        cat("model.type_sentence", type=label, share=type_info["share_text"])
        if type_code
        else cat("model.type_unknown")
    )
    m = present(p.model, "model profile", p.name)
    top = m.top
    bars = [
        {"key": mid, "label": mname(mid), "mean": val, "value_text": cat.number(val)}
        for mid, val in m.scores
    ]
    out: dict[str, Any] = {
        "type": type_info,
        "top": top,
        "top_name": mname(top),
        "top_description": instrument.text(models[top].description, lang) if top in models else "",
        "runner_up": m.runner_up,
        "runner_up_name": mname(m.runner_up),
        "margin": m.margin,
        "clear": m.clear,
        "bars": bars,
        "fits": m.fits,
        "suggested": list(m.suggested),
        "suggested_names": [mname(x) for x in m.suggested],
    }
    if top is None:
        out["profile_sentence"] = cat("model.no_profile")
    elif out["clear"]:
        out["profile_sentence"] = cat("model.points_clear", model=sname(top))
    else:
        out["profile_sentence"] = cat(
            "model.points_close",
            model=sname(top),
            runner=sname(m.runner_up),
            margin=cat.number(out["margin"]),
        )
    reasons = []
    for r in m.reasons:
        fld = next((f for f in instrument.fields if f.id == r.field), None)
        choice = next((c for c in fld.choices if c.code == r.answer), None) if fld else None
        reasons.append(
            {
                "field": r.field,
                "question": instrument.text(fld.text, lang) if fld else str(r.field),
                "answer": instrument.text(choice.label, lang) if choice else str(r.answer),
                "share_text": cat.percent(r.share),
                "suits": [mname(x) for x in r.suits],
                # the current model is marked where it is named: "Aliansi dan Koordinasi (cara
                # kerja saat ini)", not a bold line after the list that reads as if every model
                # named were the current one
                "suits_text": cat.join(
                    [
                        cat("model.current_marked", model=mname(x)) if x == top else mname(x)
                        for x in r.suits
                    ]
                )
                or cat("model.suits_none"),
                "reason": instrument.text(choice.reason, lang) if choice and choice.reason else "",
                "matches": top in r.suits,
            }
        )
    out["reasons"] = reasons
    out["ranking"] = _model_ranking(cat, instrument, m, lang)
    best = [r for r in out["ranking"] if not r["current"] and r["met"] == out["ranking"][0]["met"]]
    sugg = cat.join([in_sentence(r["name"], lang) for r in best] or [sname(x) for x in m.suggested])
    if out["fits"] is True:
        out["verdict"] = cat("model.fits_yes", model=sname(top))
    elif out["fits"] is False:
        out["verdict"] = cat("model.fits_no", model=sname(top), suggested=sugg)
    else:
        out["verdict"] = cat("model.fits_unknown")
    return out


def _model_ranking(cat: Catalogue, instrument: Any, m: Any, lang: str) -> list[dict[str, Any]]:
    """Models ranked by how many of the three criteria (goals, resources, context) they meet."""
    n_crit = len(m.reasons)
    rows = []
    for model in instrument.models:
        met = m.criteria_met(model.id)
        rows.append(
            {
                "id": model.id,
                "name": instrument.text(model.name, lang),
                "met": met,
                "met_text": cat("model.criteria_met", k=cat.integer(met), n=cat.integer(n_crit)),
                "current": model.id == m.top,
                "strengths": cat(f"models.{model.id}.strengths")
                if cat.has(f"models.{model.id}.strengths")
                else "",
                "weaknesses": cat(f"models.{model.id}.weaknesses")
                if cat.has(f"models.{model.id}.weaknesses")
                else "",
            }
        )
    rows.sort(key=lambda r: (-r["met"], not r["current"], r["name"]))
    return rows


def portfolio_section(
    cat: Catalogue, scores: Any, p: PartnershipResult, lang: str
) -> dict[str, Any]:
    summary = scores.summary
    instrument = scores.instrument
    port = summary["portfolio"]
    med = port["readiness"]["median"]
    n_shown = int(port["readiness"]["n"] or 0)
    idx = present(p.readiness, "readiness index", p.name).index
    pct = p.readiness.percentile
    rows = []
    for scale in instrument.scales:
        if scale.kind not in ("success_factor", "benefit"):
            continue
        s = p.scales[scale.id]
        m = s.portfolio_median
        diff = None if s.mean is None or m is None else s.mean - m
        # within noise: the median lies inside the partnership's own CI
        noise = (
            diff is not None
            and s.ci_low is not None
            and s.ci_high is not None
            and s.ci_low <= m <= s.ci_high
        )  # type: ignore[operator]
        rows.append(
            {
                "id": scale.id,
                "name": instrument.text(scale.name, lang),
                "kind": scale.kind,
                "mean_text": cat.number(s.mean),
                "median_text": cat.number(m),
                "ci_text": cat.interval(s.ci_low, s.ci_high),
                "diff": diff,
                "diff_text": cat.signed(diff),
                "within_noise": bool(noise),
            }
        )
    out = {
        "available": n_shown >= 2 and med is not None,
        "median": med,
        "median_text": cat.number(med),
        "n_partnerships": n_shown,
        "percentile": pct,
        "rows": rows,
    }
    if out["available"]:
        out["sentence"] = cat(
            "portfolio.sentence",
            index=cat.number(idx),
            median=cat.number(med),
            n=cat.integer(n_shown),
            pct=cat.ordinal(None if pct is None else round(pct)),
        )
    else:
        out["sentence"] = cat("portfolio.too_few")
    return out


def sector_table(
    cat: Catalogue, scores: Any, p: PartnershipResult, lang: str, k: int
) -> dict[str, Any]:
    """Respondents by sector, with small sectors merged so none can be recovered."""
    instrument = scores.instrument
    if instrument.field_by_role("sector") is None or not p.sectors:
        return {"available": False, "rows": [], "note": cat("sectors.no_field")}
    counts = dict(p.sectors)
    missing = p.n - sum(counts.values())
    if missing > 0:
        counts[_NO_SECTOR] = missing
    sup = suppress_groups(counts, k, min_shown=1)
    out_rows = [
        {
            "label": cat("sectors.unknown")
            if s == _NO_SECTOR
            else choice_label(instrument, "sector", s, lang),
            "n_text": cat.integer(counts[s]),
        }
        for s in sup.shown
    ]
    if sup.hidden and sup.combined_ok:
        out_rows.append({"label": cat("sectors.combined"), "n_text": cat.integer(sup.hidden_n)})
    note = cat("sectors.some_hidden", k=k) if sup.hidden else ""
    if not sup.shown:
        note = cat("sectors.none_shown", k=k)
    return {"available": bool(sup.shown), "rows": out_rows, "note": note}


def action_plan(
    cat: Catalogue,
    instrument: Any,
    factors: list[dict[str, Any]],
    model: Mapping[str, Any],
    recs: Recommendations,
    lang: str,
    *,
    max_factors: int = 3,
    per_factor: int = 3,
) -> list[dict[str, Any]]:
    """Actions for the weakest factors below the top band, then for the working model."""
    top_band = instrument.bands[0].id
    below = [f for f in factors if f["mean"] is not None and f["band"] != top_band]
    below.sort(key=lambda f: (f["mean"], f["id"]))
    plan: list[dict[str, Any]] = []
    for f in below[:max_factors]:
        actions = recs.for_scale(f["id"], f["band"], lang)[:per_factor]
        if not actions:
            plan.append(
                {
                    "kind": "factor",
                    "factor_id": f["id"],
                    "factor": f["name"],
                    "band_label": f["band_label"],
                    "action": "",
                    "placeholder": cat("plan.own_action"),
                }
            )
        for a in actions:
            plan.append(
                {
                    "kind": "factor",
                    "factor_id": f["id"],
                    "factor": f["name"],
                    "band_label": f["band_label"],
                    "action": a,
                    "placeholder": "",
                }
            )
    if model.get("top"):
        for a in recs.for_model(model["top"], lang)[:2]:
            plan.append(
                {
                    "kind": "model",
                    "factor_id": model["top"],
                    "factor": cat("plan.model_row", model=model["top_name"]),
                    "band_label": "",
                    "action": a,
                    "placeholder": "",
                }
            )
    return plan


def _methods_rounds(cat: Catalogue, scores: Any) -> str:
    """How the rounds were used (empty without rounds)."""
    r = scores.rounds
    if r is None:
        return ""
    return cat(
        "methods.rounds",
        latest=r.latest,
        n=cat.integer(r.n_comparison),
    )


def methods_section(cat: Catalogue, scores: Any, p: PartnershipResult, lang: str) -> dict[str, Any]:
    summary = scores.summary
    instrument = scores.instrument
    settings = summary.get("settings", {})
    k = settings.get("min_group_size", instrument.defaults.min_group_size)
    by_kind: dict[str, list[tuple[int, int]]] = {}
    for scale in instrument.scales:
        need = int(
            (settings.get("min_answered") or {}).get(scale.id, instrument.min_answered_count(scale))
        )
        rule = (need, len(scale.items))
        if rule not in by_kind.setdefault(scale.kind, []):
            by_kind[scale.kind].append(rule)
    rules = [
        {
            "name": cat(f"methods.kind_{kind}"),
            "text": "; ".join(
                cat("methods.min_answered_rule", k=cat.integer(a), n=cat.integer(b))
                for a, b in sorted(pairs, key=lambda r: (r[1], r[0]))
            ),
        }
        for kind, pairs in by_kind.items()
    ]
    thr = float(settings.get("icc2_threshold", instrument.defaults.icc2_threshold))
    icc_notes = []
    for sid in instrument.readiness_composite.scales:
        v = (summary.get("icc") or {}).get(sid) or {}
        if v.get("icc2") is not None and v["icc2"] < thr:
            icc_notes.append(
                cat(
                    "methods.icc_low",
                    factor=instrument.text(instrument.scale(sid).name, lang),
                    icc2=cat.number(v["icc2"]),
                    threshold=cat.number(thr),
                )
            )
    return {
        "instrument": cat(
            "methods.instrument",
            title=instrument.text(instrument.title, lang) or instrument.id,
            id=instrument.id,
            version=instrument.version,
        ),
        "source": instrument.text(instrument.source, lang) if instrument.source else "",
        "sample": cat(
            "methods.sample",
            n=cat.integer(summary.get("n_respondents")),
            g=cat.integer(summary.get("n_partnerships")),
        ),
        "this_n": ""
        if p.suppressed
        else cat("methods.this_n_round", n=cat.integer(p.n), round=round_name(cat, p.round))
        if p.round is not None
        else cat("methods.this_n", n=cat.integer(p.n)),
        "rounds": _methods_rounds(cat, scores),
        "min_answered": rules,
        "suppression": cat("methods.suppression", k=k),
        "ci": cat("methods.ci", level=cat.percent(settings.get("ci_level", 0.95))),
        "agreement": cat(
            "methods.agreement",
            strong=cat.number(settings.get("agreement_strong", 0.70)),
            moderate=cat.number(settings.get("agreement_moderate", 0.51)),
        ),
        "readiness": cat(
            "methods.readiness",
            factors=cat.join(
                [
                    instrument.text(instrument.scale(s).name, lang)
                    for s in instrument.readiness_composite.scales
                ]
            ),
        ),
        "icc": cat("methods.icc"),
        "icc_notes": icc_notes,
        "model": cat("methods.model"),
    }
