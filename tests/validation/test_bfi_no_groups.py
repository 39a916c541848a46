"""`kemitraan-assess reliability` on a researcher's plain item file: psych::bfi, an id column
and 25 items, no partnership column (issue 10, section 2).

The command must compute every sample-level statistic and agree with R:

* alpha, item statistics and split-half: tests/reference/reliability/bfi_scales.json
  (ref_reliability.R: psych::alpha / psych::splitHalf on the keyed scales);
* KMO, Bartlett, EFA loadings, omega_h, one-factor omega total per scale and the CFA:
  tests/reference/validation/bfi.json (ref_validation.R, on the keyed items);
* observed eigenvalues of parallel analysis: tests/reference/factor/parallel.json
  (ref_factor.R; reversing items leaves eigenvalues unchanged).

Tolerances: closed forms (alpha and its Feldt CI, item statistics, split-halves, KMO,
Bartlett) rel 1e-6; iterative fits (minres EFA and omega, lavaan's CFA fitted to a
1e-12 Gauss-Newton step) abs 1e-6 on loadings, omega and fit indices.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from kemitraan_assess.cli import cli

ROOT = Path(__file__).resolve().parents[2]
REF = ROOT / "tests" / "reference"
BFI_YAML = ROOT / "tests" / "fixtures" / "bfi.yaml"
CLOSED = 1e-6
ITER = 1e-6
SCALES = "ACENO"
VALIDATION = "validation/bfi.json"  # ref_validation.R
ALPHA = "reliability/bfi_scales.json"  # ref_reliability.R


@pytest.fixture(scope="module")
def bfi_csv(bfi25, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """psych::bfi as a researcher exports it: an id column and the 25 items."""
    items = bfi25.astype("Int64")
    items.insert(0, "id", [f"S{61617 + i}" for i in range(len(items))])
    path = tmp_path_factory.mktemp("bfi") / "bfi.csv"
    items.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def doc(bfi_csv: Path) -> dict:
    res = CliRunner().invoke(
        cli, ["reliability", str(bfi_csv), "--instrument", str(BFI_YAML), "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_no_group_column_is_said_not_refused(doc):
    assert doc["n_respondents"] == 2800
    assert doc["sample"]["n_partnerships"] is None
    assert "no partnership column" in doc["aggregation"]["not_computed"]
    assert (
        "rwg(j)" in doc["aggregation"]["not_computed"]
        and "ICC" in doc["aggregation"]["not_computed"]
    )
    assert doc["warnings"] == [] and doc["items_left_out"] == {}


@pytest.mark.parametrize("scale", SCALES)
def test_alpha_and_items_match_psych_alpha(doc, gold, scale):
    g = gold(ALPHA)[scale]["alpha"]  # psych::alpha(bfi_keyed[, scale])
    ours = doc["scales"][scale]
    tot = g["total"]
    assert ours["alpha"]["raw"] == pytest.approx(tot["raw_alpha"], rel=CLOSED)
    assert ours["alpha"]["standardized"] == pytest.approx(tot["std.alpha"], rel=CLOSED)
    assert ours["average_r"] == pytest.approx(tot["average_r"], rel=CLOSED)
    assert ours["guttman_lambda6"] == pytest.approx(tot["G6(smc)"], rel=CLOSED)
    assert ours["alpha"]["ci95"] == pytest.approx(
        [g["feldt"]["lower"][0][0], g["feldt"]["upper"][0][0]], rel=CLOSED
    )
    st, drop = g["item_stats"], g["alpha_drop"]
    for k, item in enumerate(st["rownames"]):
        row = ours["items"][item]
        assert row["n"] == st["n"][k]
        assert row["mean"] == pytest.approx(st["mean"][k], rel=CLOSED)
        assert row["sd"] == pytest.approx(st["sd"][k], rel=CLOSED)
        assert row["r_drop"] == pytest.approx(st["r.drop"][k], rel=CLOSED)
        assert row["r_cor"] == pytest.approx(st["r.cor"][k], rel=CLOSED)
        assert row["alpha_if_dropped"] == pytest.approx(drop["raw_alpha"][k], rel=CLOSED)
    sh = gold(ALPHA)[scale][
        "split_half"
    ]  # psych::splitHalf(..., check.keys = FALSE): 5 items, every split
    assert [ours["split_half"][k] for k in ("max", "min", "mean")] == pytest.approx(
        [sh["maxrb"], sh["minrb"], sh["meanr"]], rel=CLOSED
    )


def test_omega_total_per_scale_matches_one_factor_minres(doc, gold):
    ref = gold(VALIDATION)["omega_total_by_scale"][
        "values"
    ]  # psych::fa(keyed[, scale], 1): McDonald's formula
    for s in SCALES:
        assert doc["scales"][s]["omega_total"] == pytest.approx(ref[s], abs=ITER), s


def test_factorability_matches_kmo_and_bartlett(doc, gold):
    fac, ref = (
        doc["factorability"],
        gold(VALIDATION)["factorability"],
    )  # psych::KMO, psych::cortest.bartlett
    assert fac["kmo"] == pytest.approx(ref["kmo"], rel=CLOSED)
    for item, v in ref["kmo_items"].items():
        assert fac["kmo_items"][item] == pytest.approx(v, rel=CLOSED), item
    assert fac["bartlett"]["chi2"] == pytest.approx(ref["bartlett"]["chisq"], rel=CLOSED)
    assert fac["bartlett"]["df"] == ref["bartlett"]["df"] == 300
    assert fac["n"] == 2800


def test_efa_loadings_match_psych_fa(doc, gold):
    """psych::fa(keyed, 5, fm = 'minres', rotate = 'oblimin'). The columns are in the same
    order; psych names them after the unrotated factors (MR2 MR1 MR3 MR5 MR4), we number them."""
    ref = gold(VALIDATION)["efa"]
    ours = doc["efa"]["loadings"]
    factors = list(ours[ref["items"][0]])
    got = np.array([[ours[i][f] for f in factors] for i in ref["items"]])
    np.testing.assert_allclose(got, np.array(ref["loadings"]), rtol=0, atol=ITER)
    comm = np.array([doc["efa"]["communalities"][i] for i in ref["items"]])
    np.testing.assert_allclose(comm, ref["communality"], rtol=0, atol=ITER)  # psych h2
    assert doc["efa"]["fit"]["rmsea"] == pytest.approx(ref["RMSEA"], abs=ITER)
    assert doc["efa"]["fit"]["tli"] == pytest.approx(ref["TLI"], abs=ITER)


def test_parallel_analysis_eigenvalues(doc, gold):
    ref = gold("factor/parallel.json")  # psych::fa.parallel on bfi25
    np.testing.assert_allclose(
        doc["parallel_analysis"]["pc_values"], ref["pc_values"], rtol=0, atol=ITER
    )
    np.testing.assert_allclose(
        doc["parallel_analysis"]["fa_values"], ref["fa_values"], rtol=0, atol=ITER
    )


def test_omega_hierarchical_matches_psych_omega(doc, gold):
    assert doc["omega"]["n_factors"] == 3
    assert doc["omega"]["omega_h"] == pytest.approx(gold(VALIDATION)["omega"]["omega_h"], abs=ITER)
    assert doc["omega"]["omega_total"] == pytest.approx(
        gold(VALIDATION)["omega"]["omega_total"], abs=ITER
    )


def test_cfa_matches_lavaan_pairwise(doc, gold):
    """lavaan::cfa(..., missing = 'pairwise') of the five correlated factors, keyed items."""
    ours, fm = doc["cfa"]["other"], gold(VALIDATION)["cfa"]["fit_measures"]
    assert ours["missing"] == "pairwise" and ours["n"] == gold(VALIDATION)["cfa"]["n_used"] == 2800
    assert ours["df"] == fm["df"]
    assert ours["chi2"] == pytest.approx(fm["chisq"], rel=CLOSED)
    for key in ("cfi", "tli", "rmsea", "srmr"):
        assert ours[key] == pytest.approx(fm[key], abs=ITER), key
    for row in gold(VALIDATION)["cfa"]["std_loadings"]:
        assert ours["std_loadings"][row["lhs"]][row["rhs"]] == pytest.approx(
            row["est.std"], abs=ITER
        )


def test_group_col_still_forces_groups(tmp_path):
    """The original export has gender / education / age: --group-col gender makes two groups."""
    res = CliRunner().invoke(
        cli,
        [
            "reliability",
            str(REF / "data" / "bfi.csv"),
            "--instrument",
            str(BFI_YAML),
            "--group-col",
            "gender",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["sample"]["n_partnerships"] == 2
    assert set(out["aggregation"]) == set(SCALES)
    assert out["aggregation"]["A"]["rwg_j"]["n_partnerships"] == 2


@pytest.mark.parametrize("command", ["score", "report"])
def test_score_and_report_still_need_groups(bfi_csv, tmp_path, command):
    res = CliRunner().invoke(
        cli, [command, str(bfi_csv), "--instrument", str(BFI_YAML), "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 2
    assert "no partnership column" in res.output and "--group-col" in res.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "lang,text",
    [("en", "No partnership column in the data"), ("id", "Data tidak memiliki kolom kemitraan")],
)
def test_html_report_says_aggregation_was_not_computed(bfi_csv, tmp_path, lang, text):
    out = tmp_path / f"bfi-{lang}.html"
    res = CliRunner().invoke(
        cli,
        [
            "reliability",
            str(bfi_csv),
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
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    # no chapter (nor contents entry) for an aggregation that was not computed: the
    # conclusions say why, once
    assert 'id="aggregation"' not in page and 'href="#aggregation"' not in page
    conclusions = page[page.index('<section id="conclusions"') : page.index('<section id="sample"')]
    assert text in conclusions


@pytest.mark.slow
def test_installed_command_writes_the_pdf(bfi_csv, tmp_path):
    """The console script (not CliRunner), with the PDF and its text."""
    exe = Path(sys.executable).with_name("kemitraan-assess")
    out = tmp_path / "bfi.pdf"
    run = subprocess.run(
        [
            str(exe),
            "reliability",
            str(bfi_csv),
            "--instrument",
            str(BFI_YAML),
            "--format",
            "pdf",
            "-o",
            str(out),
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler-utils (pdftotext) is a test dependency"
    text = subprocess.run(
        [pdftotext, str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "No partnership column in the data" in " ".join(text.split())
