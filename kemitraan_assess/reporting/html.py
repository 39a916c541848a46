"""Render report contexts to self-contained HTML with Jinja2.

Templates ship in ``reports/templates/`` (``report.html``, ``index.html``,
``macros.html``); a ``template_dir`` given by the user is searched first through a
:class:`jinja2.ChoiceLoader`, so any one template can be overridden (datasette's
``--template-dir``). Autoescaping is on for every template: data text (partnership
names, comments) is always escaped. The stylesheet ``reports/styles/report.css`` is
inlined, charts are inline SVG, and the logo is a data URI: the file needs nothing else.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .._resources import reports_dir
from . import charts as _charts
from .locale import Catalogue, load_catalogue

__all__ = ["render_html", "render_index", "template_environment", "assets_digest", "report_css"]


def _b64(text: str) -> str:
    return base64.b64encode(str(text).encode("utf-8")).decode("ascii")


@functools.lru_cache(maxsize=8)
def template_environment(template_dir: str | None = None) -> jinja2.Environment:
    """The Jinja environment: user templates first (when given), then the bundled ones."""
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(template_dir)))
    loaders.append(jinja2.FileSystemLoader(str(reports_dir() / "templates")))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["b64"] = _b64
    return env


@functools.lru_cache(maxsize=1)
def report_css() -> str:
    """The bundled stylesheet (inlined into every page)."""
    return (reports_dir() / "styles" / "report.css").read_text(encoding="utf-8")


def assets_digest(template_dir: str | Path | None = None) -> str:
    """SHA-256 over the files that shape a report: the top-level templates, the
    stylesheet, the catalogues and the recommendations (and the user's template folder).
    Part of a batch's re-run key; other reports' files (e.g. ``templates/validation/``)
    do not count."""
    h = hashlib.sha256()
    root = reports_dir()
    groups: list[tuple[str, Any]] = [
        ("templates", root / "templates"),
        ("styles", root / "styles"),
        ("locales", root / "locales"),
        ("recommendations", root / "recommendations"),
    ]
    if template_dir is not None:
        groups.append(("user", Path(template_dir)))
    for label, folder in groups:
        if not folder.is_dir():
            continue
        for child in sorted(folder.iterdir(), key=lambda c: c.name):
            if child.is_dir() or child.name.startswith("."):
                continue
            if label == "styles" and child.name != "report.css":
                continue
            h.update(f"{label}/{child.name}".encode() + b"\0" + child.read_bytes() + b"\0")
    return h.hexdigest()


class _ChartHelper:
    """Chart functions the templates call with context data; they return SVG Markup."""

    def __init__(self, ctx: Mapping[str, Any], cat: Catalogue):
        self.ctx = ctx
        self.cat = cat

    def ci(self, factors: Sequence[Mapping[str, Any]], title: str) -> Markup:
        rows = [
            {
                "label": f["name"],
                "mean": f["mean"],
                "ci": f["ci"],
                "band": f["band"],
                "value_text": f["value_text"],
                "median": f.get("median"),
            }
            for f in factors
        ]
        return _charts.ci_chart(rows, self.ctx["bands"], self.cat, title=title)

    def dot(self, row: Mapping[str, Any]) -> Markup:
        return _charts.dot_row(row, self.ctx["bands"])

    def axis(self) -> Markup:
        return _charts.dot_axis(self.cat)

    def bars(self, rows: Sequence[Mapping[str, Any]], title: str, highlight: str | None) -> Markup:
        data = [
            {
                "key": r.get("key", r.get("id")),
                "label": r.get("label", r.get("name")),
                "mean": r["mean"],
                "value_text": r["value_text"],
                "band": r.get("band") if highlight is None else None,
            }
            for r in rows
        ]
        return _charts.bar_chart(data, self.cat, title=title, highlight=highlight)

    def items(self, items: Sequence[Mapping[str, Any]], title: str) -> Markup:
        labels = self.ctx.get("likert_labels") or [
            str(i + 1) for i in range(len(items[0]["counts"]))
        ]
        return _charts.diverging_bars(
            items,
            labels,
            self.cat,
            title=title,
            disagree_word=self.cat("items.disagree"),
            agree_word=self.cat("items.agree"),
        )


def render_html(context: Mapping[str, Any], *, template_dir: str | Path | None = None) -> str:
    """One partnership's report as a self-contained HTML page.

    Parameters
    ----------
    context
        From :func:`kemitraan_assess.reporting.build_context`.
    template_dir
        A folder whose templates override the bundled ones (same file names).

    Returns
    -------
    str
        The page; the same context gives the same text.

    Examples
    --------
    >>> from kemitraan_assess.reporting.html import template_environment
    >>> template_environment().autoescape
    True
    """
    env = template_environment(None if template_dir is None else str(template_dir))
    cat = load_catalogue(context["lang"])
    tpl = env.get_template("report.html")
    return tpl.render(ctx=context, t=cat, css=report_css(), charts=_ChartHelper(context, cat))


def render_index(context: Mapping[str, Any], *, template_dir: str | Path | None = None) -> str:
    """The portfolio index page (see :func:`kemitraan_assess.reporting.batch.index_context`)."""
    env = template_environment(None if template_dir is None else str(template_dir))
    cat = load_catalogue(context["lang"])
    return env.get_template("index.html").render(ctx=context, t=cat, css=report_css())
