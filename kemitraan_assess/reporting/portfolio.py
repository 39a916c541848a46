"""What a programme manager needs on the portfolio index, from the typed results.

:func:`index_extras` adds to the index context (built in :mod:`.batch`): per partnership
its type, model, sectors, whether members are divided, and the mean of every success
factor (the heat-map; suppressed partnerships get blank cells); counts per band; and the
choices of the band / type / sector filters. Reading needs no JavaScript; a small script
in the template only sorts and filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .executive import round_name
from .locale import Catalogue
from .sections import SPLIT_POINTS, choice_label

__all__ = ["index_extras"]


def _short(cat: Catalogue, instrument: Any, scale: Any, lang: str) -> str:
    key = f"factor_short.{scale.id}"
    return cat(key) if cat.has(key) else instrument.text(scale.name, lang)


def _sector_split(p: Any, sid: str, k: int) -> bool:
    means = [m.mean for m in p.sector_means.get(sid, ()) if m.n >= k]
    return len(means) >= 2 and max(means) - min(means) >= SPLIT_POINTS


def index_extras(
    scores: Any, rows: Sequence[dict[str, Any]], cat: Catalogue, lang: str
) -> dict[str, Any]:
    """Keys to merge into the index context; also fills in each row of ``rows``.

    Each row gains ``type_label``, ``model_label``, ``sectors`` (codes, for the filter),
    ``divided`` / ``divided_text``, ``cells`` (one per success factor: ``mean``,
    ``text``, ``band``; blank for a suppressed partnership) and ``round_note`` (the round
    shown, when it is not the survey's last). With rounds, ``rounds_sentence`` says that
    each partnership's figures are its latest round's.
    """
    inst = scores.instrument
    k = int(scores.summary["settings"]["min_group_size"])
    factors = inst.scales_of_kind("success_factor")
    models = {m.id: inst.text(m.name, lang) for m in inst.models}
    band_labels = {b.id: inst.text(b.label, lang) for b in inst.bands}
    counts = {b.id: 0 for b in inst.bands}
    types: dict[str, str] = {}
    sectors: dict[str, str] = {}
    n_suppressed = 0
    rounds = scores.rounds
    for row in rows:
        p = scores.partnership(row["name"])
        row["round_note"] = (
            round_name(cat, p.round)
            if rounds is not None and p.round is not None and p.round != rounds.latest
            else ""
        )
        if p.suppressed:
            n_suppressed += 1
            row.update(
                {
                    "type_label": "",
                    "type": "",
                    "model_label": "",
                    "sectors": "",
                    "divided": False,
                    "divided_text": "",
                    "cells": [{"mean": None, "text": "", "band": ""} for _ in factors],
                }
            )
            continue
        if p.readiness is not None and p.readiness.band in counts:
            counts[p.readiness.band] += 1
        type_label = choice_label(inst, "type", p.type, lang) if p.type else ""
        if p.type:
            types[p.type] = type_label
        for code in p.sectors:
            sectors[code] = choice_label(inst, "sector", code, lang)
        divided = any(p.scales[f.id].divided or _sector_split(p, f.id, k) for f in factors)
        top = p.model.top if p.model is not None else None
        row.update(
            {
                "type": p.type or "",
                "type_label": type_label,
                "model_label": models.get(top or "", ""),
                "sectors": " ".join(sorted(p.sectors)),
                "divided": divided,
                "divided_text": cat("index.divided") if divided else "",
                "cells": [
                    {
                        "mean": p.scales[f.id].mean,
                        "text": cat.number(p.scales[f.id].mean),
                        "band": p.scales[f.id].band or "",
                    }
                    for f in factors
                ],
            }
        )
    band_counts = [
        {
            "id": b,
            "label": band_labels[b],
            "n": n,
            "text": cat("index.count_band", n=cat.integer(n), band=band_labels[b]),
        }
        for b, n in counts.items()
    ]
    return {
        "rounds_sentence": ""
        if rounds is None
        else cat("index.rounds", latest=rounds.latest, n=cat.integer(rounds.n_comparison)),
        "band_counts": band_counts,
        "suppressed_count_text": cat("index.count_suppressed", n=cat.integer(n_suppressed))
        if n_suppressed
        else "",
        "factors": [
            {"id": f.id, "short": _short(cat, inst, f, lang), "name": inst.text(f.name, lang)}
            for f in factors
        ],
        "filter_bands": [{"id": b, "label": band_labels[b]} for b in counts],
        "filter_types": [
            {"id": t, "label": lab} for t, lab in sorted(types.items(), key=lambda x: x[1])
        ],
        "filter_sectors": [
            {"id": s, "label": lab} for s, lab in sorted(sectors.items(), key=lambda x: x[1])
        ],
    }
