"""Scoring: each number checked against an independent computation on a small table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from kemitraan_assess.errors import DataError
from kemitraan_assess.instrument import load_instrument
from kemitraan_assess.scoring import reverse_key, scale_scores, score
from kemitraan_assess.stats.agreement import rwg_j

INST = load_instrument(Path(__file__).resolve().parents[1] / "fixtures" / "scoring-instrument.yaml")
ITEMS = list(INST.items)


def table() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for name, size, level in [
        ("Alpha", 6, 4.4),
        ("Beta", 5, 2.6),
        ("Gamma", 3, 3.5),
        ("Delta", 8, 3.4),
    ]:
        for k in range(size):
            answers = np.clip(np.rint(level + rng.normal(0, 0.8, len(ITEMS))), 1, 5)
            row = {
                "respondent_id": f"{name[0]}{k}",
                "partnership": name,
                "source_row": len(rows) + 2,
            }
            row["ptype"] = "community" if (k % 4) else "public_private"
            row["goals"] = "advocacy" if name == "Beta" else "joint"
            row["resources"] = "pooled"
            row.update(dict(zip(ITEMS, answers, strict=True)))
            rows.append(row)
    df = pd.DataFrame(rows)
    df.loc[0, "G1"] = np.nan  # Alpha's first respondent: 2 of 3 goal items -> still scored
    df.loc[1, ["G1", "G2"]] = np.nan  # 1 of 3 -> no GOL score
    return df


def test_reverse_keying_and_min_answered():
    df = table()
    keyed = reverse_key(df, INST)
    np.testing.assert_array_equal(keyed["G3"].to_numpy(), 6 - df["G3"].to_numpy())
    sc = scale_scores(keyed, INST)
    assert sc.loc[0, "GOL"] == pytest.approx(
        np.mean([df.loc[0, "G2"], 6 - df.loc[0, "G3"]]), rel=1e-12
    )
    assert np.isnan(sc.loc[1, "GOL"])
    assert sc.loc[2, "COM"] == pytest.approx(df.loc[2, ["C1", "C2"]].mean(), rel=1e-12)


def test_partnership_aggregates_match_independent_computation():
    df = table()
    res = score(df, INST, min_group_size=3)
    sc = scale_scores(reverse_key(df, INST), INST)
    sc["partnership"] = df["partnership"]
    for name, grp in sc.groupby("partnership"):
        p = res.summary["partnerships"][name]
        for sid in ("GOL", "COM", "TRU"):
            x = grp[sid].dropna().to_numpy()
            s = p["scales"][sid]
            assert s["n"] == len(x)
            assert s["mean"] == pytest.approx(x.mean(), rel=1e-12)
            assert s["sd"] == pytest.approx(x.std(ddof=1), rel=1e-12)
            half = sps.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
            assert s["ci95"] == pytest.approx([x.mean() - half, x.mean() + half], rel=1e-12)
            cols = [i.id for i in INST.scale(sid).items]
            keyed = reverse_key(df, INST)[df["partnership"] == name][cols].to_numpy()
            assert s["rwg_j"] == pytest.approx(rwg_j(keyed, 5).value, rel=1e-12)
        ready = (
            grp[["GOL", "COM"]].dropna().mean(axis=1).to_numpy()
        )  # both scales needed (2/3 of 2 → 2)
        assert p["readiness"]["index"] == pytest.approx(ready.mean(), rel=1e-12)


def test_bands_and_uncertainty_flag():
    res = score(table(), INST, min_group_size=3)
    parts = res.summary["partnerships"]
    for p in parts.values():
        r = p["readiness"]
        shown = round(r["index"], 2)
        expected = "strength" if shown >= 4 else "attention" if shown >= 3 else "concern"
        assert r["band"] == expected
        lo, hi = r["ci95"]
        assert r["band_uncertain"] == any(lo < b <= hi for b in (3.0, 4.0))


def test_band_follows_the_mean_as_shown_with_two_decimals():
    """A mean shown as 4,00 is never called 'needs attention' (Wilder: 3.0-3.99 is attention)."""
    from kemitraan_assess.scoring.score import _band_ids

    values = np.array([3.996, 3.995, 3.9949, 4.0, 2.995, 2.994, 1.0, np.nan])
    got = list(_band_ids(INST, values))
    assert got == [
        "strength",
        "strength",
        "attention",
        "strength",
        "attention",
        "concern",
        "concern",
        None,
    ]
    # the reports print these values as the band they get
    from babel.numbers import format_decimal

    assert [format_decimal(v, format="0.00", locale="id") for v in values[:6]] == [
        "4,00",
        "4,00",
        "3,99",
        "4,00",
        "3,00",
        "2,99",
    ]


def test_suppression_default_five_and_floor_three():
    res = score(table(), INST)
    gamma = res.summary["partnerships"]["Gamma"]
    assert gamma == {"n": 3, "suppressed": True, "reason": "n = 3 < 5"}
    row = res.partnerships.set_index("partnership").loc["Gamma"]
    assert bool(row["suppressed"]) and pd.isna(row["readiness_index"]) and pd.isna(row["GOL_mean"])
    # sample-level statistics still use Gamma's respondents
    assert res.summary["icc"]["GOL"]["n_groups"] == 4
    with pytest.raises(DataError, match="cannot be below 3"):
        score(table(), INST, min_group_size=2)


def test_type_model_and_model_fit():
    df = table()
    df.loc[df["partnership"] == "Beta", "M2"] = 5.0
    df.loc[df["partnership"] == "Beta", "M1"] = 1.0
    res = score(df, INST, min_group_size=3)
    beta = res.summary["partnerships"]["Beta"]
    assert beta["type"] == "community" and beta["type_share"] == pytest.approx(3 / 5)
    assert beta["model"]["top"] == "coalition"
    assert beta["model"]["margin"] == pytest.approx(4.0)
    # goals=advocacy suits coalition, resources=pooled suits both: coalition gets 2 votes
    assert beta["model_fit"]["suggested"][0] == "coalition"
    assert beta["model_fit"]["fits"] is True
    reasons = {r["field"]: r["answer"] for r in beta["model_fit"]["reasons"]}
    assert reasons == {"goals": "advocacy", "resources": "pooled"}


def test_icc_against_one_way_anova():
    df = table()
    res = score(df, INST, min_group_size=3)
    sc = scale_scores(reverse_key(df, INST), INST)["TRU"]
    groups = [
        sc[df["partnership"] == g].dropna().to_numpy() for g in sorted(df["partnership"].unique())
    ]
    f, _ = sps.f_oneway(*groups)
    n = np.array([len(g) for g in groups])
    big_n, k = n.sum(), len(n)
    ms_w = sum(((g - g.mean()) ** 2).sum() for g in groups) / (big_n - k)
    grand = np.concatenate(groups).mean()
    ms_b = sum(len(g) * (g.mean() - grand) ** 2 for g in groups) / (k - 1)
    n_bar = big_n / k  # multilevel::ICC1 uses the mean group size
    icc1 = (ms_b - ms_w) / (ms_b + (n_bar - 1) * ms_w)
    icc2 = (ms_b - ms_w) / ms_b
    assert res.summary["icc"]["TRU"]["icc1"] == pytest.approx(icc1, rel=1e-9)
    assert res.summary["icc"]["TRU"]["icc2"] == pytest.approx(icc2, rel=1e-9)
    assert ms_b / ms_w == pytest.approx(f, rel=1e-9)


def test_same_input_same_summary():
    a = score(table(), INST, min_group_size=3).summary
    b = score(table(), INST, min_group_size=3).summary
    assert a == b
