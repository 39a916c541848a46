"""Written outputs: formula neutralisation, atomic writes, determinism, the result contract."""

import json
import os

import numpy as np
import pandas as pd
import pytest

from kemitraan_assess.errors import DataError, OutputError
from kemitraan_assess.io import ingest, write_csv_safe, write_ingest_outputs
from kemitraan_assess.output.safecsv import atomic_write_many, csv_bytes


def test_responses_contract(inst, export):
    res = ingest(export("kobo_xml_values.csv"), inst)
    r = res.responses
    assert list(r.columns) == [
        "respondent_id",
        "partnership",
        "source_row",
        "submitted_at",
        "sector",
        "comment",
        "GOL1",
        "GOL2",
        "GOL3",
        "KOM1",
        "KOM2",
        "KOM3",
    ]
    # the platform's submission time, as the export wrote it (the report's survey period)
    assert res.log["submitted_at_column"] == "_submission_time"
    assert r["submitted_at"].str.match(r"^\d{4}-\d{2}-\d{2}T").all()
    assert r["source_row"].dtype == np.int64
    assert all(r[i].dtype == np.float64 for i in ["GOL1", "KOM3"])
    assert pd.api.types.is_string_dtype(r["respondent_id"]) and pd.api.types.is_string_dtype(
        r["partnership"]
    )
    assert list(res.rejected.columns) == ["source_row", "respondent_id", "reason", "detail"]
    assert list(res.cell_issues.columns) == [
        "source_row",
        "respondent_id",
        "column",
        "value",
        "problem",
    ]
    # every record accounted for
    c = res.log["counts"]
    assert c["rows_read"] == c["kept"] + c["rejected_total"] == 5


def test_unmatched_item_is_all_nan_column(inst):
    res = ingest(b"partnership,GOL1\nA,4\n", inst)
    assert res.responses["KOM3"].isna().all() and res.log["unmatched_items"][0] == "GOL2"


def test_generated_ids(inst):
    res = ingest(b"partnership,GOL1\nA,4\nB,5\n", inst)
    assert res.responses["respondent_id"].tolist() == ["r2", "r3"]


def test_formula_cells_neutralised(inst, tmp_path, export, cited):
    res = ingest(export("kobo_xml_values.csv"), inst)
    paths = write_ingest_outputs(res, tmp_path / "out")
    text = paths["responses"].read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    sm = ingest(cited("surveymonkey.csv"), inst)
    out = write_ingest_outputs(sm, tmp_path / "sm")["responses"].read_text(encoding="utf-8")
    assert "'+62 812 000" in out
    df = pd.DataFrame({"t": ["@SUM(A1)", "-1", "\tx", "ok"], "n": [-1, 2, 3, 4]})
    assert csv_bytes(df) == b"t,n\n'@SUM(A1),-1\n'-1,2\n'\tx,3\nok,4\n"


def test_outputs_are_deterministic_utf8_lf(inst, tmp_path, export):
    a = write_ingest_outputs(ingest(export("excel_cp1252_semicolon.csv"), inst), tmp_path / "a")
    b = write_ingest_outputs(ingest(export("excel_cp1252_semicolon.csv"), inst), tmp_path / "b")
    for key in a:
        data = a[key].read_bytes()
        assert data == b[key].read_bytes()
        assert b"\r\n" not in data
        data.decode("utf-8")
    log = json.loads(a["log"].read_text(encoding="utf-8"))
    assert log["counts"]["kept"] == 3 and log["cell_issues"]["total"] == 1
    assert a["responses"].read_text(encoding="utf-8").splitlines()[1].endswith(",4,3,2,4,4,2")


def test_atomic_write_leaves_nothing_on_error(tmp_path, monkeypatch):
    target = tmp_path / "a.csv"
    target.write_text("old", encoding="utf-8")
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OutputError, match="a.csv: cannot write .disk full"):
        atomic_write_many([(target, b"new"), (tmp_path / "b.csv", b"x")])
    monkeypatch.setattr(os, "replace", real_replace)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_error_writes_nothing(inst, tmp_path):
    out = tmp_path / "out"
    src = tmp_path / "bad.csv"
    src.write_bytes(b"")
    with pytest.raises(DataError, match="the file is empty"):
        write_ingest_outputs(ingest(src, inst), out)
    assert not out.exists()


def test_write_csv_safe_roundtrip(tmp_path):
    p = write_csv_safe(
        pd.DataFrame({"a": [1.0, np.nan], "b": ["x", None]}), tmp_path / "d" / "t.csv"
    )
    assert p.read_bytes() == b"a,b\n1,x\n,\n"


def test_exit_code(inst):
    clean = ingest(b"partnership,GOL1,GOL2,GOL3,KOM1,KOM2,KOM3\n" + b"A,1,2,3,4,5,1\n" * 5, inst)
    assert clean.exit_code == 0, clean.warnings
    dirty = ingest(
        b"partnership,GOL1,GOL2,GOL3,KOM1,KOM2,KOM3\nA,1,2,3,4,5,1\n,1,1,1,1,1,1\n", inst
    )
    assert dirty.exit_code == 1
