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
from pathlib import Path

from markupsafe import Markup

from .._resources import reports_dir
from ..errors import KemitraanError
from ..instrument.model import Instrument
from ..validation import ValidationResult
from .html import report_css, template_environment
from .validation_sections import LOADING_CUT, validation_context
from .validation_words import load_validation_catalogue, p_value, reason_text

__all__ = ["render_validation", "render_validation_html", "validation_css"]


@functools.lru_cache(maxsize=1)
def validation_css() -> str:
    """The bundled ``report.css`` followed by ``validation.css`` (inlined into the page)."""
    own = (reports_dir() / "styles" / "validation.css").read_text(encoding="utf-8")
    return report_css() + "\n" + own


def render_validation_html(
    result: ValidationResult,
    instrument: Instrument,
    *,
    lang: str = "id",
    template_dir: str | Path | None = None,
) -> str:
    """The validation report as one self-contained HTML page.

    Parameters
    ----------
    result
        From :func:`kemitraan_assess.validation.validate` (or
        :func:`kemitraan_assess.reliability`).
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
    if not isinstance(result, ValidationResult):
        raise KemitraanError(
            f"the validation report takes the ValidationResult of validate() or reliability(), "
            f"not {type(result).__name__}"
        )
    ctx = validation_context(result, instrument, lang=lang)
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
    result: ValidationResult,
    instrument: Instrument,
    *,
    lang: str = "id",
    fmt: str = "html",
) -> bytes:
    """The validation report as HTML (UTF-8) or PDF bytes.

    Parameters
    ----------
    result
        From :func:`kemitraan_assess.validation.validate`.
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
    >>> render_validation(None, None, fmt="docx")  # doctest: +IGNORE_EXCEPTION_DETAIL
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
