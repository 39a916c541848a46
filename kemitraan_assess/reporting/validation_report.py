"""The instrument validation report: the result of :func:`kemitraan_assess.validation.validate`
as HTML or PDF, rendered like the partnership reports.

1. :func:`~kemitraan_assess.reporting.validation_sections.validation_context` turns the result
   and the instrument into rows, texts and charts for one language (numbers through the
   catalogue's one locale path, charts from :mod:`~kemitraan_assess.reporting.svg`).
2. The Jinja template ``reports/templates/validation/report.html`` (found through
   :func:`~kemitraan_assess.reporting.html.template_environment`, so a user's template folder
   can override it) writes a self-contained page: inline CSS (``report.css`` plus
   ``validation.css``), inline SVG charts, every text autoescaped.
3. :func:`~kemitraan_assess.reporting.pdf.render_pdf` makes the A4 PDF: only bundled assets
   are fetched, the metadata carries the title and language and no date, so the same
   result gives the same bytes.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .._resources import reports_dir
from ..errors import KemitraanError
from ..instrument.model import Instrument
from .html import report_css, template_environment
from .validation_sections import (
    LOADING_CUT,
    load_validation_catalogue,
    p_value,
    reason_text,
    validation_context,
)

if TYPE_CHECKING:
    from ..validation.sections import ValidationResult

__all__ = ["render_validation", "render_validation_html", "validation_css"]


def _document(result: ValidationResult | Mapping[str, Any]) -> Mapping[str, Any]:
    """The JSON document of a result (``validate()``'s typed result or its ``to_dict()``)."""
    to_dict = getattr(result, "to_dict", None)
    return to_dict() if callable(to_dict) else result  # type: ignore[return-value]


@functools.lru_cache(maxsize=1)
def validation_css() -> str:
    """The bundled ``report.css`` followed by ``validation.css`` (inlined into the page)."""
    own = (reports_dir() / "styles" / "validation.css").read_text(encoding="utf-8")
    return report_css() + "\n" + own


def render_validation_html(
    result: ValidationResult | Mapping[str, Any],
    instrument: Instrument,
    *,
    lang: str = "id",
    template_dir: str | Path | None = None,
) -> str:
    """The validation report as one self-contained HTML page.

    Parameters
    ----------
    result
        From :func:`kemitraan_assess.validation.validate` (or its ``to_dict()``, the JSON
        of ``reliability --format json``, read back).
    instrument
        The instrument of the result (names of scales and items).
    lang
        ``id`` or ``en`` (any language with a catalogue in ``reports/locales/validation/``).
    template_dir
        A folder whose ``validation/report.html`` overrides the bundled one.

    Returns
    -------
    str
        The page; the same result gives the same text.
    """
    ctx = validation_context(_document(result), instrument, lang=lang)
    cat = load_validation_catalogue(lang)
    env = template_environment(template_dir)
    tpl = env.get_template("validation/report.html")
    return tpl.render(
        ctx=ctx,
        t=cat,
        css=Markup(validation_css()),
        num=cat.number,
        p=lambda v: p_value(cat, v, cell=True),
        p_text=lambda v: p_value(cat, v),
        reason_text=lambda r: reason_text(cat, r),
        LOADING_CUT=LOADING_CUT,
    )


def render_validation(
    result: ValidationResult | Mapping[str, Any],
    instrument: Instrument,
    *,
    lang: str = "id",
    fmt: str = "html",
) -> bytes:
    """The validation report as HTML (UTF-8) or PDF bytes.

    Parameters
    ----------
    result
        From :func:`kemitraan_assess.validation.validate`, or its JSON document.
    instrument
        The instrument of the result.
    lang
        Report language, ``id`` (default) or ``en``.
    fmt
        ``html`` or ``pdf`` (A4, page numbers, bookmarks, title and language metadata,
        no dates: byte-identical on re-render).

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    KemitraanError
        For an unknown format or a language without a catalogue.

    Examples
    --------
    >>> render_validation({}, None, fmt="docx")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    kemitraan_assess.errors.KemitraanError: unknown report format 'docx' (use html or pdf)
    """
    if fmt not in ("html", "pdf"):
        raise KemitraanError(f"unknown report format {fmt!r} (use html or pdf)")
    page = render_validation_html(result, instrument, lang=lang)
    if fmt == "html":
        return page.encode("utf-8")
    from .pdf import render_pdf

    return render_pdf(page)
