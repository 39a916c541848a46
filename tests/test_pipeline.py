"""The whole pipeline end to end, as `make demo` runs it: demo survey → ingest → score → reports."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from kemitraan_assess.cli import cli


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "out"
    res = CliRunner().invoke(cli, ["demo", "--out", str(out), "--format", "html", "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert "reports:" in res.output and "index.html" in res.output
    return out


def test_every_row_accounted_for(demo_dir):
    survey = pd.read_csv(demo_dir / "survey.csv")
    ingest_log = json.loads((demo_dir / "ingest" / "ingest.json").read_text(encoding="utf-8"))
    kept = pd.read_csv(demo_dir / "ingest" / "responses.csv")
    rejected = pd.read_csv(demo_dir / "ingest" / "rejected.csv")
    assert len(kept) + len(rejected) == len(survey) == ingest_log["counts"]["rows_read"]
    assert ingest_log["platform"] == "kobotoolbox"


def test_scores_cover_every_partnership_and_suppress_the_small_one(demo_dir):
    scores = json.loads((demo_dir / "scores" / "scores.json").read_text(encoding="utf-8"))
    parts = scores["partnerships"]
    assert len(parts) == 30
    small = [name for name, p in parts.items() if p["suppressed"]]
    assert small == ["Paguyuban Kader Kesehatan Desa Wae Rebo"]
    # the demo has rounds: which round it is, and nothing else
    assert set(parts[small[0]]) == {"n", "suppressed", "reason", "round", "previous_round"}
    bands = {p["readiness"]["band"] for p in parts.values() if not p["suppressed"]}
    assert bands == {"strength", "attention", "concern"}  # the demo spans every band
    weak = [
        n
        for n, p in parts.items()
        if not p["suppressed"] and p["scales"]["GOL"]["agreement"] == "weak"
    ]
    assert weak, "the demo has partnerships that disagree internally"
    types = {p["type"] for p in parts.values() if not p["suppressed"]}
    assert types == {"public_private", "nonprofit_nonprofit", "community", "multisectoral"}


def test_the_demo_headlines_are_the_latest_round(demo_dir):
    # the divided partnership surveyed twice: 2,94 "concern" pooled, its 2026 round is shown
    scores = json.loads((demo_dir / "scores" / "scores.json").read_text(encoding="utf-8"))
    name = "Tim Terpadu Kesehatan Jiwa Kab. Gunungkidul"
    p = scores["partnerships"][name]
    assert (p["round"], p["previous_round"], p["n"]) == ("2026", "2025", 8)
    assert p["readiness"]["band"] == "attention" and round(p["readiness"]["index"], 2) == 3.39
    assert scores["rounds"]["n_comparison_only"] == 30
    resp = pd.read_csv(demo_dir / "scores" / "respondents.csv")
    assert (resp["used_for"] == "comparison").sum() == 30
    slug = next((demo_dir / "reports").glob("tim-terpadu*.html")).read_text(encoding="utf-8")
    assert "Putaran 2026: survei" in slug and "Agu\u00a02025" in slug
    assert "angka di laporan ini menggabungkan" not in slug  # no pooled-rounds caveat


def test_a_report_per_partnership_and_an_index(demo_dir):
    reports = demo_dir / "reports"
    html = sorted(p.name for p in reports.glob("*.html") if p.name != "index.html")
    assert len(html) == 30
    index = (reports / "index.html").read_text(encoding="utf-8")
    for name in html:
        assert f'href="{name}"' in index
    text = (reports / html[0]).read_text(encoding="utf-8")
    assert 'lang="id"' in text and "http://" not in text.replace("http://www.w3.org", "")


def test_same_seed_same_bytes_in_another_process(demo_dir, tmp_path):
    """The demo run again by a fresh interpreter with another hash seed, time zone and
    locale writes the same bytes (a second run in this interpreter could not see effects
    of set or dict order, which change with the hash seed)."""
    again = tmp_path / "again"
    env = dict(os.environ, PYTHONHASHSEED="4242", TZ="Pacific/Kiritimati", LANG="C", LC_ALL="C")
    command = ["demo", "--out", str(again), "--format", "html", "--workers", "1"]
    proc = subprocess.run(
        [sys.executable, "-m", "kemitraan_assess", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert digest(again) == digest(demo_dir)


@pytest.mark.pdf
def test_english_pdf_reports(demo_dir, tmp_path):
    """The English PDFs of a scored partnership and of a suppressed one, from the report
    command: English words, no Indonesian band label, and the suppressed one a single page."""
    from pypdf import PdfReader

    strong, suppressed = (
        "Gugus Tugas Imunisasi Kota Makassar",
        "Paguyuban Kader Kesehatan Desa Wae Rebo",
    )
    out = tmp_path / "en"
    res = CliRunner().invoke(
        cli,
        [
            "report",
            str(demo_dir / "survey.csv"),
            "--out",
            str(out),
            "--lang",
            "en",
            "--format",
            "pdf",
            "--partnership",
            strong,
            "--partnership",
            suppressed,
        ],
    )
    assert res.exit_code in (0, 1), res.output
    pdfs = {p.stem: PdfReader(p) for p in (out).glob("*.pdf")}
    assert len(pdfs) == 2, sorted(pdfs)
    by_pages = sorted(pdfs.values(), key=lambda r: len(r.pages))
    assert (
        len(by_pages[0].pages) == 1
    )  # the suppressed partnership: one page, nothing below the minimum
    first = by_pages[1].pages[0].extract_text()
    assert "readiness" in first.lower() and "respondents" in first.lower()
    assert "Kesiapan" not in first and "Perlu perhatian" not in first
