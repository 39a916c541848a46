"""Page 1 and the charts a client acts on (issue 11): what a reader of the report would see."""

from __future__ import annotations

import re

import pandas as pd

from kemitraan_assess.reporting import build_context, render_html
from kemitraan_assess.scoring import score

from .conftest import DIVIDED, STRONG, SUPPRESSED, WEAK

SPLIT_HIDDEN = "Tim Terpadu Kesehatan Jiwa Kab. Gunungkidul"  # divided; its sectors are small


def test_page_one_answers_the_question(demo_scores):
    ctx = build_context(demo_scores, WEAK, lang="id")
    ex = ctx["executive"]
    assert (
        "Indeks kesiapannya adalah" in ex["verdict"]
        and ctx["readiness"]["index_text"] in ex["verdict"]
    )
    # the round shown, and its period from the export's submission times (KoboToolbox
    # _submission_time in the demo)
    assert ex["facts"].startswith("Putaran 2026: survei ") and ex["facts"].endswith(
        f" · {ctx['n_text']}\u00a0responden"
    )
    assert "Sep\u00a02026" in ex["facts"]
    assert 1 <= len(ex["actions"]) <= 3
    for a in ex["actions"]:
        # each action tied to the weakest statement of its factor, quoted in the members' words
        assert a["action"] and re.search(r"“.+”", a["evidence"])
        # as a count of the members who answered ("1 dari 8"), not a percentage of a few
        assert re.match(r"(Hanya )?\d+ dari\u00a0\d+ anggota|Tidak ada anggota", a["evidence"])
    assert ex["benefits"].startswith("Manfaat yang paling dirasakan adalah ")
    assert ex["model"].startswith("Cara kerja:")
    html = render_html(ctx)
    # the executive summary comes before everything else in the document
    assert html.index('id="executive"') < html.index('id="summary"') < html.index('id="factors"')


def test_divided_partnership_says_so_with_the_split(demo_scores):
    ctx = build_context(demo_scores, DIVIDED, lang="en")
    ex = ctx["executive"]
    assert ex["divided"] and ex["divided_label"] == "members divided"
    # "Health 3.94 · Community organisation 2.26 on Goals": two sectors and their means, one line
    assert any(re.search(r"\d\.\d\d · .+ \d\.\d\d on ", line) for line in ex["alert"]), ex["alert"]
    html = render_html(ctx)
    assert html.count("members divided") >= 3  # cover, summary chart, factor pages
    assert "rwg(j)" not in html.split('id="methods"')[0]  # the index belongs on the methods page


def test_strong_partnership_words_are_relative(demo_scores, instrument):
    ctx = build_context(demo_scores, STRONG, lang="id")
    top = instrument.bands[0].id
    if all(f["band"] == top for f in ctx["factors"]):
        assert ctx["headline"]["weakest_title"] == "Faktor yang relatif paling rendah"
    else:
        assert ctx["headline"]["weakest_title"] == "Faktor yang paling perlu diperbaiki"


def test_relative_title_when_every_factor_is_a_strength(demo_scores, monkeypatch):
    from kemitraan_assess.reporting import context as context_mod

    factors = [
        {
            "id": f"F{i}",
            "name": f"F{i}",
            "mean": 4.5 - i / 10,
            "mean_text": "",
            "band": "strength",
            "band_label": "Kuat",
            "divided_text": "",
        }
        for i in range(5)
    ]
    cat = context_mod.load_catalogue("id")
    head = context_mod._headline(cat, factors, "strength")
    assert head["weakest_title"] == "Faktor yang relatif paling rendah"
    assert [f["id"] for f in head["weakest"]] == ["F4", "F3"]


def test_reverse_keyed_statement_is_drawn_with_right_as_good(demo_scores):
    ctx = build_context(demo_scores, STRONG, lang="id")
    rev = [i for f in ctx["factors"] for i in f["items"] if i["reverse"]]
    assert rev
    for i in rev:
        assert i["keyed_counts"] == list(reversed(i["counts"]))
        # the favourable share counts disagreeing with a negative statement
        assert abs(i["favourable"] - sum(i["counts"][:2]) / i["n"]) < 1e-12
    html = render_html(ctx)
    assert "kanan selalu berarti baik" in html and "titik awal diskusi" in html


def test_benefit_bars_are_coloured_by_band(demo_scores):
    from kemitraan_assess.reporting.charts import BAND_COLORS

    ctx = build_context(demo_scores, WEAK, lang="en")
    html = render_html(ctx)
    chart = html[html.index('class="chart bar-chart"') :]
    chart = chart[: chart.index("</svg>")]
    for b in ctx["benefits"]:
        assert f'fill="{BAND_COLORS[b["band"]]}"' in chart


def test_differences_within_noise_are_marked(demo_scores):
    ctx = build_context(demo_scores, DIVIDED, lang="en")
    rows = ctx["portfolio"]["rows"]
    noisy = [r for r in rows if r["within_noise"]]
    assert noisy  # a divided partnership's wide intervals hold the median
    html = render_html(ctx)
    assert html.count('<abbr title="within noise">≈</abbr>') == len(noisy)


def test_suppressed_partnership_is_one_page_that_reveals_nothing(demo_scores):
    ctx = build_context(demo_scores, SUPPRESSED, lang="en")
    html = render_html(ctx)
    n = demo_scores.summary["partnerships"][SUPPRESSED]["n"]
    assert ctx["partnership"]["n"] is None
    body = html.split("<main", 1)[1]
    assert f"{n} respondent" not in body and f"based on {n}" not in body
    assert 'id="methods"' not in html and "<svg" not in html


def test_survey_period_from_the_export_timestamps(demo_scores, instrument):
    responses = demo_scores.responses.copy()
    stamps = pd.date_range("2026-09-01T08:00:00", periods=len(responses), freq="37min")
    responses["submitted_at"] = stamps.strftime("%Y-%m-%dT%H:%M:%S")
    res = score(responses, instrument)
    p = res.partnership(WEAK)
    assert p.period is not None and p.period.first <= p.period.last
    ex = build_context(res, WEAK, lang="en")["executive"]
    assert (
        ex["facts"].startswith("The 2026 round: survey ")
        and "2026" in ex["facts"][len("The 2026 round") :]
        and ex["facts"].endswith("respondents")
    )
    assert "Sep\u00a02026" in build_context(res, WEAK, lang="id")["executive"]["facts"]


def test_comments_merge_duplicates_and_drop_non_answers(demo_scores, instrument):
    from markupsafe import escape

    responses = demo_scores.responses.copy()
    rows = responses.index[responses["partnership"] == WEAK]
    typed = [
        "Rapat perlu rutin.",
        "rapat  perlu rutin.",
        "Tidak ada.",
        "-",
        "n/a",
        "Data dibagikan <b>ke semua</b>.",
    ]
    responses["comment"] = ""
    responses.loc[rows[: len(typed)], "comment"] = typed
    ctx = build_context(score(responses, instrument), WEAK, lang="id")
    assert [(c["text"], c["count"]) for c in ctx["comments"]] == [
        ("Data dibagikan <b>ke semua</b>.", 1),
        ("Rapat perlu rutin.", 2),
    ]
    html = render_html(ctx)
    assert 'Rapat perlu rutin. <span class="count">×2</span>' in html
    assert str(escape("Data dibagikan <b>ke semua</b>.")) in html and "Tidak ada.</li>" not in html


def test_strongest_title_is_relative_when_no_factor_is_a_strength(demo_scores):
    # a concern partnership's best factors (3,60 and 3,16 in the demo) are not strengths:
    # "Faktor terkuat" over a brown 3,16 would call a weakness a strength
    ctx = build_context(demo_scores, DIVIDED, lang="id")
    assert not any(f["band"] == "strength" for f in ctx["factors"])
    assert ctx["headline"]["strongest_title"] == "Faktor yang relatif paling kuat"
    assert "<h2>Faktor yang relatif paling kuat</h2>" in render_html(ctx)
    strong = build_context(demo_scores, STRONG, lang="en")
    assert strong["headline"]["strongest_title"] == "Strongest factors"


def test_model_table_marks_only_the_current_model(demo_scores):
    # "Aliansi dan Koordinasi / termasuk cara kerja kemitraan ini" read as if both were the
    # current way of working; the mark now sits on the current model's name alone
    ctx = build_context(demo_scores, STRONG, lang="id")
    m = ctx["model"]
    current = next(r["name"] for r in m["ranking"] if r["current"])
    rows = [r for r in m["reasons"] if len(r["suits"]) > 1 and r["matches"]]
    assert rows, m["reasons"]
    for r in rows:
        assert f"{current} (model saat ini)" in r["suits_text"]
        assert r["suits_text"].count("(model saat ini)") == 1
    html = render_html(ctx)
    assert "termasuk cara kerja kemitraan ini" not in html


def test_methods_agreement_rule_uses_the_guides_words(demo_scores):
    # the methods page said "Satu aturan, tanpa celah:" (a note to the reviewer, not to the
    # client), and named the middle band "sedang" where the guide and the factor pages say
    # "sebagian besar sepakat"
    for lang, guide_word, meta in (
        ("id", "sebagian besar sepakat", "tanpa celah"),
        ("en", "mostly agree", "without gaps"),
    ):
        html = render_html(build_context(demo_scores, STRONG, lang=lang))
        methods = html.split('id="methods"')[1]
        assert meta not in html
        assert guide_word in methods and guide_word in html.split('id="methods"')[0]


def test_survey_period_writes_the_month_one_way():
    # "Survei 26 September 2026" in one report and "Survei 21–23 Sep 2026" in the next
    from kemitraan_assess.reporting.executive import period_text
    from kemitraan_assess.reporting.locale import load_catalogue

    # one unbreakable unit (no-break spaces), the range with an en dash and no spaces, so a
    # phone never splits 'Sep 21 – / 23, 2026'
    for lang, one, span in (
        ("id", "26\u00a0Sep\u00a02026", "21–\u206023\u00a0Sep\u00a02026"),
        ("en", "Sep\u00a026,\u00a02026", "Sep\u00a021–\u206023,\u00a02026"),
    ):
        cat = load_catalogue(lang)
        assert period_text(cat, "2026-09-26", "2026-09-26") == one
        assert period_text(cat, "2026-09-21", "2026-09-23") == span


def test_partnership_type_is_a_common_noun_in_both_languages(demo_scores):
    # "describe this partnership as a Multisectoral partnership": a type is not a proper name
    for lang, lead in (("en", " as a "), ("id", " sebagai ")):
        ctx = build_context(demo_scores, STRONG, lang=lang)
        sentence = ctx["model"]["type"]["sentence"]
        after = sentence.split(lead, 1)[1]
        assert after[:1].islower(), sentence


def _page_one(html):
    return html.split('id="summary"', 1)[0]


def test_divided_alert_counts_members_low_and_high_not_a_standard_deviation(demo_scores):
    p = demo_scores.partnership(SPLIT_HIDDEN)
    rows = demo_scores.partnership_rows(SPLIT_HIDDEN)
    want = {}
    for lang, low, high in (
        (
            "id",
            r"(\d+) anggota menilai rendah \(di bawah 3\)",
            r"(\d+) menilai tinggi \(4 ke atas\)",
        ),
        ("en", r"(\d+) members? rates? it low \(below 3\)", r"(\d+) high \(4 or above\)"),
    ):
        ctx = build_context(demo_scores, SPLIT_HIDDEN, lang=lang)
        ex = ctx["executive"]
        divided = [f for f in ctx["factors"] if f["divided"]]
        assert ex["divided"] and len(ex["alert"]) == len(divided)
        for f, line in zip(divided, ex["alert"], strict=True):
            # the counts a coordinator reads: members of this round in the lowest band
            # (below 3) and in the top band (4 or more), computed once in scoring
            scores = demo_scores.respondents[f["id"]].to_numpy(dtype=float)[rows]
            want[f["id"]] = (int((scores < 2.995).sum()), int((scores >= 3.995).sum()))
            split = p.scales[f["id"]].split
            assert (split.low, split.high) == want[f["id"]]
            got = (int(re.search(low, line)[1]), int(re.search(high, line)[1]))
            assert line.startswith(f["name"] + ": ") and got == want[f["id"]], line
        # the sector split is suppressed here: one line says why
        assert ex["alert_note"] and str(ctx["min_group_size"]) in ex["alert_note"]
        page1 = _page_one(render_html(ctx))
        assert ex["alert_note"] in page1
        for word in ("simpangan baku", "standard deviation", "rwg"):
            assert word not in page1


def test_suppressed_report_shows_no_split(demo_scores):
    p = demo_scores.partnership(SUPPRESSED)
    assert p.scales == {}
    for lang in ("id", "en"):
        body = render_html(build_context(demo_scores, SUPPRESSED, lang=lang)).split("<main", 1)[1]
        for word in ("menilai rendah", "rate it low", "terbelah", "divided"):
            assert word not in body


def test_uncertain_factor_band_is_flagged_like_the_index(demo_scores):
    seen = 0
    for name in (STRONG, WEAK, DIVIDED, SPLIT_HIDDEN):
        ctx = build_context(demo_scores, name, lang="id")
        html = render_html(ctx)
        listed = ctx["headline"]["strongest"] + ctx["headline"]["weakest"]
        for f in ctx["factors"]:
            if not f["uncertain"]:
                assert not f["uncertain_short"]
                continue
            seen += 1
            # the factor page names the interval and the band it reaches into
            assert f["ci_text"] in f["uncertain_text"] and "kategori" in f["uncertain_text"]
            assert f["uncertain_text"] in html
            for b in listed:
                if b["id"] == f["id"]:  # 'Faktor terkuat' says the band is not certain
                    assert b["uncertain_short"].startswith("kategori belum pasti, bisa juga “")
                    assert b["uncertain_short"] in html.split('id="factors"')[0]
    assert seen


def test_version_is_on_the_methods_page_not_under_the_title(demo_scores, instrument):
    for lang, word in (("id", "versi"), ("en", "version")):
        html = render_html(build_context(demo_scores, STRONG, lang=lang))
        version = f"{word} {instrument.version}"
        assert version not in html.split('id="methods"')[0]
        assert version in html.split('id="methods"')[1]
