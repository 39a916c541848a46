"""Survey rounds: a partnership's numbers are its latest round's, the round before is kept
for the comparison, and suppression applies to the round shown.

The table is built so that every expected number is computed by hand: each respondent
gives the same (keyed) answer to every item, so each scale score, and the readiness
score, equals that answer.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from kemitraan_assess.errors import DataError
from kemitraan_assess.instrument import load_instrument
from kemitraan_assess.scoring import score

INST = load_instrument("kemitraan-readiness")


def _rows(name: str, wave: str | None, keyed: list[int], start: int) -> list[dict]:
    out = []
    for k, v in enumerate(keyed):
        row: dict = {"respondent_id": f"{name[0]}{wave}-{k}", "partnership": name, "wave": wave}
        row["sector"] = "health" if k % 2 else "community"
        row["submitted_at"] = (
            f"2025-0{start}-1{k % 9}T09:00:00"
            if wave == "1"
            else (f"2026-0{start}-1{k % 9}T09:00:00")
        )
        for scale in INST.scales:
            rs = INST.response_scales[scale.items[0].response]
            for item in scale.items:
                row[item.id] = float(rs.min + rs.max - v if item.reverse else v)
        out.append(row)
    return out


def table() -> pd.DataFrame:
    rows = []
    # Atlas: round 1, five respondents answering 2; round 2: three answer 4, two answer 5.
    rows += _rows("Atlas", "1", [2, 2, 2, 2, 2], 3)
    rows += _rows("Atlas", "2", [4, 4, 4, 5, 5], 9)
    # Borneo: only in round 1 (five respondents answering 3)
    rows += _rows("Borneo", "1", [3, 3, 3, 3, 3], 3)
    # Celebes: four in round 1 and three in round 2: 7 pooled (>= 5), 3 in its latest round
    rows += _rows("Celebes", "1", [5, 5, 5, 5], 3)
    rows += _rows("Celebes", "2", [1, 1, 2], 9)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def scored():
    return score(table(), INST, min_group_size=5)


def test_pooled_and_latest_differ_and_the_latest_is_shown(scored) -> None:
    # by hand: pooled Atlas = (5*2 + 3*4 + 2*5) / 10 = 3.2 ("attention");
    # its latest round = (3*4 + 2*5) / 5 = 4.4 ("strength"), from 5 respondents, not 10
    pooled = score(table().drop(columns=["wave"]), INST, min_group_size=5)
    before = pooled.summary["partnerships"]["Atlas"]
    assert before["n"] == 10 and before["readiness"]["index"] == pytest.approx(3.2)
    assert before["readiness"]["band"] == "attention"

    p = scored.summary["partnerships"]["Atlas"]
    assert p["n"] == 5 and p["round"] == "2" and p["previous_round"] == "1"
    assert p["readiness"]["index"] == pytest.approx(4.4)
    assert p["readiness"]["band"] == "strength"
    assert p["scales"]["GOL"]["mean"] == pytest.approx(4.4)
    # SD of (4, 4, 4, 5, 5) with n - 1 = sqrt(0.3)
    assert p["scales"]["GOL"]["sd"] == pytest.approx(np.sqrt(0.3))

    typed = scored.partnership("Atlas")
    assert typed.round == "2" and typed.n == 5
    assert typed.readiness.band == "strength"
    assert typed.period.first == "2026-09-10" and typed.period.last == "2026-09-14"
    # the previous round, typed and scored on its own: five respondents answering 2
    assert typed.previous is not None and typed.previous.round == "1"
    assert typed.previous.n == 5 and typed.previous.readiness.index == pytest.approx(2.0)
    assert typed.previous.readiness.band == "concern"
    assert typed.previous.period.first == "2025-03-10"
    w = typed.waves
    assert (w.previous, w.current, w.n_previous, w.n_current) == ("1", "2", 5, 5)
    diff = dict(w.differences)["readiness"]
    assert diff.difference == pytest.approx(2.4)
    # Welch CI by hand: round 1 has no variance, so SE = sqrt(0.3 / 5), df = 4
    from scipy import stats as sps

    half = sps.t.ppf(0.975, 4) * np.sqrt(0.3 / 5)
    assert (diff.ci_low, diff.ci_high) == pytest.approx((2.4 - half, 2.4 + half))


def test_item_distributions_and_sectors_are_the_latest_round(scored) -> None:
    typed = scored.partnership("Atlas")
    gol1 = typed.items["GOL1"]
    assert gol1.n == 5 and gol1.keyed_counts == (0, 0, 0, 3, 2)
    assert sum(typed.sectors.values()) == 5


def test_a_partnership_missing_from_the_last_round_shows_its_own_latest(scored) -> None:
    p = scored.summary["partnerships"]["Borneo"]
    assert p["round"] == "1" and p["previous_round"] is None and p["n"] == 5
    assert p["readiness"]["index"] == pytest.approx(3.0)
    assert scored.partnership("Borneo").waves is None
    assert scored.rounds.not_in_latest() == {"Borneo": "1"}
    assert any("'Borneo' has no responses in round 2" in w for w in scored.summary["warnings"])
    assert scored.exit_code == 1


def test_suppression_is_per_round(scored) -> None:
    # 7 respondents pooled, 3 in the latest round: suppressed, and nothing of either round shown
    p = scored.summary["partnerships"]["Celebes"]
    assert p == {
        "n": 3,
        "suppressed": True,
        "round": "2",
        "previous_round": "1",
        "reason": "n = 3 < 5",
    }
    typed = scored.partnership("Celebes")
    assert typed.suppressed and typed.previous is None and typed.waves is None
    assert typed.readiness is None and not typed.items and typed.period is None
    row = scored.partnerships.set_index("partnership").loc["Celebes"]
    assert row["round"] == "2" and pd.isna(row["readiness_index"])

    from kemitraan_assess.reporting import build_context, render_html

    ctx = build_context(scored, "Celebes", lang="en")
    html = render_html(ctx)
    assert ctx["partnership"]["n"] is None and "waves" not in ctx
    assert "Change since the previous round" not in html
    assert not any(f">{k} respondents" in html or f" {k} respondents" in html for k in (3, 4, 7))


def test_rounds_are_accounted_for(scored) -> None:
    r = scored.summary["rounds"]
    assert r["order"] == ["1", "2"] and r["latest"] == "2"
    # Atlas 5 + Borneo 5 + Celebes 3 shown; Atlas 5 + Celebes 4 only compared
    assert (r["n_shown"], r["n_comparison_only"], r["n_not_used"]) == (13, 9, 0)
    assert scored.summary["n_respondents"] == 13
    assert "9 earlier-round responses used only for the comparison" in scored.rounds.describe()


def test_older_rounds_and_unlabelled_rows_are_reported_not_dropped_silently() -> None:
    t = pd.concat(
        [
            table(),
            pd.DataFrame(_rows("Atlas", "0", [3, 3, 3, 3, 3], 1)),
            pd.DataFrame(_rows("Atlas", None, [3, 3], 1)),
        ],
        ignore_index=True,
    )
    s = score(t, INST, min_group_size=5)
    r = s.summary["rounds"]
    assert r["order"] == ["0", "1", "2"]
    assert (r["n_not_used"], r["n_unlabelled"]) == (7, 2)
    assert s.summary["partnerships"]["Atlas"]["previous_round"] == "1"
    assert any("5 response(s) of earlier rounds are not used" in w for w in s.summary["warnings"])
    assert any("2 response(s) have no round" in w for w in s.summary["warnings"])


def test_json_contract_keys_are_kept(scored) -> None:
    data = json.loads(scored.summary_json_bytes())
    assert data == scored.summary  # the column encoder writes the dicts' JSON
    assert {"partnerships", "icc"} <= set(data)
    shown = data["partnerships"]["Atlas"]
    assert {"n", "scales", "readiness", "type", "model"} <= set(shown)
    assert {"mean", "sd", "ci95", "rwg_j"} <= set(shown["scales"]["GOL"])
    assert {"index", "band"} <= set(shown["readiness"])
    hidden = data["partnerships"]["Celebes"]
    assert hidden["suppressed"] is True and "scales" not in hidden
    # without a wave column, the entries are exactly as before (no round keys)
    plain = score(table().drop(columns=["wave"]), INST, min_group_size=5).summary
    assert "rounds" not in plain and "round" not in plain["partnerships"]["Atlas"]


def test_previous_round_given_separately_is_only_compared() -> None:
    t = table()
    one, two = t[t["wave"] == "1"], t[t["wave"] == "2"]
    s = score(two, INST, min_group_size=5, previous=one)
    # Borneo answered only in the previous round: not shown; its rows are counted
    assert sorted(s.summary["partnerships"]) == ["Atlas", "Celebes"]
    assert s.summary["rounds"]["n_absent"] == 5
    assert s.summary["partnerships"]["Atlas"]["readiness"]["index"] == pytest.approx(4.4)
    assert s.partnership("Atlas").previous.readiness.index == pytest.approx(2.0)
    with pytest.raises(DataError, match="role 'wave'"):
        score(two.drop(columns=["wave"]), INST, previous=one)


def test_written_outputs_say_which_rows_were_used(scored, tmp_path) -> None:
    from kemitraan_assess.scoring.output import write_score_outputs

    paths = write_score_outputs(scored, tmp_path)
    resp = pd.read_csv(paths["respondents"])
    assert resp["used_for"].value_counts().to_dict() == {"latest_round": 13, "comparison": 9}
    parts = pd.read_csv(paths["partnerships"], dtype={"round": str})
    assert parts.set_index("partnership")["round"].to_dict() == {
        "Atlas": "2",
        "Borneo": "1",
        "Celebes": "2",
    }


def test_cli_score_and_report_use_the_latest_round(tmp_path) -> None:
    from click.testing import CliRunner

    from kemitraan_assess.cli import cli

    survey = tmp_path / "survey.csv"
    table().to_csv(survey, index=False)
    out = tmp_path / "scores"
    res = CliRunner().invoke(
        cli, ["score", str(survey), "--instrument", "kemitraan-readiness", "--out", str(out)]
    )
    assert res.exit_code == 1, res.output  # Borneo is not in the last round: a warning
    assert (
        "rounds: numbers from each partnership's latest round (2 for 2 of 3); "
        "9 earlier-round responses used only for the comparison"
    ) in res.output
    data = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    assert data["partnerships"]["Atlas"]["readiness"]["band"] == "strength"
    assert data["partnerships"]["Celebes"]["suppressed"] is True

    reports = tmp_path / "reports"
    res = CliRunner().invoke(
        cli,
        ["report", str(survey), "--instrument", "kemitraan-readiness", "--out", str(reports)]
        + ["--format", "html", "--lang", "en", "--workers", "1"],
    )
    assert res.exit_code == 1, res.output
    assert "rounds: numbers from each partnership's latest round" in res.output
    atlas = (reports / "atlas.html").read_text(encoding="utf-8")
    # a plain CSV has no submission times: the round and its respondents
    assert "Round 2 · 5\u00a0respondents" in atlas and "(“Strength”)" in atlas
    assert (
        "Compared with round 1 (5\u00a0respondents), the readiness index rose from 2.00 (Concern) "
        "to 4.40 (Strength), a rise beyond noise." in atlas
    )
    borneo = (reports / "borneo.html").read_text(encoding="utf-8")
    assert "did not take part in round 2" in borneo
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "figures are from the last round it took part in" in index
    assert "(9 respondents) are used only for the comparison" in index
    borneo_row = index[index.index(">Borneo<") :]
    assert "(round 1)" in borneo_row[: borneo_row.index("</th>")]
    atlas_row = index[index.index(">Atlas<") :]
    assert "(round" not in atlas_row[: atlas_row.index("</th>")]
