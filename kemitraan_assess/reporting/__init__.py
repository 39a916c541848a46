"""Readiness reports: plain-data context, HTML and PDF rendering, batches on a pool or dask.

Public API::

    build_context(scores, partnership, *, lang="id", brand=None, include_comments=True) -> dict
    render_html(context, *, template_dir=None) -> str
    render_pdf(html_str, *, attachments=()) -> bytes
    render_reports(scores, out_dir, *, lang="id", formats=("html", "pdf"), brand=None,
                   include_comments=True, workers=None, scheduler=None, progress=None,
                   template_dir=None) -> BatchResult
    load_brand(path) -> Brand
"""

from __future__ import annotations

from .batch import BatchResult, DaskExecutor, Failure, LocalPoolExecutor, render_reports
from .brand import Brand, load_brand
from .context import build_context
from .html import render_html, render_index
from .locale import available_languages
from .pdf import render_pdf
from .slug import slugify, unique_slugs

__all__ = [
    "BatchResult",
    "Brand",
    "DaskExecutor",
    "Failure",
    "LocalPoolExecutor",
    "available_languages",
    "build_context",
    "load_brand",
    "render_html",
    "render_index",
    "render_pdf",
    "render_reports",
    "slugify",
    "unique_slugs",
]
