"""The wheel ships the instruments and report templates: `pip install` alone gives a working tool."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_contains_instruments_templates_and_locales(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("kemitraan_assess-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "kemitraan_assess/instruments/kemitraan-readiness.yaml",
        "kemitraan_assess/instruments/schema.json",
        "kemitraan_assess/reports/locales/id.yaml",
        "kemitraan_assess/reports/locales/en.yaml",
        "kemitraan_assess/reports/recommendations/kemitraan-readiness.yaml",
        "kemitraan_assess/py.typed",
    }
    assert expected <= names, sorted(expected - names)
    assert any(n.startswith("kemitraan_assess/reports/templates/") for n in names)
    assert any(n.startswith("kemitraan_assess/reports/styles/") for n in names)
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)
    entry = [n for n in names if n.endswith("entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry[0]).decode()
    assert "kemitraan-assess = kemitraan_assess.cli:main" in text
