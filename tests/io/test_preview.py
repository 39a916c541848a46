"""io.preview_export (every column, matched or not) and a mapping that leaves a column out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kemitraan_assess.cli import cli
from kemitraan_assess.errors import DataError
from kemitraan_assess.io import ingest, preview_export

CSV = b"partnership,GOL1,Goals are clear copy\nA,4,4\nA,5,5\nB,3,3\n"


def test_a_column_mapped_to_nothing_is_left_out(tmp_path: Path) -> None:
    dup = b"partnership,GOL1,GOL1\nA,4,5\nA,5,5\nB,3,3\n"
    with pytest.raises(DataError) as info:
        ingest(dup, "kemitraan-readiness")
    assert info.value.code == "data.duplicate_column"
    assert info.value.params == {
        "first": "GOL1",
        "second": "GOL1 (2)",
        "kind": "item",
        "target": "GOL1",
    }
    res = ingest(dup, "kemitraan-readiness", mapping={"columns": {"GOL1 (2)": None}})
    assert res.responses["GOL1"].tolist() == [4.0, 5.0, 3.0]
    assert "GOL1 (2)" in res.log["unmapped_columns"]
    # the same from the command line, with the YAML a person (or the web app) writes
    src = tmp_path / "dup.csv"
    src.write_bytes(dup)
    (tmp_path / "m.yaml").write_text('columns:\n  "GOL1 (2)": ~\n', encoding="utf-8")
    out = CliRunner().invoke(
        cli,
        ["ingest", str(src), "--mapping", str(tmp_path / "m.yaml"), "--out", str(tmp_path / "o")],
    )
    assert out.exit_code in (0, 1), out.output  # 1: rows kept with warnings, not refused
    log = json.loads((tmp_path / "o" / "ingest.json").read_text(encoding="utf-8"))
    assert log["column_mapping"] == {"partnership": "partnership", "GOL1": "GOL1"}


def test_preview_reads_like_ingest_and_keeps_its_limits() -> None:
    pv = preview_export(CSV, "kemitraan-readiness")
    assert pv.platform == "generic" and pv.n_records == 3
    assert pv.partnership_column == "partnership"
    assert [c.target for c in pv.columns] == ["partnership", "GOL1", None]
    assert pv.column("GOL1").answers == (("3", 1), ("4", 1), ("5", 1))
    assert pv.column("GOL1").samples == ("4", "5", "3")
    assert pv.to_dict()["columns"][2]["name"] == "Goals are clear copy"
    # the same refusals as ingest for what is not a table
    for bad in (b"", b"%PDF-1.4", b'partnership,GOL1\nA,4\nB,"5\nC,3\n'):
        with pytest.raises(DataError) as a:
            ingest(bad, "kemitraan-readiness")
        with pytest.raises(DataError) as b:
            preview_export(bad, "kemitraan-readiness")
        assert (a.value.code, str(a.value)) == (b.value.code, str(b.value))
