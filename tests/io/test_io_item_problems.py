"""Item-level problems of real samples, seen from the command line: an item column with no
answer at all, and partnerships below the confidentiality minimum (issue 10, section 4)."""

import json
import math
from pathlib import Path

from click.testing import CliRunner

from kemitraan_assess.cli import cli

IO_INSTRUMENT = str(Path(__file__).resolve().parent.parent / "fixtures" / "io-instrument.yaml")
HEADER = "partnership,GOL1,GOL2,GOL3,KOM1,KOM2,KOM3\n"


def survey(tmp_path, rows):
    path = tmp_path / "survey.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _walk(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)
    else:
        yield value


def test_item_without_any_answer_is_warned_and_its_scale_still_scored(tmp_path):
    # GOL2 is in the export but nobody answered it
    rows = [f"Alpha,{a},,{b},4,4,2\n" for a, b in [(4, 2), (5, 1), (4, 2), (3, 3), (4, 1), (5, 2)]]
    path = survey(tmp_path, rows)
    res = run("ingest", path, "-i", IO_INSTRUMENT, "--out", tmp_path / "ing")
    assert res.exit_code == 1, res.output
    assert "item GOL2 (column 'GOL2') has no usable answer" in res.stderr
    assert "Traceback" not in res.output
    log = json.loads((tmp_path / "ing" / "ingest.json").read_text(encoding="utf-8"))
    assert log["items_without_answers"] == ["GOL2"]
    assert any("GOL2" in w for w in log["warnings"])

    res = run("score", path, "-i", IO_INSTRUMENT, "--out", tmp_path / "sc", "-q")
    assert res.exit_code == 1, res.output
    scores = json.loads((tmp_path / "sc" / "scores.json").read_text(encoding="utf-8"))
    gol = scores["partnerships"]["Alpha"]["scales"]["GOL"]
    # GOL1 and reverse-keyed GOL3 (min + max - x): the respondent means, then their mean
    means = [(a + 6 - b) / 2 for a, b in [(4, 2), (5, 1), (4, 2), (3, 3), (4, 1), (5, 2)]]
    assert math.isclose(gol["mean"], sum(means) / 6, rel_tol=1e-12)
    assert gol["n"] == 6 and gol["rwg_j"] is not None  # agreement from the answered items
    for value in _walk(scores):
        assert not (isinstance(value, float) and not math.isfinite(value))
    for name in ("respondents.csv", "partnerships.csv"):
        text = (tmp_path / "sc" / name).read_text(encoding="utf-8")
        cells = {c for line in text.splitlines() for c in line.split(",")}
        assert not cells & {"nan", "NaN", "inf", "-inf", "Infinity"}, name


def test_small_partnership_warned_and_min_group_size_applies(tmp_path):
    rows = ["Alpha,4,4,2,4,4,2\n"] * 5 + ["Beta,3,3,3,3,3,3\n"] * 3 + ["Gamma,2,2,4,2,2,4\n"] * 2
    path = survey(tmp_path, rows)
    res = run("ingest", path, "-i", IO_INSTRUMENT, "--out", tmp_path / "a")
    assert res.exit_code == 1
    assert (
        "'Gamma' (n = 2)" in res.stderr
        and "'Beta' (n = 3)" in res.stderr
        and "Alpha" not in res.stderr
    )
    assert "minimum of 5" in res.stderr
    log = json.loads((tmp_path / "a" / "ingest.json").read_text(encoding="utf-8"))
    assert log["small_partnerships"] == {"Gamma": 2, "Beta": 3}
    assert log["options"]["min_group_size"] == 5

    res = run("ingest", path, "-i", IO_INSTRUMENT, "--out", tmp_path / "b", "--min-group-size", "3")
    assert res.exit_code == 1
    assert (
        "'Gamma' (n = 2)" in res.stderr
        and "Beta" not in res.stderr
        and "minimum of 3" in res.stderr
    )
    log = json.loads((tmp_path / "b" / "ingest.json").read_text(encoding="utf-8"))
    assert log["small_partnerships"] == {"Gamma": 2}

    res = run("ingest", path, "-i", IO_INSTRUMENT, "--out", tmp_path / "c", "--min-group-size", "2")
    assert res.exit_code == 2 and not (tmp_path / "c").exists()


def test_no_warning_when_every_partnership_is_large_enough(tmp_path):
    path = survey(tmp_path, ["Alpha,4,4,2,4,4,2\n"] * 5)
    res = run("ingest", path, "-i", IO_INSTRUMENT, "--out", tmp_path / "ok")
    assert res.exit_code == 0, res.output
    assert res.stderr == ""
