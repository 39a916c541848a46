"""The instrument validation report (``reliability --format html|pdf``).

The report is checked on a small seeded survey analysed by ``validate()`` (3 scales,
180 respondents in 18 partnerships) and on edited copies of that result (weak items,
parts not computed, hostile text). Sources of what is asserted:

* number formats: CLDR via Babel 2.x — Indonesian uses the decimal comma (``0,82``),
  English the decimal point;
* thresholds named in the conclusions: Nunnally & Bernstein (1994) for alpha ≥ .70,
  Kaiser (1974) for KMO, Hu & Bentler (1999) for CFI/TLI/RMSEA/SRMR, LeBreton & Senter
  (2008) for rwg(j), Bliese (2000) for ICC(2);
* the PDF: WeasyPrint 70 writes no date when none is given, so equal HTML gives equal
  bytes; pypdf reads its text, outline and metadata.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from kemitraan_assess import reporting
from kemitraan_assess._resources import reports_dir
from kemitraan_assess.errors import KemitraanError
from kemitraan_assess.instrument.loader import parse_instrument
from kemitraan_assess.reporting.locale import flatten
from kemitraan_assess.reporting.validation_charts import RwgRow, Series, rwg_chart, scree_chart
from kemitraan_assess.reporting.validation_report import render_validation, render_validation_html
from kemitraan_assess.reporting.validation_sections import validation_context
from kemitraan_assess.reporting.validation_words import (
    load_validation_catalogue,
    validation_languages,
)
from kemitraan_assess.validation import validate
from kemitraan_assess.validation.sections import NotComputed, ScaleResult

SCALES = {
    "GOAL": ({"id": "Tujuan bersama", "en": "Shared goals"}, "success_factor", 4),
    "COMM": ({"id": "Komunikasi", "en": "Communication"}, "success_factor", 4),
    "TRUST": ({"id": "Kepercayaan", "en": "Trust"}, "benefit", 3),
}


def _instrument(names: dict[str, dict[str, str]] | None = None, item_text: str | None = None):  # type: ignore[no-untyped-def]
    scales = []
    for sid, (name, kind, k) in SCALES.items():
        name = (names or {}).get(sid, name)
        items = [
            {
                "id": f"{sid}{j}",
                "text": {"id": item_text or f"Butir {sid}{j}", "en": item_text or f"Item {sid}{j}"},
                "response": "agree5",
                "reverse": j == k,
            }
            for j in range(1, k + 1)
        ]
        scales.append({"id": sid, "name": name, "kind": kind, "items": items})
    return parse_instrument(
        {
            "id": "tiny-test",
            "version": "1.2.3",
            "languages": ["id", "en"],
            "title": {"id": "Instrumen uji", "en": "Test instrument"},
            "response_scales": {"agree5": {"min": 1, "max": 5}},
            "scales": scales,
        }
    )


def _responses(
    small_instrument, n_groups: int = 18, per_group: int = 10, seed: int = 7
) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Seeded survey: a partnership effect, one trait per scale, 3 % blanks."""
    rng = np.random.default_rng(seed)
    n = n_groups * per_group
    group = np.repeat(np.arange(n_groups), per_group)
    g_eff = rng.normal(0, 0.6, n_groups)[group]
    cols: dict[str, np.ndarray] = {}
    for scale in small_instrument.scales:
        trait = g_eff + rng.normal(0, 0.8, n)
        for item in scale.items:
            x = 3 + trait + rng.normal(0, 0.6, n)
            if item.reverse:
                x = 6 - x
            cols[item.id] = np.clip(np.rint(x), 1, 5)
    frame = pd.DataFrame(cols)
    frame = frame.mask(rng.random(frame.shape) < 0.03)
    frame.insert(0, "partnership", [f"P{g:02d}" for g in group])
    return frame


@pytest.fixture(scope="module")
def small_instrument():  # type: ignore[no-untyped-def]
    return _instrument()


@pytest.fixture(scope="module")
def result(small_instrument):  # type: ignore[no-untyped-def]
    return validate(_responses(small_instrument), small_instrument, n_iter=20)


@pytest.fixture(scope="module")
def html_id(result, small_instrument) -> str:  # type: ignore[no-untyped-def]
    return render_validation(result, small_instrument, lang="id", fmt="html").decode("utf-8")


@pytest.fixture(scope="module")
def html_en(result, small_instrument) -> str:  # type: ignore[no-untyped-def]
    return render_validation(result, small_instrument, lang="en", fmt="html").decode("utf-8")


def _catalogue(lang: str) -> dict[str, str]:
    path = reports_dir() / "locales" / "validation" / f"{lang}.yaml"
    return flatten(yaml.safe_load(path.read_text(encoding="utf-8")))


# ------------------------------------------------------------------ catalogues
def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    id_, en = _catalogue("id"), _catalogue("en")
    assert set(id_) == set(en)
    field = re.compile(r"\{(\w+)\}")
    for key in en:
        assert set(field.findall(id_[key])) == set(field.findall(en[key])), key
        assert id_[key].strip() and en[key].strip(), key
    assert validation_languages() == ["en", "id"]


def test_every_key_the_template_asks_for_exists() -> None:
    tpl = (reports_dir() / "templates" / "validation" / "report.html").read_text(encoding="utf-8")
    used = {k for k in re.findall(r"""t\('([a-z0-9_.]+)'""", tpl) if not k.endswith((".", "_"))}
    assert len(used) > 60
    assert used <= set(_catalogue("en"))


def test_every_key_the_code_asks_for_exists() -> None:
    # the validation report's modules in reporting/ read reports/locales/validation/
    code = "".join(
        p.read_text(encoding="utf-8")
        for p in Path(reporting.__file__).parent.glob("validation_*.py")
    )
    found = re.findall(r"""\bcat\(\s*"([a-z_]+\.[a-z_0-9]+)\"""", code)
    used = {k for k in found if not k.endswith("_")}  # "cfa_cases_" + policy: both exist
    assert len(used) > 30
    assert used <= set(_catalogue("en"))
    assert {"conclusions.cfa_cases_listwise", "conclusions.cfa_cases_pairwise"} <= set(
        _catalogue("en")
    )


# ------------------------------------------------------------------ HTML
def test_both_languages_render_every_section(html_id: str, html_en: str) -> None:
    for page, lang in ((html_id, "id"), (html_en, "en")):
        assert page.startswith("<!DOCTYPE html>")
        assert f'<html lang="{lang}">' in page
        for anchor in (
            "conclusions",
            "sample",
            "reliability",
            "factorability",
            "structure",
            "cfa",
            "aggregation",
            "methods",
            "scale-GOAL",
            "scale-TRUST",
        ):
            assert f'id="{anchor}"' in page, (lang, anchor)
        assert page.count("<svg") == 1 + 2  # scree + one rwg(j) chart per scale kind
        assert (
            "<link" not in page
            and "<script" not in page
            and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
        )
    assert "Reliabilitas dan konsistensi internal" in html_id and "Tujuan bersama" in html_id
    assert "Reliability and internal consistency" in html_en and "Shared goals" in html_en
    assert "<title>Laporan validasi: Instrumen uji 1.2.3</title>" in html_id


def test_numbers_are_formatted_for_the_locale(result, html_id: str, html_en: str) -> None:  # type: ignore[no-untyped-def]
    alpha = result.scales["GOAL"].alpha
    text = f"{alpha:.2f}"
    assert f"<strong>{text.replace('.', ',')}</strong>" in html_id  # CLDR id: decimal comma
    assert f"<strong>{text}</strong>" in html_en
    lo, hi = result.scales["GOAL"].alpha_ci95
    assert f"{lo:.2f}–{hi:.2f}".replace(".", ",") in html_id
    n = result.n_respondents
    assert f"<dd>{n}</dd>" in html_id
    cat = load_validation_catalogue("id")
    assert cat.number(0.9108) == "0,91" and load_validation_catalogue("en").number(0.9108) == "0.91"


def test_conclusions_name_thresholds_and_sources(html_en: str, html_id: str) -> None:
    for source in (
        "Nunnally &amp; Bernstein, 1994",
        "Kaiser, 1974",
        "Hu &amp; Bentler, 1999",
        "LeBreton &amp; Senter, 2008",
        "Bliese, 2000",
    ):
        assert source in html_en
        assert source in html_id
    assert "alpha ≥ 0.70" in html_en and "alfa Cronbach ≥ 0,70" in html_id


def test_html_is_deterministic(result, small_instrument) -> None:  # type: ignore[no-untyped-def]
    a = render_validation(result, small_instrument, lang="id", fmt="html")
    b = render_validation(copy.deepcopy(result), small_instrument, lang="id", fmt="html")
    assert a == b


def test_weak_item_is_highlighted_with_its_reason(result, small_instrument) -> None:  # type: ignore[no-untyped-def]
    comm = result.scales["COMM"]
    item = replace(
        comm.items["COMM2"],
        r_drop=0.12,
        low_r_drop=True,
        alpha_increases=True,
        weakens=True,
        alpha_if_dropped=comm.alpha + 0.05,
    )
    comm = replace(comm, items={**comm.items, "COMM2": item})
    res = replace(result, scales={**result.scales, "COMM": comm})
    page = render_validation_html(res, small_instrument, lang="id")
    row = re.search(
        r'<tr class="weak">\s*<th scope="row"><span class="item-id">COMM2</span>.*?</tr>',
        page,
        re.S,
    )
    assert row is not None
    assert "korelasi butir-total terkoreksi 0,12 &lt; 0,30" in row.group(0)
    assert "alfa naik menjadi" in row.group(0)
    assert "1 butir melemahkan skalanya" in page and "COMM2 (Komunikasi)" in page


def test_loadings_below_cut_are_greyed(result, small_instrument) -> None:  # type: ignore[no-untyped-def]
    ctx = validation_context(result, small_instrument, lang="en")
    cells = [c for g in ctx["structure"]["efa"]["groups"] for r in g["rows"] for c in r["cells"]]
    assert all(r["text"] for g in ctx["structure"]["efa"]["groups"] for r in g["rows"])
    assert cells and all(c["faint"] == (abs(c["v"]) < 0.30) for c in cells)
    assert any(c["faint"] for c in cells) and any(not c["faint"] for c in cells)


def test_parts_not_computed_say_why(result, small_instrument) -> None:  # type: ignore[no-untyped-def]
    trust = ScaleResult("TRUST", "benefit", 3, not_computed="n = 2 (< 3)")
    structure = replace(
        result.structure,
        factorability=NotComputed("correlation matrix is singular"),
        parallel_analysis=None,
        efa=None,
        omega=None,
        cfa={**result.structure.cfa, "benefit": NotComputed("too few complete cases: 4")},
    )
    res = replace(
        result,
        scales={**result.scales, "TRUST": trust},
        structure=structure,
        aggregation=NotComputed("no partnership column"),
        sample=replace(result.sample, n_partnerships=None, group_size=None),
    )
    for lang, word in (("id", "Tidak dihitung"), ("en", "Not computed")):
        page = render_validation_html(res, small_instrument, lang=lang)
        assert word in page
        for reason in (
            "n = 2 (&lt; 3)",
            "correlation matrix is singular",
            "too few complete cases: 4",
        ):
            assert reason in page, (lang, reason)
        assert "<svg" not in page
    page = render_validation_html(res, small_instrument, lang="en")
    assert "No partnership column in the data, so ICC and agreement were not computed." in page


def test_text_from_the_instrument_and_the_analysis_is_escaped(result) -> None:  # type: ignore[no-untyped-def]
    evil = "<script>alert(1)</script>"
    inst = _instrument(
        names={"GOAL": {"id": evil, "en": evil}}, item_text='Kata "kutip" & <b>tebal</b>'
    )
    cfa = {**result.structure.cfa, "benefit": NotComputed("<img src=x onerror=alert(1)>")}
    res = replace(result, structure=replace(result.structure, cfa=cfa))
    page = render_validation_html(res, inst, lang="id")
    assert "<script>" not in page and "<img" not in page and "<b>tebal" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Kata &#34;kutip&#34; &amp; &lt;b&gt;tebal&lt;/b&gt;" in page


def test_unknown_format_or_language_is_refused(result, small_instrument) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(KemitraanError, match="unknown report format"):
        render_validation(result, small_instrument, fmt="docx")
    with pytest.raises(KemitraanError, match="no validation-report catalogue for language 'fr'"):
        render_validation(result, small_instrument, lang="fr")


# ------------------------------------------------------------------ charts
def test_charts_are_deterministic_and_labelled() -> None:
    cat = load_validation_catalogue("id")
    series = [
        Series("Faktor", (2.5, 0.4, -0.3), "#000", marker="square"),
        Series("Acak", (0.5, 0.3, 0.1), "#000", dashed=True),
    ]
    a = scree_chart(series, cat, title="Scree <1>", x_label="k", y_label="nilai eigen")
    assert a == scree_chart(series, cat, title="Scree <1>", x_label="k", y_label="nilai eigen")
    assert "<title>Scree &lt;1&gt;</title>" in a and "Faktor: 2,50, 0,40, −0,30" in a
    assert 'stroke-dasharray="5 3"' in a
    legend = {"weak": "lemah", "moderate": "sedang", "strong": "kuat"}
    r = rwg_chart(
        [RwgRow("A", (1, 0, 0, 0, 0, 1, 0, 2, 0, 3), "median 0,8")],
        cat,
        title="rwg",
        weak=0.51,
        strong=0.70,
        legend=legend,
    )
    bars = re.findall(
        r'<rect x="[^"]+" y="[^"]+" width="[^"]+" height="[^"]+" fill="(#[0-9a-f]+)"/>', str(r)
    )
    # 3 legend swatches, then bins 0 (weak), 5 (moderate), 7 and 9 (strong)
    assert bars[3:] == ["#a3231b", "#8a5300", "#1b6e32", "#1b6e32"]


# ------------------------------------------------------------------ PDF
@pytest.mark.pdf
def test_pdf_is_byte_identical_and_carries_text_outline_and_metadata(
    result, small_instrument
) -> None:  # type: ignore[no-untyped-def]
    pypdf = pytest.importorskip("pypdf")
    # Layout takes ~0.2-0.4 s a page: two scales and no factor analysis (those parts then
    # say "not computed") keep every chapter and bookmark in a few pages.
    left_out = NotComputed("left out of this test")
    structure = replace(
        result.structure,
        factorability=left_out,
        parallel_analysis=None,
        efa=None,
        omega=None,
        cfa={k: left_out for k in result.structure.cfa},
    )
    res = replace(
        result,
        structure=structure,
        scales={k: v for k, v in result.scales.items() if k != "COMM"},
        aggregation={k: v for k, v in result.aggregation.items() if k != "COMM"},
    )
    a = render_validation(res, small_instrument, lang="id", fmt="pdf")
    b = render_validation(copy.deepcopy(res), small_instrument, lang="id", fmt="pdf")
    assert a.startswith(b"%PDF-") and a == b
    reader = pypdf.PdfReader(io.BytesIO(a))
    text = " ".join(page.extract_text() for page in reader.pages)
    for name in ("Tujuan bersama", "Kepercayaan", "Kesimpulan", "Analisis butir", "TRUST1"):
        assert name in text
    pages = len(reader.pages)
    assert f"Halaman {pages} dari {pages}" in text  # the cover (page 1) carries no number
    assert reader.metadata.title == "Laporan validasi: Instrumen uji 1.2.3"
    assert reader.trailer["/Root"]["/Lang"] == "id"
    outline = [o.title for o in reader.outline if not isinstance(o, list)]
    assert (
        "Reliabilitas dan konsistensi internal" in outline and "Agregasi dan kesepakatan" in outline
    )
    assert b"/CreationDate" not in a and b"/ModDate" not in a


@pytest.mark.slow
def test_bundled_instrument_on_the_demo_survey_renders(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kemitraan_assess import load_instrument
    from kemitraan_assess.demo import demo_csv_bytes, make_demo_survey
    from kemitraan_assess.io import ingest

    inst = load_instrument("kemitraan-readiness")
    path = tmp_path / "demo.csv"
    path.write_bytes(demo_csv_bytes(make_demo_survey(inst)))
    res = validate(ingest(path, inst).responses, inst, n_iter=20)
    page = render_validation_html(res, inst, lang="en")
    for scale in inst.scales:
        assert inst.text(scale.name, "en").replace("&", "&amp;") in page


def test_the_report_takes_the_typed_result(small_instrument, result) -> None:  # type: ignore[no-untyped-def]
    # validate() returns a ValidationResult; the report reads it (its JSON is for other tools)
    with pytest.raises(KemitraanError, match="takes the ValidationResult of validate"):
        render_validation(result.to_dict(), small_instrument, lang="en")


def test_missing_answer_policy_reads_as_native_indonesian(html_id: str) -> None:
    # "Jawaban yang hilang: secara berpasangan" (issue 11) reads as translated; a native label
    # names the handling and gives the method, the English term in brackets for the consultant
    text = re.sub(r"<[^>]+>", " ", html_id)
    text = re.sub(r"\s+", " ", text)
    assert "Penanganan jawaban kosong: berpasangan (pairwise;" in text
    assert (
        "Penanganan jawaban kosong berpasangan (pairwise;" in text
    )  # the sample section's label/value
    assert "secara berpasangan" not in text and "Jawaban yang hilang ditangani" not in text
