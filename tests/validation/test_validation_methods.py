"""The validation report's methods block and thresholds table (review #8, #7, #5).

The Indonesian report explains each method in Indonesian with the locale's numbers
(``180 × 11``, not ``180 x 11``); R calls stay verbatim. Each entry says what the code does:
rwg(j)'s null variance (A² − 1) / 12 = 2 for A = 5 (James, Demaree & Wolf, 1984) and the
truncation to 0 of ``multilevel::rwg.j``; omega hierarchical's group factors are the number
of success-factor scales (at least 3), psych::omega's default 3 otherwise.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest

from kemitraan_assess.reporting.validation_report import render_validation
from kemitraan_assess.reporting.validation_sections import validation_context
from kemitraan_assess.validation import validate

from .test_validation_report import _instrument, _responses


@pytest.fixture(scope="module")
def pair():  # type: ignore[no-untyped-def]
    inst = _instrument()
    return validate(_responses(inst), inst, n_iter=20), inst


def _methods(pair, lang: str) -> str:  # type: ignore[no-untyped-def]
    page = render_validation(pair[0], pair[1], lang=lang, fmt="html").decode("utf-8")
    start = page.index('id="methods"')
    seg = page[start : page.index("</section>", start)]
    return re.sub(r"\s+", " ", html.unescape(re.sub("<[^>]+>", " ", seg)))


def test_indonesian_methods_are_indonesian_with_indonesian_numbers(pair) -> None:  # type: ignore[no-untyped-def]
    text = _methods(pair, "id")
    for english in ("mediocre", "middling", "3rd ed", "factor(s)", "dropped", " x ", "lambda"):
        assert english not in text, english
    assert 'lang="en"' not in text
    n, p = pair[0].n_respondents, len(pair[0].structure.structure_items)
    assert f"{n} × {p}" in text  # parallel analysis' simulated data
    assert "Kaiser (1974): ≥ 0,90 “luar biasa”" in text
    assert "Psychometric Theory, edisi ke-3" in text
    assert "ψ = 1 − λ²" in text and "psych::fa(x, 1)" in text  # R calls verbatim


def test_methods_name_every_computation_and_its_reference(pair) -> None:  # type: ignore[no-untyped-def]
    text = _methods(pair, "en")
    for term in ("KMO and Bartlett's test", "ICC(1) and ICC(2)", "rwg(j)", "Scale scores"):
        assert term in text, term
    assert "psych::cortest.bartlett(R, n = 180)" in text
    assert "multilevel::ICC1(aov(score ~ as.factor(partnership)))" in text
    assert "ranvar = (A² − 1) / 12 = 2.00 for A = 5 response options" in text
    assert "rwg(j) = 0" in text  # truncated as multilevel::rwg.j
    assert "two thirds (rounded up)" in text
    assert "Printed value: this formula" in text  # which omega total is printed
    # review #14: why a 3-item scale's omega (0,834) can sit under its standardized alpha (0,837)
    assert "Standardized alpha uses R = cov2cor(pairwise covariances)" in text
    for ref in ("Bartlett, M. S. (1951)", "Schmid, J., & Leiman", "Revelle, W., & Condon"):
        assert ref in text, ref


def test_omega_hierarchical_says_its_group_factors_and_items(pair) -> None:  # type: ignore[no-untyped-def]
    result = pair[0]
    text = _methods(pair, "id")
    k, p = result.structure.omega.n_factors, len(result.structure.structure_items)
    # the tiny instrument has 2 success-factor scales: psych::omega's default 3
    assert k == 3
    assert f"{p} butir struktur" in text and f"{k} faktor kelompok (bawaan psych::omega" in text
    box = _conclusions(result, pair[1], "id")
    assert f"Omega hierarkis dihitung pada {p} butir dengan {k} faktor kelompok (bawaan" in box


# ------------------------------------------------------------------ conclusions (review #6)
def _conclusions(result, inst, lang: str) -> str:  # type: ignore[no-untyped-def]
    page = render_validation(result, inst, lang=lang, fmt="html").decode("utf-8")
    start = page.index('id="conclusions"')
    seg = page[start : page.index("</section>", start)]
    return re.sub(r"\s+", " ", html.unescape(re.sub("<[^>]+>", " ", seg)))


def test_omega_below_threshold_is_named(pair) -> None:  # type: ignore[no-untyped-def]
    result, inst = pair
    scales = dict(result.scales)
    scales["TRUST"] = replace(scales["TRUST"], omega_total=0.62)
    text = _conclusions(replace(result, scales=scales), inst, "id")
    assert (
        "2 dari 3 skala mencapai ω total ≥ 0,70; di bawah ambang batas: Kepercayaan (0,62)" in text
    )


def test_icc_names_one_group_size_and_the_smaller_partnerships(pair) -> None:  # type: ignore[no-untyped-def]
    result, inst = pair
    ctx = validation_context(result, inst, lang="id")
    rows = ctx["aggregation"]["rows"]
    shown = {f"{r['m']:.1f}".replace(".", ",") for r in rows}  # the table's "Rerata ukuran"
    need = max(int(r["needed"]) for r in rows if r["needed"] is not None)
    assert need > 1
    gs = result.sample.group_size
    small = replace(result, sample=replace(result.sample, group_size=replace(gs, min=1)))
    text = _conclusions(small, inst, "id")
    m = re.search(r"pada rata-rata (\d+,\d) responden per kemitraan", text)
    assert m and m.group(1) in shown
    assert f"kurang dari {need} responden (yang terkecil: 1 responden) kurang reliabel" in text
    enough = replace(result, sample=replace(result.sample, group_size=replace(gs, min=need)))
    assert "yang terkecil" not in _conclusions(enough, inst, "id")


def test_agreement_rule_is_in_the_thresholds_table_and_the_lowest_scale_named(pair) -> None:  # type: ignore[no-untyped-def]
    result, inst = pair
    assert "≥ 0,70 pada paling sedikit separuh kemitraan (lemah &lt; 0,51)" in render_validation(
        result, inst, lang="id", fmt="html"
    ).decode("utf-8")
    agg = dict(result.aggregation)
    rw = replace(agg["COMM"].rwg_j, share_strong=0.4, share_weak=0.3)
    agg["COMM"] = replace(agg["COMM"], rwg_j=rw)
    text = _conclusions(replace(result, aggregation=agg), inst, "id")
    assert "Perlu perhatian Kesepakatan di dalam kemitraan" in text
    assert "kurang dari separuh kemitraannya mencapai ambang batas: Komunikasi" in text


def test_listwise_advice_only_when_listwise_is_feasible(pair) -> None:  # type: ignore[no-untyped-def]
    result, inst = pair

    def cfa_text(res) -> str:  # type: ignore[no-untyped-def]
        page = render_validation(res, inst, lang="id", fmt="html").decode("utf-8")
        start = page.index('id="cfa"')
        return html.unescape(re.sub(r"\s+", " ", page[start : page.index("</p>", start)]))

    assert "--missing listwise" in cfa_text(result)  # most respondents answered everything
    few = replace(result, sample=replace(result.sample, complete_cases=9))
    text = cfa_text(few)
    assert "--missing listwise" not in text
    assert "Hanya 9 responden (5%) menjawab semua butir" in text
    assert "analisis listwise tidak layak" in text and "(MCAR)" in text
    assert 'lavaan::cfa(model, data, missing = "fiml")' in text


# ------------------------------------------------------------------ rwg(j) bands (review #17)
def test_rwg_bar_holding_the_weak_cut_off_is_split_by_the_rule(pair) -> None:  # type: ignore[no-untyped-def]
    from kemitraan_assess.reporting.validation_charts import ZONE_COLORS, RwgRow, rwg_chart
    from kemitraan_assess.reporting.validation_words import load_validation_catalogue

    legend = {"weak": "lemah", "moderate": "sedang", "strong": "kuat"}
    # 1 partnership in 0.4–0.5, 3 in 0.5–0.6 of which 1 is below 0.51 (2 weak in all)
    row = RwgRow("A", (0, 0, 0, 0, 1, 3, 0, 2, 0, 3), "median 0,8", n_weak=2)
    svg = rwg_chart(
        [row], load_validation_catalogue("id"), title="rwg", weak=0.51, strong=0.70, legend=legend
    )

    def fills(key: str) -> int:
        return svg.count(f'fill="{ZONE_COLORS[key]}"')

    # legend square + the 0.4 bar + the weak part of the 0.5 bar; legend + the moderate part
    assert fills("weak") == 3 and fills("moderate") == 2 and fills("strong") == 3
    page = render_validation(*pair, lang="id", fmt="html").decode("utf-8")
    assert "Kesepakatan lemah: rwg(j) &lt; 0,51; sedang: 0,51 sampai di bawah 0,70" in page


def test_parallel_mismatch_does_not_send_the_reader_to_a_table_that_cannot_answer(pair) -> None:  # type: ignore[no-untyped-def]
    result, inst = pair
    st = result.structure
    four = replace(st, parallel_analysis=replace(st.parallel_analysis, n_factors=4))
    text = _conclusions(replace(result, structure=four), inst, "id")
    assert "lihat tabel muatan faktor untuk mengetahui" not in text
    assert "Tabel muatan faktor memakai 3 faktor sesuai rancangan" in text
    assert "psych::fa(R, nfactors = 4)" in text


def test_no_agreement_thresholds_without_partnerships(pair) -> None:  # type: ignore[no-untyped-def]
    from kemitraan_assess.validation.sections import NotComputed

    result, inst = pair
    assert "ICC(2)" in _methods(pair, "id") and "rwg(j)" in _methods(pair, "id")
    alone = replace(result, aggregation=NotComputed("no partnership column"))
    text = _methods((alone, inst), "id")
    assert "ICC(2)" not in text and "rwg(j)" not in text
