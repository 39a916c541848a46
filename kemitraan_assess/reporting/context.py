"""The plain-data context of one partnership's report.

:func:`build_context` reads a :class:`~kemitraan_assess.scoring.ScoreResult` and returns
a dict of strings, numbers, lists and dicts only (it round-trips through JSON). Numbers
a template shows are already formatted for the language (``*_text`` keys, ``0,82`` in
Indonesian) next to the raw values (for JSON and tests). Sentences that put data into
words are composed here from the catalogue, so templates hold structure, not grammar.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..output.safecsv import csv_bytes
from ..scoring.results import PartnershipResult
from .brand import Brand
from .executive import executive_summary, round_name
from .locale import Catalogue, load_catalogue
from .recommend import load_recommendations
from .sections import (
    action_plan,
    band_list,
    benefits_section,
    factor_sections,
    methods_section,
    model_section,
    portfolio_section,
    present,
    sector_table,
    uncertain_text,
)
from .slug import slugify
from .waves import wave_section

__all__ = ["build_context", "PartnershipIndex", "CONTEXT_SCHEMA"]

CONTEXT_SCHEMA = 2
"""Version of the context layout; bumped when keys change.

2 (issue 11): ``executive`` (page 1); ``factors[*]``: ``divided``, ``split``,
``divided_text``, items' ``keyed_counts`` / ``favourable`` / ``unfavourable`` /
``neutral``, ``value_text`` is the mean alone; ``headline.weakest_title`` /
``strongest_title``; ``executive.rounds`` (the round shown when not the survey's last, and
the index's change since the previous round); ``round`` (the round shown: ``label``,
``latest``, ``is_latest``, ``text``), ``waves.previous_label`` / ``current_label`` /
``bands``; ``partnership.round``;
``model.ranking``; ``portfolio.rows[*].within_noise`` / ``ci_text``; ``comments`` are
``{text, count, count_text}``; a suppressed partnership's ``partnership.n`` is None."""


class PartnershipIndex:
    """Row positions of every partnership (kept for callers that pass ``index=``).

    The rows now come from :meth:`ScoreResult.partnership_rows`, built once per result.
    """

    def __init__(self, scores: Any):
        self._scores = scores

    def rows(self, name: str) -> np.ndarray:
        return np.asarray(self._scores.partnership_rows(name))


def _likert_labels(instrument: Any, lang: str) -> list[str]:
    """Answer labels of the response scale of the success factors (codes when unlabelled)."""
    scales = instrument.scales_of_kind("success_factor") or instrument.scales
    rs = instrument.response_scales[scales[0].items[0].response]
    return [instrument.text(rs.labels.get(c), lang) or str(c) for c in range(rs.min, rs.max + 1)]


def _brand_dict(brand: Brand | None) -> dict[str, str]:
    return (brand or Brand()).to_dict()


def _scores_csv(instrument: Any, p: PartnershipResult, lang: str) -> str:
    rows = []
    for scale in instrument.scales:
        s = p.scales[scale.id]
        rows.append(
            {
                "partnership": p.name,
                "scale": scale.id,
                "scale_name": instrument.text(scale.name, lang),
                "kind": scale.kind,
                "n": s.n,
                "mean": s.mean,
                "sd": s.sd,
                "ci95_low": s.ci_low,
                "ci95_high": s.ci_high,
                "rwg_j": s.rwg_j,
                "agreement": s.agreement,
                "band": s.band,
                "band_uncertain": s.band_uncertain,
            }
        )
    r = present(p.readiness, "readiness index", p.name)
    rows.append(
        {
            "partnership": p.name,
            "scale": "readiness",
            "scale_name": "readiness index",
            "kind": "composite",
            "n": p.n,
            "mean": r.index,
            "sd": None,
            "ci95_low": r.ci_low,
            "ci95_high": r.ci_high,
            "rwg_j": None,
            "agreement": None,
            "band": r.band,
            "band_uncertain": r.band_uncertain,
        }
    )
    frame = pd.DataFrame(rows)
    frame["n"] = frame["n"].astype("Int64")
    frame["band_uncertain"] = frame["band_uncertain"].astype("boolean")
    for col in ("partnership", "scale", "scale_name", "kind", "agreement", "band"):
        frame[col] = frame[col].astype(object)
    return csv_bytes(frame).decode("utf-8")


def _readiness(cat: Catalogue, instrument: Any, p: PartnershipResult, lang: str) -> dict[str, Any]:
    r = present(p.readiness, "readiness index", p.name)
    band_obj = next((b for b in instrument.bands if b.id == r.band), None)
    ci = [r.ci_low, r.ci_high]
    out = {
        "index": r.index,
        "ci": ci,
        "band": r.band,
        "band_label": instrument.text(band_obj.label, lang) if band_obj else "",
        "band_description": instrument.text(band_obj.description, lang) if band_obj else "",
        "uncertain": r.band_uncertain,
        "index_text": cat.number(r.index),
        "ci_text": cat.interval(ci[0], ci[1]),
        "percentile": r.percentile,
    }
    out["sentence"] = cat(
        "summary.readiness_sentence",
        index=out["index_text"],
        lo=cat.number(ci[0]),
        hi=cat.number(ci[1]),
        band=out["band_label"],
    )
    out["uncertain_text"] = (
        uncertain_text(cat, instrument, r.band, ci[0], ci[1], lang) if r.band_uncertain else ""
    )
    return out


def _headline(cat: Catalogue, factors: list[dict[str, Any]], top_band: str) -> dict[str, Any]:
    scored = [f for f in factors if f["mean"] is not None]
    ranked = sorted(scored, key=lambda f: (-f["mean"], f["id"]))
    strongest = ranked[:2]
    weakest = [f for f in sorted(scored, key=lambda f: (f["mean"], f["id"])) if f not in strongest][
        :2
    ]

    def brief(f: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": f["id"],
            "name": f["name"],
            "mean_text": f["mean_text"],
            "band": f["band"],
            "band_label": f["band_label"],
            "divided_text": f["divided_text"],
            "uncertain_short": f.get("uncertain_short", ""),
        }

    # when every factor is a strength, the lowest are only relatively low
    relative = bool(scored) and all(f["band"] == top_band for f in scored)
    # and when none is a strength, the highest are only relatively strong ("Faktor terkuat"
    # over 3,16 in the concern band would call a weakness a strength)
    none_strong = bool(scored) and not any(f["band"] == top_band for f in scored)
    return {
        "strongest": [brief(f) for f in strongest],
        "weakest": [brief(f) for f in weakest],
        "strongest_title": cat(
            "summary.strongest_relative" if none_strong else "summary.strongest"
        ),
        "weakest_title": cat("summary.weakest_relative" if relative else "summary.weakest"),
    }


def _next_steps(
    cat: Catalogue, factors: list[dict[str, Any]], plan: list[dict[str, Any]], model: dict[str, Any]
) -> list[str]:
    steps: list[str] = []
    seen: set[str] = set()
    for row in plan:
        if row["kind"] == "factor" and row["factor_id"] not in seen and row["action"]:
            seen.add(row["factor_id"])
            steps.append(cat("summary.step_factor", factor=row["factor"], action=row["action"]))
        if len(seen) == 2:
            break
    divided = [f["name"] for f in factors if f["divided"]]
    if divided:
        steps.append(cat("summary.step_divided", factors=cat.join(divided)))
    if model.get("fits") is False:
        steps.append(cat("summary.step_model", model=model["top_name"]))
    if not steps:
        steps.append(cat("summary.step_keep"))
    return steps


def build_context(
    scores: Any,
    partnership: str,
    *,
    lang: str = "id",
    brand: Brand | None = None,
    include_comments: bool = True,
    slug: str | None = None,
    index: PartnershipIndex | None = None,
) -> dict[str, Any]:
    """The report context of one partnership.

    Parameters
    ----------
    scores
        A :class:`~kemitraan_assess.scoring.ScoreResult`.
    partnership
        The partnership's name as in ``scores.summary["partnerships"]``.
    lang
        Report language; a catalogue ``reports/locales/<lang>.yaml`` must exist.
    brand
        Organisation name, logo, colour, footer and contact (see :func:`load_brand`).
    include_comments
        Include the open-ended comments (escaped when rendered).
    slug
        File-name stem of the report (default: :func:`slugify` of the name); the
        portfolio index links to it.
    index
        Row index shared by a batch (built when omitted).

    Returns
    -------
    dict
        Plain data: ``partnership``, ``brand``, ``readiness``, ``headline``,
        ``factors``, ``benefits``, ``model``, ``portfolio``, ``waves``, ``sectors``,
        ``comments``, ``action_plan``, ``methods``, ``bands``, ... For a suppressed
        partnership only the cover, the reason and the methods are filled in.

    Raises
    ------
    KemitraanError
        When the partnership is not in the scores, or no catalogue exists for ``lang``.

    Notes
    -----
    Sub-groups (sectors) are shown only at or above the confidentiality minimum and
    never so that a hidden group can be recovered by subtraction (see
    :func:`kemitraan_assess.reporting.suppress.suppress_groups`).
    """
    instrument = scores.instrument
    p = scores.partnership(partnership)
    cat = load_catalogue(lang)
    k = int(scores.summary["settings"]["min_group_size"])
    title = instrument.text(instrument.title, lang) if instrument.title else instrument.id
    ctx: dict[str, Any] = {
        "schema": CONTEXT_SCHEMA,
        "generator": f"kemitraan-assess {__version__}",
        "lang": lang,
        "partnership": {
            "name": partnership,
            "slug": slug or slugify(partnership),
            "n": None
            if p.suppressed
            else p.n,  # a suppressed partnership's size is not shown anywhere
            "suppressed": p.suppressed,
            "round": p.round,
        },
        "instrument": {"id": instrument.id, "version": instrument.version, "title": title},
        "brand": _brand_dict(brand),
        "document_title": cat("cover.document_title", name=partnership),
        "bands": band_list(cat, instrument, lang),
        "min_group_size": k,
        "likert_labels": _likert_labels(instrument, lang),
    }
    ctx["methods"] = methods_section(cat, scores, p, lang)
    if p.suppressed:
        ctx["suppressed"] = {"text": cat("suppressed.text", k=k), "why": cat("suppressed.why", k=k)}
        return ctx
    ctx["suppressed"] = None
    recs = load_recommendations(instrument.id)
    ctx["readiness"] = _readiness(cat, instrument, p, lang)
    ctx["n_text"] = cat.integer(p.n)
    factors = factor_sections(cat, scores, p, lang, k)
    ctx["factors"] = factors
    ctx["headline"] = _headline(cat, factors, instrument.bands[0].id)
    ctx["benefits"] = benefits_section(cat, scores, p, lang)
    ctx["model"] = model_section(cat, scores, p, lang)
    ctx["portfolio"] = portfolio_section(cat, scores, p, lang)
    rounds = scores.rounds
    ctx["round"] = (
        None
        if rounds is None or p.round is None
        else {
            "label": p.round,
            "latest": rounds.latest,
            "is_latest": p.round == rounds.latest,
            "text": round_name(cat, p.round, header=True),
        }
    )
    ctx["waves"] = wave_section(cat, scores, p, lang, k)
    ctx["sectors"] = sector_table(cat, scores, p, lang, k)
    plan = action_plan(cat, instrument, factors, ctx["model"], recs, lang)
    ctx["action_plan"] = plan
    ctx["next_steps"] = _next_steps(cat, factors, plan, ctx["model"])
    ctx["comments_included"] = bool(include_comments)
    ctx["comments"] = (
        [
            {
                "text": t,
                "count": n,
                "count_text": cat("comments.times", n=cat.integer(n)) if n > 1 else "",
            }
            for t, n in p.comments
        ]
        if include_comments
        else []
    )
    ctx["scores_csv"] = _scores_csv(instrument, p, lang)
    ctx["executive"] = executive_summary(cat, p, ctx, lang)
    return ctx
