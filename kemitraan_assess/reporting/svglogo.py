"""SVG logos, strictly allow-listed and re-written before they reach a renderer.

A logo is drawn by WeasyPrint (PDF) and by a browser (HTML). An SVG is a program for
both: scripts, links to files or the network, and small files that take unbounded
work (a 1.4 KB logo of nested ``<use>`` kept WeasyPrint busy for more than 4 minutes at
1.8 GB). Rather than looking for what is bad, :func:`clean_svg` keeps only what a logo
needs and re-writes it:

* parsed with :mod:`defusedxml` (no DTD, no entities, no external references);
* elements of the SVG namespace from :data:`ALLOWED_ELEMENTS` only (shapes, paths,
  groups, text, gradients, clip paths); anything else - ``<use>``, ``<image>``,
  ``<script>``, ``<foreignObject>``, ``<a>``, ``<pattern>``, ``<filter>``, animation -
  refuses the logo with its name;
* attributes from :data:`ALLOWED_ATTRIBUTES`; an event handler (``on…``), any ``href``,
  or a ``url(…)`` that is not a ``#fragment`` of the same file refuses the logo; other
  attributes, and elements of other namespaces (editor metadata such as Inkscape's),
  are dropped, as they draw nothing;
* ``<style>`` text without ``@import``, ``url()`` other than to a fragment, or escapes;
* at most :data:`MAX_ELEMENTS` elements, nested at most :data:`MAX_DEPTH` deep.

The result is serialised again by this module (only the kept elements, attributes and
text), so what is embedded is exactly what was checked.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape, quoteattr

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from ..errors import BrandError

__all__ = ["clean_svg", "ALLOWED_ELEMENTS", "ALLOWED_ATTRIBUTES", "MAX_ELEMENTS", "MAX_DEPTH"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
MAX_ELEMENTS = 5000
"""Elements a logo may have (a detailed vector logo has a few hundred)."""
MAX_DEPTH = 24
"""Nesting of elements."""

ALLOWED_ELEMENTS = frozenset(
    "svg g path rect circle ellipse line polyline polygon text tspan title desc defs "
    "linearGradient radialGradient stop clipPath style".split()
)
ALLOWED_ATTRIBUTES = frozenset(
    """id class style transform version viewBox preserveAspectRatio width height x y x1 y1 x2 y2
    cx cy r rx ry fx fy d points pathLength fill fill-opacity fill-rule stroke stroke-width
    stroke-linecap stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset
    stroke-opacity opacity color display visibility clip-path clip-rule clipPathUnits offset
    stop-color stop-opacity gradientUnits gradientTransform spreadMethod font-family font-size
    font-weight font-style font-variant text-anchor dominant-baseline alignment-baseline
    baseline-shift letter-spacing word-spacing text-decoration dx dy rotate lengthAdjust
    textLength xml:space type media""".split()
)
_FRAGMENT = re.compile(r"^#[A-Za-z_][\w.:-]*$")


def _refuse(path: object, what: str) -> BrandError:
    return BrandError(
        f"logo {path}: the SVG contains {what}; logos may hold only shapes, paths, text and "
        "gradients (save it as a plain SVG without links, scripts or <use>, or give a PNG)",
        code="brand.svg_unsafe",
        params={"what": what},
    )


def _local(name: str) -> tuple[str | None, str]:
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return None, name


def _check_urls(value: str, path: object, where: str) -> None:
    """Every ``url(`` in ``value`` must name a ``#fragment`` of this file."""
    for m in re.finditer(r"url\s*\(", value, re.I):
        rest = value[m.end() :]
        close = rest.find(")")
        target = rest[:close].strip().strip("'\"").strip() if close >= 0 else ""
        if not _FRAGMENT.match(target):
            raise _refuse(path, f"a url() to another resource in {where}")


def _check_style_text(text: str, path: object, where: str) -> None:
    low = text.lower()
    for bad, what in (
        ("@import", "a CSS @import"),
        ("@font-face", "a CSS @font-face"),
        ("\\", "a CSS escape"),
        ("expression(", "a CSS expression()"),
        ("javascript:", "a javascript: URL"),
    ):
        if bad in low:
            raise _refuse(path, f"{what} in {where}")
    _check_urls(text, path, where)


def _attribute(name: str, value: str, path: object, tag: str) -> tuple[str, str] | None:
    ns, local = _local(name)
    if local.lower().startswith("on"):
        raise _refuse(path, f"an event-handler attribute ({local}=) on <{tag}>")
    if local == "href" or ns == XLINK_NS:
        raise _refuse(path, f"a link (href) on <{tag}>: a link to another file or to the network")
    if ns == "http://www.w3.org/XML/1998/namespace":
        local = f"xml:{local}"
    elif ns is not None:
        return None  # editor metadata (inkscape:, sodipodi:, ...) draws nothing
    if local not in ALLOWED_ATTRIBUTES:
        return None
    if "javascript:" in value.lower():
        raise _refuse(path, f"a javascript: URL on <{tag}>")
    if local == "style":
        _check_style_text(value, path, f"the style of <{tag}>")
    else:
        _check_urls(value, path, f"{local}= on <{tag}>")
    return local, value


def clean_svg(data: bytes, path: object = "") -> bytes:
    """The allow-listed, re-written SVG of a logo, or a :class:`BrandError` saying why not.

    Parameters
    ----------
    data
        The SVG file's bytes (UTF-8).
    path
        The file, named in the error.

    Examples
    --------
    >>> clean_svg(b'<svg xmlns="http://www.w3.org/2000/svg" width="4"><rect width="4" onfoo="" '
    ...           b'/><metadata>x</metadata></svg>', "l.svg")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kemitraan_assess.errors.BrandError: logo l.svg: the SVG contains an event-handler ...
    >>> clean_svg(b'<svg xmlns="http://www.w3.org/2000/svg" width="4"><rect width="4"/></svg>')
    b'<svg xmlns="http://www.w3.org/2000/svg" width="4"><rect width="4"/></svg>'
    """
    try:
        root = DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise _refuse(path, "a DTD or an XML entity declaration") from None
    except Exception as exc:  # ParseError and friends: not well-formed XML
        raise BrandError(
            f"logo {path}: not a well-formed SVG file ({exc})", code="brand.svg_malformed"
        ) from None
    ns, local = _local(root.tag)
    if ns != SVG_NS or local != "svg":
        raise BrandError(
            f"logo {path}: the root element must be <svg> in the SVG namespace ({SVG_NS})"
        )
    count = 0
    out: list[str] = []

    def walk(el: Element, depth: int) -> None:
        nonlocal count
        ns, tag = _local(el.tag) if isinstance(el.tag, str) else (None, "")
        if not isinstance(el.tag, str):  # a comment or processing instruction
            out.append(escape(el.tail or ""))
            return
        if ns != SVG_NS:
            out.append(escape(el.tail or ""))  # another namespace: editor metadata, dropped
            return
        if tag == "metadata":
            out.append(escape(el.tail or ""))
            return
        if tag not in ALLOWED_ELEMENTS:
            raise _refuse(path, f"a <{tag}> element")
        count += 1
        if count > MAX_ELEMENTS:
            raise _refuse(path, f"more than {MAX_ELEMENTS} elements")
        if depth > MAX_DEPTH:
            raise _refuse(path, f"elements nested more than {MAX_DEPTH} deep")
        attrs = [
            a for a in (_attribute(k, v, path, tag) for k, v in el.attrib.items()) if a is not None
        ]
        text = el.text or ""
        if tag == "style":
            _check_style_text(text, path, "a <style> element")
        head = (
            tag
            + ("" if depth else f' xmlns="{SVG_NS}"')
            + "".join(f" {k}={quoteattr(v)}" for k, v in attrs)
        )
        children = list(el)
        if not children and not text:
            out.append(f"<{head}/>")
        else:
            out.append(f"<{head}>{escape(text)}")
            for child in children:
                walk(child, depth + 1)
            out.append(f"</{tag}>")
        if depth:
            out.append(escape(el.tail or ""))

    walk(root, 0)
    return "".join(out).encode("utf-8")
