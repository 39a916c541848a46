"""The notebook: the entry points named as the commands, exported from the package top level
(issue 10, section 5), and the README's Python examples run as written."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import kemitraan_assess as ka
from kemitraan_assess.cli import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def export(demo_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo survey as ``export.csv`` in a folder of its own (the README examples run
    there and write beside it)."""
    path = tmp_path_factory.mktemp("nb") / "export.csv"
    shutil.copyfile(demo_csv, path)
    return path


def test_top_level_names_are_the_commands():
    from kemitraan_assess.io import ingest
    from kemitraan_assess.scoring import score
    from kemitraan_assess.validation.result import reliability

    assert ka.ingest is ingest and ka.score is score and ka.reliability is reliability
    from kemitraan_assess._api import report

    assert ka.report is report
    assert {"ingest", "score", "reliability", "report", "ValidationResult"} <= set(ka.__all__)
    for name in ka.__all__:
        assert getattr(ka, name) is not None, name
    # importing the report stage's package does not replace the function (no subpackage
    # is named like a function, so the import system has nothing to overwrite)
    import kemitraan_assess.reporting

    assert kemitraan_assess.reporting.render_reports is not None
    assert ka.report is report and not isinstance(ka.report, type(kemitraan_assess))


def test_import_is_light_and_changes_no_global_state():
    code = (
        "import csv, sys; before = csv.field_size_limit(); import kemitraan_assess; heavy = [m for "
        "m in ('pandas', 'numpy', 'pydantic', 'kemitraan_assess.io', 'scipy') if m in "
        "sys.modules]; print(heavy, csv.field_size_limit() == before)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[] True"


def test_reliability_is_the_command(export, instrument, tmp_path):
    out = tmp_path / "rel.json"
    res = CliRunner().invoke(cli, ["reliability", str(export), "--format", "json", "-o", str(out)])
    assert res.exit_code in (0, 1), res.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    inst = instrument
    rel = ka.reliability(ka.ingest(export, inst).responses, inst)
    assert rel.to_dict() == doc
    assert (
        ka.reliability(export, "kemitraan-readiness").to_dict() == doc
    )  # a file, an instrument id
    frame = rel.to_frame()
    assert list(frame.index) == [s.id for s in inst.scales]
    assert frame.loc["GOL", "alpha"] == doc["scales"]["GOL"]["alpha"]["raw"]
    assert frame.loc["GOL", "omega_total"] == doc["scales"]["GOL"]["omega_total"]
    items = rel.items_frame()
    assert items.loc[("GOL", "GOL6"), "r_drop"] == doc["scales"]["GOL"]["items"]["GOL6"]["r_drop"]


def test_result_is_frozen_and_its_repr_short(export):
    rel = ka.reliability(export, "kemitraan-readiness")
    text = repr(rel)
    assert text.startswith(
        "<ValidationResult kemitraan-readiness 1.0.0: n = 373, 16 scales, alpha 0."
    )
    assert "\n" not in text and len(text) < 160
    with pytest.raises(AttributeError):
        rel.n_respondents = 0  # type: ignore[misc]
    d = rel.to_dict()
    d["scales"].clear()
    assert rel.to_dict()["scales"]  # to_dict hands out a copy


def test_responses_of_the_wrong_type_are_refused():
    with pytest.raises(ka.DataError, match="responses must be a DataFrame"):
        ka.reliability(42, "kemitraan-readiness")


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_python_examples_run(export, monkeypatch, capsys):
    blocks = _python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 2
    monkeypatch.chdir(export.parent)
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the examples run clean
        for block in blocks:
            exec(compile(block, "README.md", "exec"), namespace)
    printed = capsys.readouterr().out
    assert "<ValidationResult kemitraan-readiness 1.0.0" in printed
    assert (export.parent / "reports" / "index.html").exists()
    assert isinstance(namespace["rel"].to_frame(), pd.DataFrame)


def test_the_notebook_trap_is_a_warning(export, instrument):
    """Issue 10's notebook: alpha on raw answers gave 0.64 for GOL without a word; the keyed
    scale gives 0.91. Now the raw call warns and names GOL6; keys= or reliability() key it."""
    from kemitraan_assess import stats

    inst = instrument
    responses = ka.ingest(export, inst).responses
    cols = [i.id for i in inst.scale("GOL").items]
    with pytest.warns(stats.NegativeItemWarning, match=r"GOL6 \(r\.drop = -0\.\d\d\)"):
        raw = stats.cronbach_alpha(responses[cols])
    keyed = ka.reliability(responses, inst).scales["GOL"].alpha
    assert raw.raw < 0.7 < 0.9 < keyed
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert stats.cronbach_alpha(responses[cols], keys=["GOL6"]).raw == pytest.approx(
            keyed, rel=1e-12
        )


def test_every_stage_result_has_a_frame_and_a_short_repr(demo_ingested, demo_scored):
    """Issue 10 §5: ingest, score and reliability results, as a notebook shows them."""
    ing, sc = demo_ingested, demo_scored
    assert ing.to_frame() is ing.responses and sc.to_frame() is sc.partnerships
    r_ing, r_sc = repr(ing), repr(sc)
    assert (
        r_ing.startswith(f"IngestResult({len(ing.responses)} kept, ")
        and "platform kobotoolbox" in r_ing
    )
    assert r_sc.startswith("ScoreResult(kemitraan-readiness 1.0.0: ") and "1 suppressed" in r_sc
    assert max(len(r_ing), len(r_sc)) < 200 and "\n" not in r_ing + r_sc
