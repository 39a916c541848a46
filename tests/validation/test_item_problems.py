"""Item-level problems of real samples in `reliability` (issue 10, section 4).

* A constant item (everyone answered 3) is left out of the sample-level analyses with a
  warning naming it, as psych::alpha does, and everything else is computed; the numbers
  equal R's on the other items (tests/reference/validation/bfi.json, "constant_item",
  from ref_validation.R: psych::alpha drops A3 itself; KMO, Bartlett, fa and omega on the
  24 other items). Tolerances as in test_bfi_no_groups.py.
* An item with a single answer is left out the same way.
* An item that correlates negatively with the rest of its scale after keying is a warning.
* ``--min-group-size K`` leaves partnerships below K out of rwg(j) and ICC, and says how many.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from kemitraan_assess.cli import cli
from kemitraan_assess.scoring import scale_scores
from kemitraan_assess.scoring.groups import group_index
from kemitraan_assess.stats import icc_nested, reverse
from kemitraan_assess.validation.result import ReliabilityWarning, reliability

ROOT = Path(__file__).resolve().parents[2]
REF = ROOT / "tests" / "reference"
BFI_YAML = ROOT / "tests" / "fixtures" / "bfi.yaml"
CLOSED, ITER = 1e-6, 1e-6


def _bfi(bfi25: pd.DataFrame, tmp: Path, name: str, change) -> Path:  # type: ignore[no-untyped-def]
    items = bfi25.astype("Int64")  # a copy, changed here
    change(items)
    items.insert(0, "id", [f"S{i}" for i in range(len(items))])
    path = tmp / name
    items.to_csv(path, index=False)
    return path


def _run(*args: str) -> tuple[int, dict, str]:
    res = CliRunner().invoke(cli, ["reliability", *args, "--format", "json"])
    return res.exit_code, json.loads(res.stdout), res.stderr


@pytest.fixture(scope="module")
def constant(bfi25, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict, str, Path]:
    def a3_is_3(items: pd.DataFrame) -> None:
        items["A3"] = 3

    path = _bfi(bfi25, tmp_path_factory.mktemp("const"), "bfi_a3.csv", a3_is_3)
    code, doc, err = _run(str(path), "--instrument", str(BFI_YAML))
    return code, doc, err, path


def test_constant_item_is_left_out_with_a_warning(constant):
    code, doc, err, _ = constant
    assert code == 1  # done, with warnings
    assert doc["items_left_out"] == {"A3": "constant_item"}
    (w,) = doc["warnings"]
    assert (
        w["code"] == "constant_item"
        and w["item"] == "A3"
        and w["scale"] == "A"
        and w["value"] == 3.0
    )
    assert "'A3'" in w["message"] and "no variance" in w["message"]
    assert err.strip() == f"warning: {w['message']}"


def test_constant_item_does_not_stop_the_sample_level_analyses(constant, gold):
    _, doc, _, _ = constant
    ref = gold("validation/bfi.json")["constant_item"]
    a = doc["scales"]["A"]  # psych::alpha(const[, A]) drops A3 and analyses A1 A2 A4 A5
    assert (
        a["n_items"] == 4
        and list(a["items"]) == ref["alpha_A"]["items"]
        and a["items_left_out"] == ["A3"]
    )
    assert a["alpha"]["raw"] == pytest.approx(ref["alpha_A"]["raw_alpha"], rel=CLOSED)
    assert a["alpha"]["standardized"] == pytest.approx(ref["alpha_A"]["std_alpha"], rel=CLOSED)
    assert "A3" not in doc["structure_items"] and len(doc["structure_items"]) == 24
    assert doc["factorability"]["kmo"] == pytest.approx(ref["kmo"], rel=CLOSED)
    assert doc["factorability"]["bartlett"]["chi2"] == pytest.approx(
        ref["bartlett_chisq"], rel=CLOSED
    )
    items = doc["structure_items"]
    got = np.array(
        [[doc["efa"]["loadings"][i][f] for f in doc["efa"]["loadings"][items[0]]] for i in items]
    )
    np.testing.assert_allclose(got, np.array(ref["efa_loadings"]), rtol=0, atol=ITER)
    assert doc["omega"]["omega_h"] == pytest.approx(ref["omega_h"], abs=ITER)
    cfa = doc["cfa"]["other"]
    assert "not_computed" not in cfa and cfa["converged"]
    assert set(cfa["std_loadings"]["A"]) == {"A1", "A2", "A4", "A5"}


def test_constant_item_is_named_in_the_report(constant, tmp_path):
    path = constant[3]
    for lang, text in (
        ("en", "A3 (Agreeableness) has no variance"),
        ("id", "A3 (Agreeableness) tidak bervariasi"),
    ):
        out = tmp_path / f"r-{lang}.html"
        res = CliRunner().invoke(
            cli,
            [
                "reliability",
                str(path),
                "--instrument",
                str(BFI_YAML),
                "--format",
                "html",
                "-o",
                str(out),
                "--lang",
                lang,
            ],
        )
        assert res.exit_code == 1, res.output
        page = out.read_text(encoding="utf-8")
        conclusions = page[
            page.index('<section id="conclusions"') : page.index('<section id="sample"')
        ]
        assert text in " ".join(conclusions.split())
        block = page[page.index('id="scale-A"') : page.index('id="scale-C"')]
        assert "A3" in block and 'class="note"' in block


def test_item_with_one_answer_is_left_out(bfi25, tmp_path):
    def one_answer(items: pd.DataFrame) -> None:
        items["N4"] = pd.NA
        items.loc[7, "N4"] = 2

    code, doc, err = _run(
        str(_bfi(bfi25, tmp_path, "bfi_n4.csv", one_answer)), "--instrument", str(BFI_YAML)
    )
    assert code == 1 and doc["items_left_out"] == {"N4": "sparse_item"}
    assert doc["warnings"][0]["count"] == 1 and "'N4'" in err
    assert doc["scales"]["N"]["n_items"] == 4 and "kmo" in doc["factorability"]
    text = json.dumps(doc, allow_nan=False)  # strict JSON: no NaN anywhere
    assert "NaN" not in text


def test_item_correlating_negatively_after_keying_is_a_warning(bfi, tmp_path):
    """The instrument forgets that A1 is reverse-worded."""
    wrong = tmp_path / "bfi-wrong-key.yaml"
    wrong.write_text(
        BFI_YAML.read_text(encoding="utf-8").replace(
            "Am indifferent to the feelings of others.}, response: accurate6, reverse: true}",
            "Am indifferent to the feelings of others.}, response: accurate6}",
        ),
        encoding="utf-8",
    )
    code, doc, err = _run(str(REF / "data" / "bfi.csv"), "--instrument", str(wrong))
    assert code == 1
    (w,) = doc["warnings"]
    assert w["code"] == "negative_item" and w["item"] == "A1" and w["scale"] == "A"
    assert (
        w["value"] == pytest.approx(doc["scales"]["A"]["items"]["A1"]["r_drop"], rel=1e-12)
        and w["value"] < 0
    )
    assert "reverse-keyed" in err
    with pytest.warns(ReliabilityWarning, match="'A1' correlates negatively"):
        res = reliability(bfi, wrong)
    assert [x.item for x in res.warnings] == ["A1"]


def test_keyed_instrument_gives_no_warning(bfi):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = reliability(bfi, BFI_YAML)
    assert res.warnings == ()


def test_min_group_size_leaves_small_partnerships_out_of_aggregation(
    demo_csv, demo_ingested, instrument
):
    path, responses, inst = demo_csv, demo_ingested.responses, instrument
    sizes = responses["partnership"].value_counts()
    k = int(np.median(sizes)) + 1
    small = sizes[sizes < k]
    assert 0 < len(small) < len(sizes)
    code, doc, err = _run(str(path), "--min-group-size", str(k))
    assert code == 1
    assert doc["sample"]["aggregation_excluded"] == {
        "min_group_size": k,
        "partnerships": len(small),
        "respondents": int(small.sum()),
    }
    assert doc["sample"]["n_partnerships"] == len(sizes)  # the sample still counts them
    assert doc["n_respondents"] == len(responses)
    (w,) = [w for w in doc["warnings"] if w["code"] == "small_groups"]
    assert w["count"] == len(small) and f"fewer than {k}" in err
    kept = responses[~responses["partnership"].isin(small.index)]
    scores = scale_scores(reverse_key_all(kept, inst), inst)
    ref = icc_nested(scores["GOL"].to_numpy(), group_index(kept["partnership"]).codes)
    assert doc["aggregation"]["GOL"]["icc1"] == pytest.approx(ref.icc1, rel=1e-9)
    assert doc["aggregation"]["GOL"]["rwg_j"]["n_partnerships"] <= len(sizes) - len(small)


def test_without_min_group_size_every_partnership_counts(demo_csv, demo_ingested, instrument):
    path, responses, inst = demo_csv, demo_ingested.responses, instrument
    code, doc, _ = _run(str(path))
    assert "aggregation_excluded" not in doc["sample"]
    scores = scale_scores(reverse_key_all(responses, inst), inst)
    ref = icc_nested(scores["GOL"].to_numpy(), group_index(responses["partnership"]).codes)
    assert doc["aggregation"]["GOL"]["icc1"] == pytest.approx(ref.icc1, rel=1e-9)


def reverse_key_all(responses: pd.DataFrame, inst) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """The scoring stage's keying, written out: reversed items as min + max - x."""
    out = responses.copy()
    for item_id, item in inst.items.items():
        if item.reverse:
            rs = inst.response_scale(item_id)
            out[item_id] = reverse(out[item_id], low=rs.min, high=rs.max)
    return out


def test_help_says_what_min_group_size_does_here():
    out = CliRunner().invoke(cli, ["reliability", "--help"]).output
    assert "out of rwg(j) and ICC" in " ".join(out.split())


def test_constant_reversed_item_is_reported_with_the_answer_given(bfi25, tmp_path):
    def a1_is_2(items: pd.DataFrame) -> None:  # A1 is reverse-keyed: 2 is analysed as 5
        items["A1"] = 2

    code, doc, err = _run(
        str(_bfi(bfi25, tmp_path, "bfi_a1.csv", a1_is_2)), "--instrument", str(BFI_YAML)
    )
    assert code == 1 and doc["warnings"][0]["value"] == 2.0
    assert "all 2800 answers are 2;" in err
