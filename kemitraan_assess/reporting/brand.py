"""Branding of reports: organisation name, logo, primary colour, footer, contact.

A brand file is YAML::

    organisation: Dinas Kesehatan Provinsi DIY
    logo: logo.png            # a local PNG or SVG, relative to the brand file
    primary_color: "#0b5d7a"  # #rgb or #rrggbb; must reach 4.5:1 contrast on white
    footer: Disusun untuk lokakarya kemitraan
    contact: kemitraan@example.org

Every field is optional. The logo is read once, checked (PNG or SVG by its first bytes,
at most 1 MiB; an SVG is strictly allow-listed and re-written by
:func:`~kemitraan_assess.reporting.svglogo.clean_svg`: shapes, paths, text and gradients
only, no ``<use>``, links, scripts or entities) and embedded as a ``data:`` URI, so
reports stay self-contained and the PDF renderer never fetches it.
"""

from __future__ import annotations

import base64
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import BrandError
from ..safeyaml import YAMLLimitError, load_yaml
from .svglogo import clean_svg

__all__ = ["Brand", "load_brand", "check_logo", "contrast_ratio", "MAX_LOGO_BYTES", "DEFAULT_COLOR"]

MAX_LOGO_BYTES = 1024 * 1024
DEFAULT_COLOR = "#0b5d7a"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_FIELDS = ("organisation", "logo", "primary_color", "footer", "contact")
_MAX_TEXT = 300


@dataclass(frozen=True)
class Brand:
    """A validated brand: plain strings only (the logo is already a data URI)."""

    organisation: str = ""
    logo_data_uri: str = ""
    primary_color: str = DEFAULT_COLOR
    footer: str = ""
    contact: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def _channel(c: int) -> float:
    s = c / 255
    return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4


def contrast_ratio(color: str, other: str = "#ffffff") -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours.

    Notes
    -----
    :math:`(L_1 + 0.05) / (L_2 + 0.05)` with relative luminance :math:`L` (WCAG 2.1,
    success criterion 1.4.3; AA needs 4.5 for body text).

    Examples
    --------
    >>> round(contrast_ratio("#000000"), 1)
    21.0
    >>> round(contrast_ratio("#0b5d7a"), 2) >= 4.5
    True
    """

    def lum(hexcolor: str) -> float:
        h = _expand(hexcolor)
        r, g, b = (int(h[i : i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)

    a, b = lum(color), lum(other)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def _expand(color: str) -> str:
    c = color.lower()
    if len(c) == 4:
        c = "#" + "".join(ch * 2 for ch in c[1:])
    return c


def check_logo(path: Path) -> str:
    """Read, check and encode a logo file as a ``data:`` URI.

    Raises
    ------
    BrandError
        When the file is missing, too large, neither PNG nor SVG, or an SVG that could
        run code or fetch something.
    """
    if not path.is_file():
        raise BrandError(f"logo {path}: file not found (give a local PNG or SVG file)")
    size = path.stat().st_size
    if size > MAX_LOGO_BYTES:
        raise BrandError(
            f"logo {path}: {size} bytes is larger than the limit of {MAX_LOGO_BYTES} (1 MiB)",
            code="brand.logo_too_large",
            params={"size": size, "max": MAX_LOGO_BYTES},
        )
    data = path.read_bytes()
    if data.startswith(_PNG_MAGIC):
        return "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"<svg", b"<?xml", b"<!--")) and b"<svg" in data[:4096]:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise BrandError(
                f"logo {path}: an SVG logo must be UTF-8 text", code="brand.logo_not_image"
            ) from None
        return "data:image/svg+xml;base64," + base64.b64encode(clean_svg(data, path)).decode(
            "ascii"
        )
    raise BrandError(
        f"logo {path}: not a PNG or SVG file (checked by its first bytes)",
        code="brand.logo_not_image",
    )


def load_brand(path: str | Path) -> Brand:
    """Load and validate a brand file.

    Parameters
    ----------
    path
        A YAML file with ``organisation``, ``logo``, ``primary_color``, ``footer`` and
        ``contact`` (all optional). A relative logo path is read beside the brand file.

    Returns
    -------
    Brand

    Raises
    ------
    BrandError
        With the file and the field that is wrong, and what is expected.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "brand.yaml").write_text("organisation: Dinkes DIY\\nprimary_color: '#005a70'\\n")
    >>> load_brand(d / "brand.yaml").primary_color
    '#005a70'
    """
    p = Path(path)
    if not p.is_file():
        raise BrandError(f"{p}: brand file not found")
    try:
        raw = load_yaml(p.read_text(encoding="utf-8-sig"))
    except YAMLLimitError as exc:
        raise BrandError(f"{p}: {exc}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise BrandError(f"{p}: not a readable YAML file ({exc.__class__.__name__})") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise BrandError(f"{p}: expected keys {', '.join(_FIELDS)}")
    unknown = sorted(set(map(str, raw)) - set(_FIELDS))
    if unknown:
        raise BrandError(f"{p}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(_FIELDS)}")
    values: dict[str, Any] = {}
    for key in ("organisation", "footer", "contact"):
        v = raw.get(key)
        if v is None:
            continue
        if not isinstance(v, str | int | float):
            raise BrandError(f"{p}: {key}: expected text")
        text = " ".join(str(v).split())
        if len(text) > _MAX_TEXT:
            raise BrandError(f"{p}: {key}: longer than {_MAX_TEXT} characters")
        values[key] = text
    color = raw.get("primary_color")
    if color is not None:
        color = str(color).strip()
        if not _COLOR.match(color):
            raise BrandError(f"{p}: primary_color: {color!r} is not a colour like '#0b5d7a'")
        color = _expand(color)
        ratio = contrast_ratio(color)
        if ratio < 4.5:
            raise BrandError(
                f"{p}: primary_color: {color} has a contrast of {ratio:.2f}:1 on white; "
                "text needs at least 4.5:1 (WCAG AA) - choose a darker colour"
            )
        values["primary_color"] = color
    logo = raw.get("logo")
    if logo is not None:
        if not isinstance(logo, str) or not logo.strip():
            raise BrandError(f"{p}: logo: expected the path of a PNG or SVG file")
        if re.match(r"^[a-z][a-z0-9+.-]*://", logo.strip(), re.I):
            raise BrandError(f"{p}: logo: {logo!r} is a URL; give a local PNG or SVG file")
        lp = Path(logo.strip())
        if not lp.is_absolute():
            lp = p.parent / lp
        values["logo_data_uri"] = check_logo(lp)
    return Brand(**values)
