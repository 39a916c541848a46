"""The round comparison page: the round shown beside the partnership's previous round.

Scoring gives every figure of a report from the partnership's latest round and scores the
previous round on its own (``PartnershipResult.previous``, ``PartnershipResult.waves``);
this module only words and formats that comparison.
"""

from __future__ import annotations

from typing import Any

from ..scoring.results import PartnershipResult
from .executive import period_text, round_name
from .locale import Catalogue
from .sections import band_label

__all__ = ["wave_section"]


def _round_desc(cat: Catalogue, q: PartnershipResult | None, n: int) -> str:
    """'4–22 Agu 2025, 8 responden': a round's period and respondents."""
    if q is not None and q.period is not None:
        period = period_text(cat, q.period.first, q.period.last)
        return cat("waves.desc_period", period=period, n=cat.integer(n))
    return cat("waves.desc_n", n=cat.integer(n))


def _round_text(cat: Catalogue, label: str, q: PartnershipResult | None, n: int) -> str:
    """'putaran 2025 (4–22 Agu 2025, 8 responden)': a round, its period and respondents."""
    return cat("waves.round_desc", round=round_name(cat, label), desc=_round_desc(cat, q, n))


def wave_section(
    cat: Catalogue, scores: Any, p: PartnershipResult, lang: str, k: int
) -> dict[str, Any] | None:
    """The comparison of the round shown with the partnership's previous round.

    Every figure of the report is the latest round's; this page sets the previous
    round's (``p.previous``, scored on its own) beside it.
    """
    instrument = scores.instrument
    res = p.waves
    if res is None:
        return None
    out: dict[str, Any] = {
        "previous": res.previous,
        "current": res.current,
        "previous_label": round_name(cat, res.previous, header=True),
        "current_label": round_name(cat, res.current, header=True),
        "comparable": res.comparable,
        "rows": [],
        "bands": "",
        "previous_desc": "",
        "previous_band": "",
        "current_band": "",
        "index_note": "",
        "method_note": "",
    }
    if not res.comparable:
        out["sentence"] = cat("waves.not_comparable", previous=round_name(cat, res.previous), k=k)
        return out
    q = p.previous
    out["sentence"] = cat(
        "waves.sentence",
        current=_round_text(cat, res.current, p, res.n_current),
        previous=_round_text(cat, res.previous, q, res.n_previous),
    )
    if (
        q is not None
        and q.readiness is not None
        and p.readiness is not None
        and q.readiness.band
        and p.readiness.band
    ):
        out["previous_band"] = band_label(instrument, q.readiness.band, lang)
        out["current_band"] = band_label(instrument, p.readiness.band, lang)
        out["bands"] = cat(
            "waves.bands",
            previous=round_name(cat, res.previous),
            current=round_name(cat, res.current),
            before=out["previous_band"],
            after=out["current_band"],
        )
    out["previous_desc"] = _round_desc(cat, q, res.n_previous)
    out["method_note"] = cat("waves.method")
    for sid, d in res.differences:
        label = (
            cat("waves.readiness")
            if sid == "readiness"
            else instrument.text(instrument.scale(sid).name, lang)
        )
        if d is None:
            out["rows"].append(
                {
                    "id": sid,
                    "name": label,
                    "diff": None,
                    "diff_text": "–",
                    "ci_text": "–",
                    "previous_text": "–",
                    "current_text": "–",
                    "verdict": cat("waves.not_computed"),
                }
            )
            continue
        lo, hi = d.ci_low, d.ci_high
        clear = "up" if lo > 0 else "down" if hi < 0 else ""
        verdict = (
            cat(f"waves.{clear}")
            if clear
            else cat("waves.up_unclear")
            if d.difference > 0
            else cat("waves.down_unclear")
            if d.difference < 0
            else cat("waves.unclear")
        )
        out["rows"].append(
            {
                "id": sid,
                "name": label,
                "diff": d.difference,
                "ci": [lo, hi],
                "previous_text": cat.number(d.mean_previous),
                "current_text": cat.number(d.mean_current),
                "diff_text": cat.signed(d.difference),
                "ci_text": f"{cat.signed(lo)} {cat('waves.to')} {cat.signed(hi)}",
                "verdict": verdict,
                "clear": clear,
            }
        )
    index = next((r for r in out["rows"] if r["id"] == "readiness"), None)
    factors = [r for r in out["rows"] if r["id"] != "readiness" and r["diff"] is not None]
    if (
        index is not None
        and index.get("clear")
        and factors
        and not any(r["clear"] for r in factors)
    ):  # the mean of five factors is steadier than each: say why the whole moves, no part does
        out["index_note"] = cat("waves.index_note")
    return out
