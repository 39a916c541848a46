"""`reliability --format json`: the contract of DESIGN.md, and the numbers against R goldens."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from kemitraan_assess.cli import cli
from kemitraan_assess.scoring import reverse_key
from kemitraan_assess.validation import validate


@pytest.fixture(scope="module")
def doc(demo_csv, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("json") / "rel.json"
    res = CliRunner().invoke(
        cli, ["reliability", str(demo_csv), "--format", "json", "-o", str(out)]
    )
    assert res.exit_code in (0, 1), res.output
    return json.loads(out.read_text(encoding="utf-8"))


def test_design_contract_keys(doc):
    assert doc["instrument"] == {"id": "kemitraan-readiness", "version": "1.0.0"}
    assert doc["missing"] == "pairwise" and doc["n_respondents"] == 373
    gol = doc["scales"]["GOL"]
    assert gol["n_items"] == 6
    assert (
        set(gol["alpha"]) >= {"raw", "standardized", "ci95", "ci_method"}
        and gol["alpha"]["ci_method"] == "feldt"
    )
    for key in ("omega_total", "guttman_lambda6", "average_r"):
        assert isinstance(gol[key], float)
    assert set(gol["split_half"]) >= {"max", "min", "mean"}
    assert set(gol["items"]["GOL1"]) >= {
        "n",
        "mean",
        "sd",
        "r_drop",
        "alpha_if_dropped",
        "response_freq",
    }
    fac = doc["factorability"]
    assert 0 < fac["kmo"] <= 1 and set(fac["bartlett"]) == {"chi2", "df", "p"}
    assert set(doc["cfa"]) == {"success_factor", "benefit"}
    assert set(doc["aggregation"]["GOL"]) >= {"icc1", "icc2", "respondents_needed", "rwg_j"}


def test_response_frequencies_include_missing(doc, demo_ingested, instrument):
    keyed = reverse_key(demo_ingested.responses, instrument)
    freq = doc["scales"]["GOL"]["items"]["GOL6"]["response_freq"]
    # psych::response.freq: shares of each answer among the answered, and the share missing
    assert freq["miss"] == pytest.approx(keyed["GOL6"].isna().mean(), rel=1e-12)
    answered = keyed["GOL6"].dropna()
    for code in range(1, 6):
        assert freq[str(code)] == pytest.approx((answered == code).mean(), rel=1e-12)


def test_alpha_matches_pingouin_as_independent_check(doc, demo_ingested, instrument):
    import pingouin as pg

    keyed = reverse_key(demo_ingested.responses, instrument)
    cols = [i.id for i in instrument.scale("GOL").items]
    # pingouin.cronbach_alpha(nan_policy="pairwise") uses pairwise covariances, as psych::alpha
    value, _ = pg.cronbach_alpha(keyed[cols], nan_policy="pairwise")
    assert doc["scales"]["GOL"]["alpha"]["raw"] == pytest.approx(value, rel=1e-9)


def test_json_is_strict_and_deterministic(demo_csv, doc, tmp_path):
    out = tmp_path / "again.json"
    CliRunner().invoke(cli, ["reliability", str(demo_csv), "--format", "json", "-o", str(out)])
    assert json.loads(out.read_text(encoding="utf-8")) == doc
    text = out.read_text(encoding="utf-8")
    assert "NaN" not in text and "Infinity" not in text


def test_listwise_uses_complete_cases(demo_ingested, instrument):
    responses = demo_ingested.responses
    res = validate(responses, instrument, missing="listwise")
    cols = [i.id for i in instrument.scale("LEAD").items]
    complete = int(responses[cols].notna().all(axis=1).sum())
    assert (
        res.missing == "listwise"
    )  # the typed result: scales, their items, structure, aggregation
    assert res.scales["LEAD"].items["LEAD1"].n == complete
    assert not math.isnan(res.scales["LEAD"].alpha)
    assert res.to_dict()["scales"]["LEAD"]["items"]["LEAD1"]["n"] == complete
    assert np.isfinite(pd.Series(res.scales["LEAD"].alpha_ci95, dtype=float)).all()


@pytest.mark.parametrize("missing", ["pairwise", "listwise"])
def test_cfa_blocks_follow_the_missing_data_policy(doc, demo_ingested, instrument, missing):
    """The CFA of each block uses the run's policy; the one-pass (pairwise) path gives the
    numbers of stats.cfa on the keyed columns, which tests/stats/test_cfa.py checks against
    lavaan (missing = "pairwise" / "listwise")."""
    from kemitraan_assess.stats.confirmatory import cfa

    responses = demo_ingested.responses
    out = (
        doc["cfa"]
        if missing == "pairwise"
        else validate(responses, instrument, missing="listwise").to_dict()["cfa"]
    )
    keyed = reverse_key(responses, instrument)
    for kind, block in out.items():
        structure = {s.id: [i.id for i in s.items] for s in instrument.scales if s.kind == kind}
        ref = cfa(keyed, structure, missing=missing)
        assert block["missing"] == missing and block["n"] == ref.n_used
        assert block["chi2"] == pytest.approx(ref.chi2, rel=1e-9)
        assert block["srmr"] == pytest.approx(ref.srmr, rel=1e-9)
    if missing == "pairwise":  # every respondent with an answer counts, not only complete cases
        assert out["success_factor"]["n"] == len(responses)
