"""Both reports are drawn by one system: the same number path, the same chart primitives.

Issue 11 found the validation report grouping thousands only sometimes ("χ² = 11421,21,
df = 1.176"), printing BIC with a hyphen ("-3133,2") and drawing charts that had drifted from
the partnership report's (400 units wide, 12-unit text, no font family, 10-unit counts).
These tests fail on that drift: a number must read the same in both reports, and a chart of
either report must come out of the same ``<svg>`` head with text no smaller than the shared
minimum. Expected formats are CLDR's via Babel: ``id`` groups with '.', decimal ','; ``en``
groups with ',', decimal '.'; the minus sign is U+2212.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from kemitraan_assess import load_instrument
from kemitraan_assess.io import ingest
from kemitraan_assess.reporting import build_context, render_html
from kemitraan_assess.reporting.locale import load_catalogue
from kemitraan_assess.reporting.svg import SMALL_TEXT, WIDTH
from kemitraan_assess.reporting.validation_report import render_validation_html
from kemitraan_assess.reporting.validation_sections import validation_context
from kemitraan_assess.reporting.validation_words import load_validation_catalogue
from kemitraan_assess.validation import validate

from .conftest import STRONG

BFI = "tests/reference/data/bfi.csv"  # psych::bfi (see tests/fixtures/bfi.yaml)


@pytest.fixture(scope="module")
def bfi():
    inst = load_instrument("tests/fixtures/bfi.yaml")
    result = validate(ingest(BFI, inst, require_group=False).responses, inst, n_iter=20)
    return result, inst


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize(
    ("lang", "chi2", "bic"),
    [
        ("id", "χ² = 11.421,21, df = 1.176", "−3.133,2"),
        ("en", "χ² = 11,421.21, df = 1,176", "−3,133.2"),
    ],
)
def test_a_number_reads_the_same_in_both_reports(bfi, lang, chi2, bic):
    result, inst = bfi
    st = result.structure
    st = replace(
        st,
        factorability=replace(
            st.factorability, bartlett=replace(st.factorability.bartlett, chi2=11421.2149, df=1176)
        ),
        efa=replace(st.efa, fit=replace(st.efa.fit, bic=-3133.24)),
    )
    text = _text(render_validation_html(replace(result, structure=st), inst, lang=lang))
    assert text.count(chi2) == 2  # the factorability table and the conclusion
    assert bic in text
    assert "-3133" not in text and "-3.133" not in text and "-3,133" not in text
    # the partnership report's catalogue formats the same numbers to the same text
    part, val = load_catalogue(lang), load_validation_catalogue(lang)
    for value, digits in ((11421.2149, 2), (-3133.24, 1), (1176, 0), (-0.004, 2)):
        assert val.number(value, digits) == part.number(value, digits)


def _svg_heads(page: str) -> set[str]:
    return {
        re.sub(r' class="[^"]*"', "", h) for h in re.findall(r'<svg [^>]*role="img"[^>]*>', page)
    }


def _text_sizes(page: str) -> list[float]:
    sizes = []
    for svg in re.findall(r'<svg [^>]*role="img".*?</svg>', page, re.S):
        default = float(re.search(r'font-size="([\d.]+)"', svg).group(1))
        for attrs in re.findall(r"<text([^>]*)>", svg):
            m = re.search(r'font-size="([\d.]+)"', attrs)
            sizes.append(float(m.group(1)) if m else default)
    return sizes


def test_charts_of_both_reports_share_one_drawing_head_and_text_sizes(bfi, demo_scores):
    result, inst = bfi
    validation = render_validation_html(result, inst, lang="en")
    partnership = render_html(build_context(demo_scores, STRONG, lang="en"))
    heads = {
        re.sub(r' height="[^"]*"| viewBox="[^"]*"', "", h)  # only the height may differ
        for h in _svg_heads(validation) | _svg_heads(partnership)
    }
    assert len(heads) == 1, heads
    assert f'width="{WIDTH}"' in next(iter(heads)) and "font-family=" in next(iter(heads))
    for page in (validation, partnership):
        sizes = _text_sizes(page)
        assert sizes and min(sizes) >= SMALL_TEXT


def test_factors_are_named_by_the_scale_of_their_items(bfi):
    result, inst = bfi
    efa = validation_context(result, inst, lang="en")["structure"]["efa"]
    # psych::fa(bfi, 5): each factor is one of the Big Five scales (N, E, C, A, O)
    assert sorted(f["short"] for f in efa["factors"]) == ["A", "C", "E", "N", "O"]
    assert [f["short"] for f in efa["factors"]] == [s.id for s in inst.scales]  # scale order
    assert all(re.fullmatch(r"MR\d", f["id"]) for f in efa["factors"])
    page = render_validation_html(result, inst, lang="en")
    head = re.search(r'<table class="loadings">.*?</thead>', page, re.S).group(0)
    assert ">MR" not in head  # no bare MR1 … as a column name
    # the items' short texts are in the loadings table
    assert inst.text(inst.items["A1"].short or inst.items["A1"].text, "en") in page


def test_factor_names_when_two_factors_share_a_scale_or_none_is_found(bfi):
    result, inst = bfi
    items = list(result.structure.efa.loadings)
    # every item loads on MR1 or MR2 by its scale's parity; MR3..MR5 carry nothing
    order = [s.id for s in inst.scales]
    loadings = {}
    for i, iid in enumerate(items):
        sid = inst.item_scale[iid]
        first = sid == order[0]
        row = {f"MR{k}": 0.0 for k in range(1, 6)}
        row["MR1" if first and i % 2 == 0 else "MR2" if first else "MR4"] = 0.7
        loadings[iid] = row
    efa = replace(result.structure.efa, loadings=loadings, phi=None)
    result = replace(result, structure=replace(result.structure, efa=efa))
    efa = validation_context(result, inst, lang="en")["structure"]["efa"]
    shorts = [f["short"] for f in efa["factors"]]
    assert shorts[:2] == [f"{order[0]}-1", f"{order[0]}-2"]
    assert shorts[2] == order[1]  # MR4 takes every other item; order[1] is the first of them
    assert sorted(shorts[3:]) == ["MR3", "MR5"]  # no item loads highest on these
