"""Page 1 of a partnership's report: the answer a coordinator reads and acts on.

The verdict in plain words, the survey period and the number of respondents, a
"members divided" alert with the split in one line, the three first actions tied to the
weakest statements in the members' own words, and one line each on benefits and on
model fit. Everything is composed from sections already in the context.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from babel import dates as bdates

from ..scoring.results import PartnershipResult
from ..scoring.stats import RatingSplit
from .locale import Catalogue

__all__ = ["executive_summary", "period_text", "in_sentence", "round_name"]


def in_sentence(name: str, lang: str) -> str:
    """A model's name inside an Indonesian sentence is a common noun ('model kolaborasi')."""
    if lang == "id" and name[1:2].islower():
        return name[:1].lower() + name[1:]
    return name


def round_name(cat: Catalogue, label: str, *, start: bool = False, header: bool = False) -> str:
    """A survey round in a sentence: 'putaran 2026'; in English 'the 2026 round' for a year
    or a text label and 'round 1' for a plain round number. ``start``: at the start of a
    sentence ('The 2026 round'); ``header``: a table column ('2026 round', 'Round 1')."""
    numbered = label.isdigit() and len(label) < 4
    if header and not numbered:
        return cat("words.round_header", label=label)
    text = cat("words.round_numbered" if numbered else "words.round_named", label=label)
    return text[:1].upper() + text[1:] if start or header else text


def period_text(cat: Catalogue, first: str, last: str) -> str:
    """'1–28 Sep 2026' style survey period in the language (one date when equal).

    One month style for both: Babel has no full-month interval pattern, so a one-day survey
    is written 'medium' too ('26 Sep 2026', not '26 September 2026' beside '21–23 Sep 2026').
    """
    a, b = _dt.date.fromisoformat(first), _dt.date.fromisoformat(last)
    if a == b:
        text = bdates.format_date(a, format="medium", locale=cat.locale)
    else:
        text = bdates.format_interval(a, b, skeleton="yMMMd", locale=cat.locale)
    # one unbreakable unit ('Sep 17–18, 2026' is never split across lines on a phone)
    for dash in ("\u2009–\u2009", " – "):
        text = text.replace(dash, "–")
    # no-break spaces, and a word joiner after the dash (a line may break after an en dash)
    return text.replace(" ", "\u00a0").replace("–", "–\u2060")


def _cut(cat: Catalogue, x: float) -> str:
    """A band limit as people say it: '3', '3,5' (not '3,00')."""
    return cat.number(x, 0) if float(x).is_integer() else cat.number(x, 1)


def _split_line(cat: Catalogue, f: dict[str, Any], split: RatingSplit | None) -> str:
    """'Dinas kesehatan 3,94 · organisasi masyarakat 2,26 pada Tujuan' when a sector split
    is shown, else the split in members: '3 anggota menilai rendah (di bawah 3), 4 menilai
    tinggi (4 ke atas), 1 di antara keduanya' (the counts come from scoring)."""
    rows = [r for r in (f.get("sectors") or {}).get("rows", []) if r.get("mean") is not None]
    if len(rows) >= 2:
        hi = max(rows, key=lambda r: r["mean"])
        lo = min(rows, key=lambda r: r["mean"])
        return cat(
            "exec.split_sectors",
            high=hi["label"],
            high_mean=hi["mean_text"],
            low=lo["label"],
            low_mean=lo["mean_text"],
            factor=f["name"],
        )
    if split is None or split.n == 0:
        return f["name"]

    def part(kind: str, k: int, cut: float) -> str:
        suffix = "_none" if k == 0 else "_one" if k == 1 else ""
        return cat(f"exec.split_{kind}{suffix}", k=cat.integer(k), cut=_cut(cat, cut))

    middle = split.n - split.low - split.high
    low = part("low", split.low, split.low_below)
    high = part("high", split.high, split.high_from)
    if not middle:
        return cat("exec.split_counts", factor=f["name"], low=low, high=high)
    between = cat("exec.split_middle", k=cat.integer(middle))
    return cat("exec.split_counts_middle", factor=f["name"], low=low, high=high, middle=between)


def _sectors_hidden(f: dict[str, Any]) -> bool:
    """The factor's sector breakdown exists but is suppressed (groups too small)."""
    sectors = f.get("sectors") or {}
    return bool(sectors) and not sectors.get("rows") and sectors.get("suppressed", False)


def _statement(cat: Catalogue, f: dict[str, Any]) -> dict[str, Any] | None:
    """The factor's statement with the fewest favourable answers, in the members' words."""
    items = [i for i in f["items"] if i["favourable"] is not None]
    if not items:
        return None
    worst = min(items, key=lambda i: (i["favourable"], i["id"]))
    statement = worst["text"].rstrip(" .")
    n = int(worst["n"])

    def count(share: float) -> str:  # '1 dari 8': exact, where 12 % of 8 people is not
        return cat("exec.count_of", k=cat.integer(round(share * n)), n=cat.integer(n))

    if worst["reverse"]:  # a negative statement: agreeing with it is the bad answer
        text = cat("exec.evidence_reverse", share=count(worst["unfavourable"]), statement=statement)
    else:  # "Only 12 % agree" when a minority agrees; plainly when most do
        key = (
            "exec.evidence_none"
            if round(worst["favourable"], 2) == 0
            else "exec.evidence"
            if worst["favourable"] < 0.5
            else "exec.evidence_plain"
        )
        text = cat(key, share=count(worst["favourable"]), statement=statement)
    return {"item_id": worst["id"], "text": text}


def _rounds_line(cat: Catalogue, ctx: dict[str, Any]) -> str:
    """Page 1 on rounds: a round other than the survey's last, and the change since the
    previous round (every figure of the report is the round shown)."""
    rnd = ctx.get("round")
    if not rnd:
        return ""
    parts = []
    if not rnd["is_latest"]:
        parts.append(
            cat(
                "exec.round_not_latest",
                round=round_name(cat, rnd["label"]),
                latest=round_name(cat, rnd["latest"]),
            )
        )
    w = ctx["waves"]
    if w is not None:
        row = next((x for x in w["rows"] if x["id"] == "readiness" and x["diff"] is not None), None)
        if w["comparable"] and row is not None:
            how = row["clear"] or "unclear"
            parts.append(
                cat(
                    f"exec.rounds_{how}",
                    previous=round_name(cat, w["previous"]),
                    desc=w["previous_desc"],
                    before=row["previous_text"],
                    after=row["current_text"],
                    before_band=w["previous_band"],
                    after_band=w["current_band"],
                )
            )
            if w["index_note"]:
                parts.append(cat("exec.rounds_factors_unclear"))
        elif not w["comparable"]:
            parts.append(
                cat(
                    "exec.rounds_not_comparable",
                    previous=round_name(cat, w["previous"]),
                    k=ctx["min_group_size"],
                )
            )
    return " ".join(parts)


def executive_summary(
    cat: Catalogue, p: PartnershipResult, ctx: dict[str, Any], lang: str
) -> dict[str, Any]:
    """The executive summary of page 1 (plain data, sentences in the language)."""
    r = ctx["readiness"]
    band = r["band"] or "none"
    key = f"exec.verdict_{band}" if cat.has(f"exec.verdict_{band}") else "exec.verdict_other"
    verdict = cat(key, index=r["index_text"], band=r["band_label"])
    n_text = cat.integer(p.n)
    period = None if p.period is None else period_text(cat, p.period.first, p.period.last)
    if p.round is not None:  # the round shown, and its own period and respondents
        facts = (
            cat(
                "exec.round_period",
                round=round_name(cat, p.round, start=True),
                period=period,
                n=n_text,
            )
            if period is not None
            else cat("exec.round_respondents", round=round_name(cat, p.round, start=True), n=n_text)
        )
    elif period is not None:
        facts = cat("exec.period", period=period, n=n_text)
    else:
        facts = cat("exec.respondents", n=n_text)
    factors = ctx["factors"]
    divided = [f for f in factors if f["divided"]]

    def split_of(f: dict[str, Any]) -> RatingSplit | None:
        s = p.scales.get(f["id"])
        return None if s is None else s.split

    alert = [_split_line(cat, f, split_of(f)) for f in divided]
    # the sector split could not be shown: say why, once
    alert_note = (
        cat("exec.split_sectors_hidden", k=ctx["min_group_size"])
        if any(_sectors_hidden(f) for f in divided)
        else ""
    )

    # the first three actions: one per weakest factor below the top band (or the lowest,
    # relatively)
    plan = ctx["action_plan"]
    actions: list[dict[str, Any]] = []
    by_id = {f["id"]: f for f in factors}
    seen: set[str] = set()
    for row in plan:
        if row["kind"] != "factor" or row["factor_id"] in seen or not row["action"]:
            continue
        seen.add(row["factor_id"])
        f = by_id[row["factor_id"]]
        actions.append(
            {
                "factor": f["name"],
                "band": f["band"],
                "mean_text": f["mean_text"],
                "action": row["action"],
                "evidence": (_statement(cat, f) or {}).get("text", ""),
            }
        )
        if len(actions) == 3:
            break
    relative = False
    if not actions:
        relative = True
        scored = sorted(
            (f for f in factors if f["mean"] is not None), key=lambda f: (f["mean"], f["id"])
        )
        for f in scored[:1]:
            actions.append(
                {
                    "factor": f["name"],
                    "band": f["band"],
                    "mean_text": f["mean_text"],
                    "action": cat("exec.keep_action"),
                    "evidence": (_statement(cat, f) or {}).get("text", ""),
                }
            )
    for f in divided:
        if len(actions) >= 3:
            break
        actions.append(
            {
                "factor": f["name"],
                "band": f["band"],
                "mean_text": f["mean_text"],
                "action": cat("exec.discuss_divided"),
                "evidence": _split_line(cat, f, split_of(f)),
            }
        )

    benefits = [b for b in ctx["benefits"] if b["mean"] is not None]
    if benefits:
        best = max(benefits, key=lambda b: (b["mean"], b["id"]))
        worst = min(benefits, key=lambda b: (b["mean"], b["id"]))
        benefit_line = cat(
            "exec.benefits",
            best=in_sentence(best["name"], lang),
            best_mean=best["mean_text"],
            worst=in_sentence(worst["name"], lang),
            worst_mean=worst["mean_text"],
        )
    else:
        benefit_line = ""
    m = ctx["model"]
    if m["fits"] is True:
        model_line = cat("exec.model_fits", model=in_sentence(m["top_name"], lang))
    elif m["fits"] is False:
        better = next(
            (r["name"] for r in m["ranking"] if not r["current"]), m["ranking"][0]["name"]
        )
        model_line = cat(
            "exec.model_misfit",
            model=in_sentence(m["top_name"], lang),
            better=in_sentence(better, lang),
        )
    else:
        model_line = cat("exec.model_unknown")
    rounds_line = _rounds_line(cat, ctx)
    return {
        "rounds": rounds_line,
        "verdict": verdict,
        "facts": facts,
        "divided": bool(divided),
        "divided_label": cat("exec.divided_badge") if divided else "",
        "alert": alert,
        "alert_note": alert_note,
        "actions": actions,
        "actions_relative": relative,
        "benefits": benefit_line,
        "model": model_line,
    }
