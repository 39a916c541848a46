"""Old name of :mod:`kemitraan_assess.stats.results`, kept only for the modules outside
``stats`` not edited in issue 12 (validation/render.py, validation/words.py,
scoring/score.py): import from ``kemitraan_assess.stats.results``."""

from kemitraan_assess.stats.results import StatResult, finite_or_none, to_jsonable

__all__ = ["StatResult", "finite_or_none", "to_jsonable"]
