"""HTML → A4 PDF with WeasyPrint: safe fetching, fixed metadata, attachments, tags.

* **Fetching.** The URL fetcher serves ``data:`` URIs and files inside the package's
  ``reports/`` folder; anything else (http, https, ftp, other files) is refused, so a
  hostile name or template cannot make the renderer read the disk or the network.
* **Determinism.** No creation or modification date is written; attachments carry a
  fixed date; the file identifier is a hash of the content. The same HTML gives the
  same bytes.
* **Accessibility.** PDF/UA-1 variant (tagged PDF) with the title and the language of
  the HTML in the metadata; bookmarks come from ``bookmark-level`` on h1/h2; fonts
  are embedded (subsetted) by WeasyPrint.
* **Speed.** A page that inlines the bundled stylesheet (``reports/styles/report.css``, as
  every partnership report does) is rendered with that stylesheet parsed once per process
  instead of once per page, and its titled charts (inline ``<svg role="img">`` from
  :mod:`.charts`) reach WeasyPrint as ``<img>`` of the same SVG, alt text = the chart's
  title: WeasyPrint then parses the chart's XML with a C parser instead of its pure-Python
  HTML parser and leaves its hundreds of shapes out of the document's CSS cascade. The
  printed page is the same (the stylesheet sizes ``img.chart`` as ``svg.chart``); the
  HTML file keeps its inline SVG (screen readers, browser zoom).
"""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import html as _html
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .._resources import reports_dir
from ..errors import KemitraanError
from .html import report_css

__all__ = ["render_pdf", "safe_url_fetcher", "FIXED_DATE", "PDF_VARIANT"]

FIXED_DATE = _dt.datetime(2000, 1, 1, tzinfo=_dt.UTC)
"""Date written on attachments (WeasyPrint would write 'now')."""
PDF_VARIANT = "pdf/ua-1"
"""Tagged PDF for accessibility (supported by WeasyPrint ≥ 61)."""


class RefusedURLError(KemitraanError):
    """A report asked for a resource the renderer may not fetch."""


@functools.lru_cache(maxsize=1)
def _fetcher_class() -> Any:
    import weasyprint
    from weasyprint.urls import URLFetcherResponse

    root = Path(str(reports_dir())).resolve()

    class SafeURLFetcher(weasyprint.URLFetcher):  # type: ignore[misc, name-defined]
        """Serve ``data:`` URIs and files under ``reports/``; refuse everything else."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.is_relative_to(root) and path.is_file():
                    return URLFetcherResponse(url, body=path.read_bytes())
            raise RefusedURLError(
                f"refused to fetch {url[:80]!r}: reports may only use their own assets"
            )

    return SafeURLFetcher


def safe_url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that allows only ``data:`` URIs and bundled assets.

    Examples
    --------
    >>> f = safe_url_fetcher()
    >>> f.fetch("data:text/plain,hi").read()
    b'hi'
    >>> try:
    ...     f.fetch("https://example.org/x.png")
    ... except KemitraanError as e:
    ...     print(str(e)[:16])
    refused to fetch
    """
    return _fetcher_class()(allowed_protocols=("data", "file"), fail_on_errors=False)


_CHART_SVG = re.compile(
    r'<svg xmlns="http://www\.w3\.org/2000/svg" class="chart [^"<>]*" role="img"[^<>]*>'
    r"<title>([^<]*)</title>.*?</svg>",
    re.S,
)


def _chart_as_image(match: re.Match[str]) -> str:
    svg = match.group(0)
    try:
        ET.fromstring(svg)  # well-formed XML, or it stays inline (WeasyPrint would drop it)
    except ET.ParseError:
        return svg
    cls = re.search(r'class="([^"]*)"', svg)
    alt = _html.escape(_html.unescape(match.group(1)), quote=True)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<img class="{cls.group(1) if cls else "chart"}" alt="{alt}" '
        f'src="data:image/svg+xml;base64,{data}">'
    )


@functools.lru_cache(maxsize=32)
def _stylesheet(text: str) -> Any:
    """``text`` parsed by WeasyPrint once per process (the CSS objects are read-only)."""
    import weasyprint

    return weasyprint.CSS(
        string=text, base_url=str(reports_dir()) + "/", url_fetcher=safe_url_fetcher()
    )


def _prepare(html_str: str) -> tuple[str, list[Any]]:
    """The page WeasyPrint gets, and its stylesheets (see "Speed" in the module notes).

    A page without the bundled stylesheet in its ``<style>`` is returned as it is.
    Otherwise the ``<style>`` element (its text before the stylesheet, the stylesheet,
    its text after) becomes three parsed stylesheets in the same order, so the cascade
    is the same: they all rank below the page's ``style`` attributes and above the
    browser's defaults, as the ``<style>`` did. Charts become images only when no CSS
    besides the bundled stylesheet (which sizes ``img.chart`` as ``svg.chart``) styles
    SVG, e.g. not in the validation report, whose own stylesheet sizes its charts.
    """
    css = report_css()
    at = html_str.find(css)
    start = html_str.rfind("<style>", 0, at) if at >= 0 else -1
    end = html_str.find("</style>", at) if at >= 0 else -1
    body = html_str.find("<body")
    if start < 0 or end < 0 or (0 <= body < start):
        return html_str, []
    before, after = html_str[start + len("<style>") : at], html_str[at + len(css) : end]
    if "<" in before or "<" in after:  # not one plain <style> element
        return html_str, []
    page = html_str[:start] + html_str[end + len("</style>") :]
    if "svg" not in before + after:  # only report.css styles the charts (as svg or img)
        page = _CHART_SVG.sub(_chart_as_image, page)
    return page, [_stylesheet(before), _stylesheet(css), _stylesheet(after)]


def render_pdf(html_str: str, *, attachments: Sequence[tuple[str, bytes]] = ()) -> bytes:
    """Render report HTML to an A4 PDF.

    Parameters
    ----------
    html_str
        A page from :func:`render_html` (title, ``lang`` and page CSS included).
    attachments
        ``(file name, bytes)`` pairs embedded in the PDF (the partnership's scores CSV).

    Returns
    -------
    bytes
        The PDF. Identical input gives identical bytes.

    Notes
    -----
    Any resource outside ``data:`` URIs and the package's ``reports/`` folder is refused
    by the URL fetcher (the page still renders, without it).
    """
    import weasyprint

    fetcher = safe_url_fetcher()
    page, stylesheets = _prepare(html_str)
    doc = weasyprint.HTML(string=page, base_url=str(reports_dir()) + "/", url_fetcher=fetcher)
    att = [
        weasyprint.Attachment(
            string=data, name=name, created=FIXED_DATE, modified=FIXED_DATE, url_fetcher=fetcher
        )
        for name, data in attachments
    ]
    return doc.write_pdf(
        stylesheets=stylesheets or None,
        attachments=att or None,
        pdf_variant=PDF_VARIANT,
        pdf_identifier=True,
        uncompressed_pdf=False,
    )
