"""The report context: plain data, suppression, model-fit reasoning, action plan."""

import json

import pytest

from kemitraan_assess.errors import KemitraanError
from kemitraan_assess.reporting import build_context
from kemitraan_assess.reporting.locale import load_catalogue
from kemitraan_assess.reporting.recommend import Recommendations
from kemitraan_assess.reporting.sections import action_plan, model_section

from .conftest import DIVIDED, STRONG, SUPPRESSED, WEAK


@pytest.mark.parametrize("name", [STRONG, WEAK, DIVIDED, SUPPRESSED])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_context_is_plain_json_data(demo_scores, name, lang):
    ctx = build_context(demo_scores, name, lang=lang)
    assert json.loads(json.dumps(ctx, allow_nan=False)) == ctx


def test_numbers_are_formatted_for_the_language(demo_scores):
    idc = build_context(demo_scores, STRONG, lang="id")
    enc = build_context(demo_scores, STRONG, lang="en")
    assert idc["readiness"]["index"] == enc["readiness"]["index"]
    assert "," in idc["readiness"]["index_text"] and "." in enc["readiness"]["index_text"]


def test_suppressed_partnership_carries_no_numbers(demo_scores):
    ctx = build_context(demo_scores, SUPPRESSED, lang="id")
    assert ctx["suppressed"] and "5" in ctx["suppressed"]["text"]
    for key in (
        "readiness",
        "factors",
        "benefits",
        "model",
        "portfolio",
        "comments",
        "scores_csv",
        "sectors",
    ):
        assert key not in ctx
    n = demo_scores.summary["partnerships"][SUPPRESSED]["n"]
    assert f"{n} responden" not in json.dumps(ctx["suppressed"], ensure_ascii=False)


def test_strongest_and_weakest_are_the_extremes(demo_scores):
    ctx = build_context(demo_scores, WEAK, lang="en")
    means = sorted((f["mean"], f["id"]) for f in ctx["factors"])
    assert [f["id"] for f in ctx["headline"]["weakest"]] == [means[0][1], means[1][1]]
    assert [f["id"] for f in ctx["headline"]["strongest"]] == [means[-1][1], means[-2][1]]


def test_divided_partnership_shows_only_safe_sector_groups(demo_scores):
    k = demo_scores.summary["settings"]["min_group_size"]
    ctx = build_context(demo_scores, DIVIDED, lang="en")
    weak = [f for f in ctx["factors"] if f["agreement"] == "weak"]
    assert weak, "the divided demo partnership has weak agreement"
    for f in weak:
        sec = f["sectors"]
        assert sec is not None
        shown = [r for r in sec["rows"] if r["sector"] != "_combined"]
        assert all(r["n"] >= k for r in sec["rows"])
        if shown:
            assert len(shown) >= 2
            assert (
                f["n"] - sum(r["n"] for r in shown) in (0,)
                or f["n"] - sum(r["n"] for r in shown) >= k
            )
    assert all(f["sectors"] is None for f in ctx["factors"] if f["agreement"] != "weak")
    # the demo's divided partnerships split mostly along two sectors of >= k respondents,
    # so the breakdown is really shown (health offices see it better than community groups)
    shown_any = [f for f in weak if f["sectors"]["available"]]
    assert shown_any
    means = {r["sector"]: r["mean"] for r in shown_any[0]["sectors"]["rows"]}
    assert means["health"] > means["community"]


def test_item_distributions_count_raw_answers(demo_scores):
    ctx = build_context(demo_scores, STRONG, lang="en")
    gol1 = ctx["factors"][0]["items"][0]
    assert len(gol1["counts"]) == 5 and gol1["n"] == sum(gol1["counts"]) > 0
    assert any(
        i["reverse"] and i["label"].endswith("(−)") for f in ctx["factors"] for i in f["items"]
    )


def _fake_scores(instrument, model, fit):
    """A scores stand-in and the typed result of partnership 'P' (only what the model
    section reads)."""
    from kemitraan_assess.scoring.results import ModelReason, ModelResult, PartnershipResult

    class S:
        pass

    s = S()
    s.instrument = instrument
    m = ModelResult(
        scores=tuple(model["scores"].items()),
        top=model["top"],
        runner_up=model["runner_up"],
        margin=model["margin"],
        clear=model["clear"],
        fits=fit["fits"],
        suggested=tuple(fit["suggested"]),
        reasons=tuple(
            ModelReason(r["field"], r["answer"], r["share"], tuple(r["suits"]))
            for r in fit["reasons"]
        ),
    )
    p = PartnershipResult(
        "P", 9, False, None, {}, None, "community", 0.8, m, {}, {}, {}, None, None, ()
    )
    return s, p


def test_model_fit_reasoning_uses_the_choice_reasons(instrument):
    model = {
        "scores": {"collaboration": 4.2, "coordination": 3.1},
        "top": "collaboration",
        "runner_up": "coordination",
        "margin": 1.1,
        "clear": True,
    }
    fit = {
        "suggested": ["coalition"],
        "fits": False,
        "reasons": [
            {"field": "goals", "answer": "advocacy", "share": 0.75, "suits": ["coalition"]},
            {"field": "context", "answer": "contested", "share": 0.6, "suits": ["coalition"]},
        ],
    }
    m = model_section(load_catalogue("en"), *_fake_scores(instrument, model, fit), "en")
    assert m["fits"] is False and "Collaboration" in m["verdict"] and "Coalition" in m["verdict"]
    goals = m["reasons"][0]
    assert (
        goals["answer"] == "Advocating for policy or social change" and goals["share_text"] == "75%"
    )
    assert "Advocacy is strongest" in goals["reason"] and goals["matches"] is False
    assert "clearly" in m["profile_sentence"]


def test_model_fit_when_it_fits_or_is_unknown(instrument):
    model = {
        "scores": {"network": 3.4, "coalition": 3.3},
        "top": "network",
        "runner_up": "coalition",
        "margin": 0.1,
        "clear": False,
    }
    fit = {
        "suggested": ["network"],
        "fits": True,
        "reasons": [
            {
                "field": "resources",
                "answer": "own_limited",
                "share": 0.5,
                "suits": ["network", "coalition"],
            }
        ],
    }
    m = model_section(load_catalogue("id"), *_fake_scores(instrument, model, fit), "id")
    assert (
        m["reasons"][0]["matches"]
        and "model jaringan" in m["verdict"]
        and "model koalisi" in m["profile_sentence"]
    )
    m2 = model_section(
        load_catalogue("en"),
        *_fake_scores(instrument, model, {"suggested": [], "fits": None, "reasons": []}),
        "en",
    )
    assert "not enough" in m2["verdict"]


def test_action_plan_takes_the_weakest_and_survives_a_missing_scale(instrument):
    cat = load_catalogue("en")
    factors = [
        {"id": "GOL", "name": "Goals", "mean": 2.5, "band": "concern", "band_label": "Concern"},
        {
            "id": "LEAD",
            "name": "Leadership",
            "mean": 3.5,
            "band": "attention",
            "band_label": "Needs attention",
        },
        {
            "id": "COMM",
            "name": "Communication",
            "mean": 4.5,
            "band": "strength",
            "band_label": "Strength",
        },
    ]
    recs = Recommendations({"scales": {"GOL": {"concern": [{"id": "a", "en": "Hold a workshop"}]}}})
    plan = action_plan(cat, instrument, factors, {"top": None}, recs, "en")
    assert [r["factor_id"] for r in plan] == ["GOL", "LEAD"]
    assert plan[0]["action"] == "Hold a workshop"
    assert plan[1]["action"] == "" and plan[1]["placeholder"]  # LEAD has no catalogue entry


def test_bundled_recommendations_feed_the_plan(demo_scores):
    ctx = build_context(demo_scores, WEAK, lang="id")
    assert ctx["action_plan"] and all(r["action"] for r in ctx["action_plan"])
    assert ctx["next_steps"]


def test_unknown_partnership_is_an_error(demo_scores):
    with pytest.raises(KemitraanError, match="not in the scores"):
        build_context(demo_scores, "nope")


def test_comments_are_optional_and_sorted(demo_scores):
    with_c = build_context(demo_scores, STRONG, lang="id")
    texts = [c["text"] for c in with_c["comments"]]
    assert texts == sorted(texts) and len(set(t.casefold() for t in texts)) == len(
        texts
    )  # duplicates merged
    assert "Tidak ada." not in texts  # a non-answer is no comment
    assert build_context(demo_scores, STRONG, lang="id", include_comments=False)["comments"] == []
