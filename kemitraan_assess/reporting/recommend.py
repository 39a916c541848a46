"""The catalogue of recommended actions (``reports/recommendations/<instrument>.yaml``).

Format: ``scales: {SCALE_ID: {BAND_ID: [{id: ..., en: ...}, ...]}}`` and
``models: {MODEL_ID: [{id: ..., en: ...}, ...]}``. Anything missing (the whole file, a
scale, a band, a language) gives no actions for it rather than an error: the action
plan then leaves the rows for the partnership to fill in.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import yaml

from .._resources import reports_dir

__all__ = ["Recommendations", "load_recommendations"]


class Recommendations:
    """Look-ups into a recommendations catalogue.

    Examples
    --------
    >>> rec = Recommendations({"scales": {"GOL": {"concern": [{"id": "Rapat", "en": "Meet"}]}}})
    >>> rec.for_scale("GOL", "concern", "en")
    ['Meet']
    >>> rec.for_scale("LEAD", "concern", "en")
    []
    """

    def __init__(self, data: Mapping[str, Any] | None):
        self.data: Mapping[str, Any] = data or {}

    @staticmethod
    def _texts(entries: Any, lang: str, fallback: str) -> list[str]:
        out: list[str] = []
        if not isinstance(entries, list):
            return out
        for e in entries:
            if isinstance(e, Mapping):
                text = e.get(lang) or e.get(fallback)
                if text:
                    out.append(" ".join(str(text).split()))
            elif isinstance(e, str) and e.strip():
                out.append(" ".join(e.split()))
        return out

    def for_scale(self, scale_id: str, band_id: str, lang: str, fallback: str = "en") -> list[str]:
        scales = self.data.get("scales") or {}
        per_band = scales.get(scale_id) if isinstance(scales, Mapping) else None
        if not isinstance(per_band, Mapping):
            return []
        return self._texts(per_band.get(band_id), lang, fallback)

    def for_model(self, model_id: str, lang: str, fallback: str = "en") -> list[str]:
        models = self.data.get("models") or {}
        if not isinstance(models, Mapping):
            return []
        return self._texts(models.get(model_id), lang, fallback)


@functools.lru_cache(maxsize=8)
def load_recommendations(instrument_id: str) -> Recommendations:
    """The catalogue for ``instrument_id`` (empty when there is none or it is unreadable)."""
    path = reports_dir() / "recommendations" / f"{instrument_id}.yaml"
    if not path.is_file():
        return Recommendations(None)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return Recommendations(None)
    return Recommendations(data if isinstance(data, Mapping) else None)
