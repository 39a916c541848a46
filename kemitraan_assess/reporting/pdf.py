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
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .._resources import reports_dir
from ..errors import KemitraanError

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
    doc = weasyprint.HTML(string=html_str, base_url=str(reports_dir()) + "/", url_fetcher=fetcher)
    att = [
        weasyprint.Attachment(
            string=data, name=name, created=FIXED_DATE, modified=FIXED_DATE, url_fetcher=fetcher
        )
        for name, data in attachments
    ]
    return doc.write_pdf(
        attachments=att or None,
        pdf_variant=PDF_VARIANT,
        pdf_identifier=True,
        uncompressed_pdf=False,
    )
