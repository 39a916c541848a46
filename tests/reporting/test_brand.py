"""Brand files: validated with clear messages; logos checked and embedded as data URIs."""

import base64
import re
import time

import pytest

from kemitraan_assess.errors import BrandError
from kemitraan_assess.reporting.brand import MAX_LOGO_BYTES, contrast_ratio, load_brand

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJ"
    "RU5ErkJggg=="
)
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<rect width="10" height="10" fill="#036"/></svg>'
)


def _brand(tmp_path, text, logo=None, name="logo.png"):
    if logo is not None:
        (tmp_path / name).write_bytes(logo)
    p = tmp_path / "brand.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_full_brand_loads_and_embeds_the_logo(tmp_path):
    b = load_brand(
        _brand(
            tmp_path,
            "organisation: Dinkes DIY\nlogo: logo.png\nprimary_color: '#036'\n"
            "footer: Untuk lokakarya\ncontact: a@b.id\n",
            PNG,
        )
    )
    assert b.organisation == "Dinkes DIY" and b.primary_color == "#003366"
    assert b.logo_data_uri.startswith("data:image/png;base64,")
    svg = load_brand(_brand(tmp_path, "logo: l.svg\n", SVG, "l.svg"))
    assert svg.logo_data_uri.startswith("data:image/svg+xml;base64,")


NS = b'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def use_bomb(levels: int = 10, per: int = 6) -> bytes:
    """Nested <use>: each level draws the previous one six times (6**10 copies in ~1.4 KB;
    such a logo passed the old pattern check, then kept WeasyPrint busy > 4 minutes)."""
    parts = [b'<svg xmlns="http://www.w3.org/2000/svg"><defs><path id="a0" d="M0 0h1v1z"/>']
    for i in range(1, levels):
        parts.append(b'<g id="a%d">' % i + b'<use href="#a%d"/>' % (i - 1) * per + b"</g>")
    parts.append(b'</defs><use href="#a%d"/></svg>' % (levels - 1))
    return b"".join(parts)


@pytest.mark.parametrize(
    ("svg", "what"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event-handler"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://evil/x.png"/></svg>',
            "<image>",
        ),
        (b"<svg " + NS + b'><image xlink:href="file:///etc/passwd"/></svg>', "<image>"),
        (b"<svg " + NS + b'><linearGradient id="g" xlink:href="file:///x"/></svg>', "link"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import "http://x";</style></svg>',
            "@import",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><style>.a{fill:url(http://x/y.svg#g)}</style></svg>',
            "url()",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><style>.a{fill:u\\72l(http://x)}</style></svg>',
            "escape",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg">'
            b"<rect style=\"fill:url( 'http://x' )\"/></svg>",
            "url()",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(file:///etc/passwd)"/></svg>',
            "url()",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg/>',
            "entity",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>',
            "entity",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p>'
            b"</foreignObject></svg>",
            "<foreignObject>",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><a href="http://x"><rect/></a></svg>', "<a>"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><filter id="f">'
            b'<feGaussianBlur stdDeviation="99"/></filter></svg>',
            "<filter>",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect><animate attributeName="x"/>'
            b"</rect></svg>",
            "<animate>",
        ),
        (use_bomb(), "<use>"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<rect/>" * 5001 + b"</svg>",
            "more than 5000 elements",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 30 + b"</g>" * 30 + b"</svg>",
            "nested",
        ),
        (b"<svg><rect/></svg>", "SVG namespace"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', "well-formed"),
    ],
)
def test_unsafe_svg_logos_are_refused(tmp_path, svg, what):
    with pytest.raises(BrandError, match=re.escape(what)):
        load_brand(_brand(tmp_path, "logo: l.svg\n", svg, "l.svg"))


def test_use_bomb_is_small_and_refused_fast(tmp_path):
    assert len(use_bomb()) < 1500
    t0 = time.perf_counter()
    with pytest.raises(BrandError, match="<use>"):
        load_brand(_brand(tmp_path, "logo: l.svg\n", use_bomb(), "l.svg"))
    assert time.perf_counter() - t0 < 1


def test_an_editor_svg_is_rewritten_to_what_was_checked(tmp_path):
    svg = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- Created with Inkscape -->\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" '
        b'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        b'xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" '
        b'width="40" height="20" '
        b'viewBox="0 0 40 20" inkscape:version="1.2" data-x="1">'
        b'<sodipodi:namedview id="nv"/><metadata><rdf xmlns="urn:x">x</rdf></metadata>'
        b'<defs><linearGradient id="g"><stop offset="0" stop-color="#036"/></linearGradient>'
        b"<style>.a{fill:url(#g)}</style></defs>"
        b'<g class="a" transform="translate(1 1)"><path d="M0 0h10v10z" fill="url(#g)"/>'
        b'<text x="12" y="10" font-size="8">Dinkes &amp; Co</text></g></svg>'
    )
    uri = load_brand(_brand(tmp_path, "logo: l.svg\n", svg, "l.svg")).logo_data_uri
    out = base64.b64decode(uri.split(",", 1)[1])
    assert out.startswith(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20">'
    )
    for gone in (b"inkscape", b"sodipodi", b"metadata", b"rdf", b"data-x", b"<!--"):
        assert gone not in out
    for kept in (
        b'<path d="M0 0h10v10z" fill="url(#g)"/>',
        b"Dinkes &amp; Co",
        b"<style>.a{fill:url(#g)}</style>",
    ):
        assert kept in out


@pytest.mark.parametrize(
    ("text", "logo", "match"),
    [
        ("primary_color: red\n", None, "not a colour"),
        ("primary_color: '#ffff00'\n", None, "contrast"),
        ("logo: https://example.org/l.png\n", None, "URL"),
        ("logo: missing.png\n", None, "not found"),
        ("logo: logo.png\n", b"GIF89a....", "not a PNG or SVG"),
        ("logo: logo.png\n", PNG + b"\0" * MAX_LOGO_BYTES, "larger than"),
        ("colour: '#000'\n", None, "unknown key"),
        ("- a\n- b\n", None, "expected keys"),
        ("organisation: [1, 2]\n", None, "expected text"),
    ],
)
def test_bad_brands_say_what_is_wrong(tmp_path, text, logo, match):
    with pytest.raises(BrandError, match=match):
        load_brand(_brand(tmp_path, text, logo))


def test_contrast_ratio_matches_wcag():
    # WCAG 2.1 definition: black on white 21:1, #767676 on white is the classic 4.54:1
    assert contrast_ratio("#000000") == pytest.approx(21.0, rel=1e-6)
    assert contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)
