"""The product as a user gets it: `pip install kemitraan-assess` alone gives a working tool.

The wheel is built from this checkout and compared with the tree (every module, every
instrument, template, stylesheet and catalogue). Then it is installed into a fresh venv
(dependencies resolved by pip from the wheel's own metadata, so an undeclared dependency
fails here) and every command is run once from a folder outside the checkout, with the
checkout off ``sys.path``. A traceback, a missing output or an exit code other than 0/1
fails the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = "kemitraan_assess"
DATA_FOLDERS = ("instruments", "reports")


def _tree_files() -> set[str]:
    """What the wheel must hold: every module of the package and every data file."""
    want = {
        str(p.relative_to(ROOT)) for p in (ROOT / PKG).rglob("*.py") if "__pycache__" not in p.parts
    }
    want.add(f"{PKG}/py.typed")
    for folder in DATA_FOLDERS:
        base = ROOT / folder
        want |= {
            f"{PKG}/{folder}/{p.relative_to(base)}"
            for p in base.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
    return want


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("kemitraan_assess-*.whl"))


@pytest.mark.slow
def test_wheel_holds_every_module_and_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(_tree_files() - names)
    assert not missing, f"left out of the wheel: {missing[:20]}"
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry).decode()
    assert "kemitraan-assess = kemitraan_assess.cli:main" in text
    metadata = (
        zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    )
    requires = {
        line.split(":", 1)[1]
        .split(";")[0]
        .strip()
        .split(">")[0]
        .split("<")[0]
        .split("=")[0]
        .split("[")[0]
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    }
    # the XML readers and the safe YAML/SVG checks import defusedxml: it must not come from the test
    # extra
    assert {"defusedxml", "pandas", "pingouin", "click", "jinja2", "weasyprint"} <= requires


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel and the dependencies pip resolves from its metadata."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
        text=True,
    )
    return env_dir / "bin"


def _run(bin_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    }
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run(
        [str(bin_dir / "kemitraan-assess"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in proc.stderr, f"{args}: {proc.stderr[-3000:]}"
    assert proc.returncode in (0, 1), f"{args} exit {proc.returncode}: {proc.stderr[-2000:]}"
    return proc


@pytest.mark.slow
def test_every_command_works_from_the_installed_wheel(installed, tmp_path):
    work = tmp_path / "user"
    work.mkdir()
    assert not str(work).startswith(str(ROOT))
    run = lambda *a: _run(installed, work, *a)  # noqa: E731

    # the package imported is the installed one, not this checkout
    where = subprocess.run(
        [
            str(installed / "python"),
            "-c",
            "import kemitraan_assess, sys; print(kemitraan_assess.__file__)",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert "site-packages" in where and not where.startswith(str(ROOT))

    run("--version")
    run("demo", "--out", "demo", "--format", "html")  # PDFs: see `report` below
    survey = work / "demo" / "survey.csv"
    assert survey.is_file() and (work / "demo" / "reports" / "index.html").is_file()

    run("ingest", str(survey), "--out", "ing")
    for name in ("responses.csv", "rejected.csv", "ingest.json"):
        assert (work / "ing" / name).stat().st_size > 0, name
    run("score", str(survey), "--out", "sc")
    scores = json.loads((work / "sc" / "scores.json").read_text())
    assert scores["partnerships"], "no partnership scored"
    for fmt in ("json", "html", "pdf"):
        run("reliability", str(survey), "--format", fmt, "-o", f"rel.{fmt}")
    rel = json.loads((work / "rel.json").read_text())
    assert rel["scales"] and rel["factorability"]["kmo"] > 0
    assert (work / "rel.pdf").read_bytes().startswith(b"%PDF")
    assert "<html" in (work / "rel.html").read_text(encoding="utf-8").lower()

    name = next(iter(scores["partnerships"]))
    run(
        "report",
        str(survey),
        "--out",
        "rep",
        "--format",
        "html,pdf",
        "--partnership",
        name,
        "--lang",
        "en",
    )
    produced = {p.suffix for p in (work / "rep").rglob("*") if p.is_file()}
    assert {".html", ".pdf"} <= produced

    run("codebook", "-o", "codebook.csv")
    assert (work / "codebook.csv").read_text(encoding="utf-8-sig").count("\n") > 10
    listing = run("instruments", "list").stdout
    assert "kemitraan-readiness" in listing
    run("instruments", "show", "kemitraan-readiness")
    schema = run("instruments", "schema").stdout
    assert json.loads(schema)["title"]
    run("instruments", "xlsform", "kemitraan-readiness", "-o", "form.xlsx")
    run("instruments", "from-xlsform", "form.xlsx", "-o", "inst.yaml")
    assert "valid" in run("instruments", "validate", "inst.yaml").stdout


@pytest.mark.slow
def test_installed_reliability_on_psych_bfi_without_groups_matches_r(installed, tmp_path):
    """A researcher's plain item file (psych::bfi: an id column and 25 items, no partnership
    column) through the INSTALLED command gives R's numbers. References: psych::alpha
    (tests/reference/reliability/bfi_scales.json, ref_reliability.R); psych::fa one-factor
    omega total per scale, psych::KMO, psych::cortest.bartlett and psych::fa(5, minres,
    oblimin) loadings (tests/reference/validation/bfi.json, ref_validation.R). Tolerances: rel
    1e-6 for the closed forms (alpha, KMO, Bartlett), abs 1e-6 for the iterative fits."""
    import numpy as np
    import pandas as pd

    ref_dir = ROOT / "tests" / "reference"
    bfi = pd.read_csv(ref_dir / "data" / "bfi.csv").iloc[:, :25].astype("Int64")
    bfi.insert(0, "id", [f"S{61617 + i}" for i in range(len(bfi))])
    work = tmp_path / "researcher"
    work.mkdir()
    bfi.to_csv(work / "bfi.csv", index=False)
    (work / "bfi.yaml").write_bytes((ROOT / "tests" / "fixtures" / "bfi.yaml").read_bytes())

    proc = _run(
        installed,
        work,
        "reliability",
        "bfi.csv",
        "--instrument",
        "bfi.yaml",
        "--format",
        "json",
        "-o",
        "r.json",
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((work / "r.json").read_text())
    gold = json.loads((ref_dir / "validation" / "bfi.json").read_text())
    gold_alpha = json.loads((ref_dir / "reliability" / "bfi_scales.json").read_text())

    assert (
        doc["n_respondents"] == 2800
        and "no partnership column" in doc["aggregation"]["not_computed"]
    )
    for s in "ACENO":
        assert doc["scales"][s]["alpha"]["raw"] == pytest.approx(
            gold_alpha[s]["alpha"]["total"]["raw_alpha"], rel=1e-6
        )
        assert doc["scales"][s]["omega_total"] == pytest.approx(
            gold["omega_total_by_scale"]["values"][s], abs=1e-6
        )
    assert doc["factorability"]["kmo"] == pytest.approx(gold["factorability"]["kmo"], rel=1e-6)
    assert doc["factorability"]["bartlett"]["chi2"] == pytest.approx(
        gold["factorability"]["bartlett"]["chisq"], rel=1e-6
    )
    ours = doc["efa"]["loadings"]
    factors = list(ours[gold["efa"]["items"][0]])
    got = np.array([[ours[i][f] for f in factors] for i in gold["efa"]["items"]])
    np.testing.assert_allclose(got, np.array(gold["efa"]["loadings"]), rtol=0, atol=1e-6)
