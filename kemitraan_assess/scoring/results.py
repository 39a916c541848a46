"""Typed, frozen results of one partnership, read by the reports.

:meth:`ScoreResult.partnership <kemitraan_assess.scoring.ScoreResult.partnership>`
builds a :class:`PartnershipResult` from the scored columns (the same numbers as
``scores.json``) plus what only a report needs: the answer distribution of every item,
scale means by sector, the change since the previous wave and the survey period. The
reports format these; they compute no statistic themselves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .stats import (
    ItemDistribution,
    RatingSplit,
    SectorMean,
    WaveComparison,
    item_distribution,
    rating_split,
    sector_means,
    wave_change,
)

if TYPE_CHECKING:
    from .score import ScoreResult

__all__ = [
    "ScaleResult",
    "Readiness",
    "ModelReason",
    "ModelResult",
    "SurveyPeriod",
    "PartnershipResult",
    "partnership_result",
]


def _num(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class ScaleResult:
    """One scale in one partnership (``scores.json`` ``scales.<id>``) and the portfolio median."""

    id: str
    kind: str
    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    rwg_j: float | None
    agreement: str | None
    band: str | None
    band_uncertain: bool
    portfolio_median: float | None
    split: RatingSplit | None = None
    """Members rating low / high (the round's respondent scale scores; None without bands)."""

    @property
    def divided(self) -> bool:
        """Members do not agree (weak agreement): the mean hides two views."""
        return self.agreement == "weak"


@dataclass(frozen=True)
class Readiness:
    index: float | None
    ci_low: float | None
    ci_high: float | None
    band: str | None
    band_uncertain: bool
    percentile: float | None


@dataclass(frozen=True)
class ModelReason:
    """The members' modal answer to a goals / resources / context question."""

    field: str
    answer: str | None
    share: float | None
    suits: tuple[str, ...]


@dataclass(frozen=True)
class ModelResult:
    scores: tuple[tuple[str, float | None], ...]
    top: str | None
    runner_up: str | None
    margin: float | None
    clear: bool
    fits: bool | None
    suggested: tuple[str, ...]
    reasons: tuple[ModelReason, ...]

    def criteria_met(self, model_id: str) -> int:
        """How many of the goals / resources / context answers suit ``model_id``."""
        return sum(model_id in r.suits for r in self.reasons)


@dataclass(frozen=True)
class SurveyPeriod:
    """First and last submission date (ISO ``YYYY-MM-DD``) of a partnership's answers."""

    first: str
    last: str


@dataclass(frozen=True)
class PartnershipResult:
    """Everything the report of one partnership shows, computed once.

    For a suppressed partnership only ``name``, ``n``, ``suppressed``, ``reason`` and
    ``round`` are set; every mapping is empty and every result None.

    With survey rounds, every number is that of the partnership's latest round
    (``round``); ``previous`` holds the typed results of the round before (None when it
    has none) and ``waves`` the comparison of the two.
    """

    name: str
    n: int
    suppressed: bool
    reason: str | None
    scales: Mapping[str, ScaleResult]
    readiness: Readiness | None
    type: str | None
    type_share: float | None
    model: ModelResult | None
    sectors: Mapping[str, int]
    items: Mapping[str, ItemDistribution]
    sector_means: Mapping[str, tuple[SectorMean, ...]]
    waves: WaveComparison | None
    period: SurveyPeriod | None
    comments: tuple[tuple[str, int], ...]
    round: str | None = None
    previous: PartnershipResult | None = None


def _rows_of(result: ScoreResult) -> dict[str, np.ndarray]:
    codes = result._columns["codes"]
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(result._columns["names"]) + 1))
    return {
        name: order[bounds[i] : bounds[i + 1]] for i, name in enumerate(result._columns["names"])
    }


def _period(result: ScoreResult, rows: np.ndarray) -> SurveyPeriod | None:
    col = "submitted_at"
    if col not in result.responses.columns or len(rows) == 0:
        return None
    t = pd.to_datetime(
        result.responses[col].iloc[rows], errors="coerce", utc=True, format="mixed"
    ).dropna()
    if t.empty:
        return None
    return SurveyPeriod(t.min().strftime("%Y-%m-%d"), t.max().strftime("%Y-%m-%d"))


_NON_ANSWERS = frozenset(
    {
        "",
        "-",
        "--",
        "n/a",
        "na",
        "tidak ada",
        "tidak ada.",
        "none",
        "nothing",
        "no",
        "tidak",
        "belum ada",
        "nihil",
        "-.",
        ".",
    }
)


def _comments(result: ScoreResult, rows: np.ndarray) -> tuple[tuple[str, int], ...]:
    """Open answers and how often each was given, whitespace-normalised; non-answers
    ("Tidak ada.", "-", "n/a") dropped; the same text (ignoring case) merged.

    Sorted, so the order of the rows (and who typed what) cannot be inferred.
    """
    fld = result.instrument.field_by_role("comment")
    if fld is None or fld.id not in result.responses.columns or len(rows) == 0:
        return ()
    values = result.responses[fld.id].iloc[rows].astype("string")
    texts = [" ".join(str(v).split()) for v in values.dropna().tolist()]
    counts: dict[str, list[Any]] = {}
    for t in sorted(texts):
        key = t.casefold()
        if key in _NON_ANSWERS or key.strip(" .!") in _NON_ANSWERS:
            continue
        counts.setdefault(key, [t, 0])[1] += 1
    return tuple(sorted((t, int(k)) for t, k in counts.values()))


def partnership_result(result: ScoreResult, name: str, rows: np.ndarray) -> PartnershipResult:
    """The :class:`PartnershipResult` of ``name``, whose respondents are at ``rows``."""
    summary = result.summary
    p = summary["partnerships"][name]
    round_label = result.round_of(name)
    if p.get("suppressed"):
        return PartnershipResult(
            name,
            int(p["n"]),
            True,
            p.get("reason"),
            {},
            None,
            None,
            None,
            None,
            {},
            {},
            {},
            None,
            None,
            (),
            round=round_label,
        )
    inst = result.instrument
    medians = summary["portfolio"]["scales"]
    respondents = result.respondents
    scales = {}
    for scale in inst.scales:
        s = p["scales"][scale.id]
        scales[scale.id] = ScaleResult(
            id=scale.id,
            kind=scale.kind,
            n=int(s["n"]),
            mean=_num(s["mean"]),
            sd=_num(s["sd"]),
            ci_low=_num(s["ci95"][0]),
            ci_high=_num(s["ci95"][1]),
            rwg_j=_num(s["rwg_j"]),
            agreement=s["agreement"],
            band=s["band"],
            band_uncertain=bool(s["band_uncertain"]),
            portfolio_median=_num((medians.get(scale.id) or {}).get("median")),
            split=_split(inst, respondents, scale.id, rows),
        )
    r = p["readiness"]
    readiness = Readiness(
        _num(r["index"]),
        _num(r["ci95"][0]),
        _num(r["ci95"][1]),
        r["band"],
        bool(r["band_uncertain"]),
        _num(r["percentile"]),
    )
    m = p["model"]
    fit = p.get("model_fit") or {}
    model = ModelResult(
        scores=tuple((k, _num(v)) for k, v in (m.get("scores") or {}).items()),
        top=m.get("top"),
        runner_up=m.get("runner_up"),
        margin=_num(m.get("margin")),
        clear=bool(m.get("clear")),
        fits=fit.get("fits"),
        suggested=tuple(fit.get("suggested") or ()),
        reasons=tuple(
            ModelReason(
                x["field"], x.get("answer"), _num(x.get("share")), tuple(x.get("suits") or ())
            )
            for x in fit.get("reasons") or ()
        ),
    )
    resp = result.responses
    items: dict[str, ItemDistribution] = {}
    for scale in inst.scales:
        for item in scale.items:
            rs = inst.response_scales[item.response]
            vals = (
                resp[item.id].to_numpy(dtype=float)[rows]
                if item.id in resp.columns
                else np.empty(0)
            )
            items[item.id] = item_distribution(item.id, vals, rs.min, rs.max, reverse=item.reverse)
    by_sector: dict[str, tuple[SectorMean, ...]] = {}
    sec_field = inst.field_by_role("sector")
    if sec_field is not None and sec_field.id in respondents.columns:
        sec = (
            respondents[sec_field.id]
            .iloc[rows]
            .astype("string")
            .fillna(NO_SECTOR)
            .to_numpy(dtype=object)
        )
        for scale in inst.scales:
            if scale.id in respondents.columns:
                by_sector[scale.id] = sector_means(
                    respondents[scale.id].to_numpy(dtype=float)[rows], sec
                )
    previous, waves = _previous_round(result, name, rows)
    return PartnershipResult(
        name=name,
        n=int(p["n"]),
        suppressed=False,
        reason=None,
        scales=scales,
        readiness=readiness,
        type=p.get("type"),
        type_share=_num(p.get("type_share")),
        model=model,
        sectors=dict(p.get("sectors") or {}),
        items=items,
        sector_means=by_sector,
        waves=waves,
        period=_period(result, rows),
        comments=_comments(result, rows),
        round=round_label,
        previous=previous,
    )


def _split(inst: Any, respondents: pd.DataFrame, sid: str, rows: np.ndarray) -> RatingSplit | None:
    """Members in the lowest and in the top band on scale ``sid`` (see :class:`RatingSplit`):
    the cut points are the lower limits of the second-lowest and of the top band."""
    from ..instrument.model import BAND_HALF_UNIT

    bands = sorted(inst.bands, key=lambda b: b.min)
    if len(bands) < 2 or sid not in respondents.columns:
        return None
    return rating_split(
        respondents[sid].to_numpy(dtype=float)[rows], bands[1].min, bands[-1].min, BAND_HALF_UNIT
    )


def _previous_round(
    result: ScoreResult, name: str, rows: np.ndarray
) -> tuple[PartnershipResult | None, WaveComparison | None]:
    """The partnership's results in the round before its latest, and the comparison."""
    prev = result.previous
    wave_field = result.instrument.field_by_role("wave")
    if prev is None or result.rounds is None or wave_field is None:
        return None, None
    prev_rows = prev.partnership_rows(name)
    if len(prev_rows) == 0:
        return None, None
    respondents = result.respondents
    cols = [
        c
        for c in [*result.instrument.readiness_composite.scales, "readiness"]
        if c in respondents.columns
    ]
    settings = result.summary["settings"]
    waves = wave_change(
        pd.concat([prev.respondents.iloc[prev_rows], respondents.iloc[rows]], ignore_index=True),
        wave_field.id,
        cols,
        min_group_size=int(settings["min_group_size"]),
        ci_level=float(settings["ci_level"]),
    )
    return prev.partnership(name), waves


NO_SECTOR = "_none"
"""Sector code of respondents who gave none (they count in the totals)."""
