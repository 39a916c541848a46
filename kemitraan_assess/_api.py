"""The notebook entry points named as the commands, for the package top level.

``kemitraan_assess.ingest``, ``score`` and ``reliability`` are the library functions
themselves; ``report`` (the last stage) is defined here because the name also belongs to
the :mod:`kemitraan_assess.reporting` package (see ``kemitraan_assess/__init__.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["report"]


def report(
    scores: Any,
    out_dir: str | Path,
    *,
    lang: str | None = None,
    formats: Iterable[str] = ("html", "pdf"),
    brand: Any = None,
    include_comments: bool = True,
    only: Iterable[str] | None = None,
    template_dir: str | Path | None = None,
    workers: int | None = None,
) -> Any:
    """One readiness report per partnership plus the portfolio index, as
    ``kemitraan-assess report``.

    Parameters
    ----------
    scores
        ``score(...)``'s :class:`~kemitraan_assess.scoring.ScoreResult`.
    out_dir
        Folder for ``<slug>.html``, ``<slug>.pdf`` and ``index.html`` (created).
    lang
        Report language (default: the instrument's first language).
    formats
        ``("html", "pdf")``, ``("html",)`` or ``("pdf",)``.
    brand
        A :class:`~kemitraan_assess.reporting.Brand` or the path of a ``brand.yaml``.
    include_comments, only, template_dir, workers
        As the command's ``--no-comments``, ``--partnership``, ``--template-dir``,
        ``--workers``.

    Returns
    -------
    kemitraan_assess.reporting.BatchResult
        ``written``, ``skipped`` and ``failures``.
    """
    from .reporting import load_brand, render_reports

    if isinstance(brand, (str, Path)):
        brand = load_brand(brand)
    return render_reports(
        scores,
        out_dir,
        lang=lang or scores.instrument.default_language,
        formats=tuple(formats),
        brand=brand,
        include_comments=include_comments,
        only=list(only) if only is not None else None,
        template_dir=template_dir,
        workers=workers,
    )
