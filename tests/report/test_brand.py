"""Brand files: validated with clear messages; logos checked and embedded as data URIs."""

import base64

import pytest

from kemitraan_assess.errors import BrandError
from kemitraan_assess.report.brand import MAX_LOGO_BYTES, contrast_ratio, load_brand

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#036"/></svg>'


def _brand(tmp_path, text, logo=None, name="logo.png"):
    if logo is not None:
        (tmp_path / name).write_bytes(logo)
    p = tmp_path / "brand.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_full_brand_loads_and_embeds_the_logo(tmp_path):
    b = load_brand(_brand(tmp_path, "organisation: Dinkes DIY\nlogo: logo.png\nprimary_color: '#036'\n"
                                    "footer: Untuk lokakarya\ncontact: a@b.id\n", PNG))
    assert b.organisation == "Dinkes DIY" and b.primary_color == "#003366"
    assert b.logo_data_uri.startswith("data:image/png;base64,")
    svg = load_brand(_brand(tmp_path, "logo: l.svg\n", SVG, "l.svg"))
    assert svg.logo_data_uri.startswith("data:image/svg+xml;base64,")


@pytest.mark.parametrize(("svg", "what"), [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "script"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event-handler"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://evil/x.png"/></svg>', "link"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><image xlink:href="file:///etc/passwd"/></svg>', "link"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import "http://x";</style></svg>', "@import"),
    (b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg/>', "entity"),
])
def test_unsafe_svg_logos_are_refused(tmp_path, svg, what):
    with pytest.raises(BrandError, match=what):
        load_brand(_brand(tmp_path, "logo: l.svg\n", svg, "l.svg"))


@pytest.mark.parametrize(("text", "logo", "match"), [
    ("primary_color: red\n", None, "not a colour"),
    ("primary_color: '#ffff00'\n", None, "contrast"),
    ("logo: https://example.org/l.png\n", None, "URL"),
    ("logo: missing.png\n", None, "not found"),
    ("logo: logo.png\n", b"GIF89a....", "not a PNG or SVG"),
    ("logo: logo.png\n", PNG + b"\0" * MAX_LOGO_BYTES, "larger than"),
    ("colour: '#000'\n", None, "unknown key"),
    ("- a\n- b\n", None, "expected keys"),
    ("organisation: [1, 2]\n", None, "expected text"),
])
def test_bad_brands_say_what_is_wrong(tmp_path, text, logo, match):
    with pytest.raises(BrandError, match=match):
        load_brand(_brand(tmp_path, text, logo))


def test_contrast_ratio_matches_wcag():
    # WCAG 2.1 definition: black on white 21:1, #767676 on white is the classic 4.54:1
    assert contrast_ratio("#000000") == pytest.approx(21.0, rel=1e-6)
    assert contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)
