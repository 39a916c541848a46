"""Hostile text through every CSV the package writes (issue 10, section 6).

A carriage return inside a cell used to be written unquoted: the row split when read
back and the piece after it could start with a live ``=`` formula. Every writer
(ingest's responses / rejected / cell issues, score's respondents / partnerships, the
codebook, a report's scores attachment) is checked here the way a user would notice:
read back with :mod:`csv` and with pandas, the file has the frame's rows and columns,
each text cell is the value written (with the documented ``'`` before a formula
start, :func:`neutralise_text`), and no line of any cell starts like a formula unless
the cell is a number.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kemitraan_assess.instrument import load_instrument
from kemitraan_assess.instrument.codebook import codebook_frame, write_codebook
from kemitraan_assess.io import ingest, write_ingest_outputs
from kemitraan_assess.output.safecsv import csv_bytes, neutralise_text
from kemitraan_assess.scoring import score
from kemitraan_assess.scoring.output import write_score_outputs
from tests.csvformat import readme_csv

CALC = "=cmd|' /C calc'!A0"
HOSTILE = [
    "a\rb",  # lone CR
    "line1\r\nline2",  # CRLF
    f"note\r{CALC}",  # lone CR, then a live formula
    f"note\r\n{CALC}",
    f"note\n{CALC}",
    CALC,
    "+62 812 000",
    "-2+3",
    "@SUM(A1)",
    "\tx",
    "\rstart",
    "nul\x00byte",
    'say "hi", "twice"',
    "a,b",
    "x\n@y\r+z\r\n-w",
    "\r",
    "'already quoted",
    "trailing CR\r",
    "ok",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROOT = Path(__file__).resolve().parents[2]


def _is_number(cell: str) -> bool:
    try:
        return not math.isnan(float(cell))
    except ValueError:
        return False


def _read_both(data: bytes) -> list[list[str]]:
    """Rows as the csv module reads them; pandas must read the same cells."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, skip_blank_lines=False)
    assert [list(frame.columns)] + frame.to_numpy().tolist() == rows
    return rows


def assert_inert(rows: list[list[str]]) -> None:
    """No cell, and no line inside a cell, starts like a formula, unless the cell is a number."""
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if _is_number(cell):
                continue
            assert not cell.startswith(FORMULA_STARTS), (r, c, cell)
            lines = cell.replace("\r\n", "\n").replace("\r", "\n").split("\n")[1:]
            assert not any(line.startswith(FORMULA_STARTS[:5]) for line in lines), (r, c, cell)


def assert_written_as(df: pd.DataFrame, data: bytes) -> None:
    """The file holds df cell for cell: same shape, text cells as neutralise_text gives."""
    rows = _read_both(data)
    assert len(rows) == len(df) + 1 and all(len(row) == df.shape[1] for row in rows)
    assert rows[0] == [neutralise_text(str(c)) for c in df.columns]
    for j, name in enumerate(df.columns):
        col = df[name]
        if not (col.dtype == object or pd.api.types.is_string_dtype(col.dtype)):
            continue
        got = [row[j] for row in rows[1:]]
        want = [
            neutralise_text(v)
            if isinstance(v, str)
            else (
                ""
                if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
                else str(v)
            )
            for v in col.tolist()
        ]
        assert got == want, name
    assert_inert(rows)


# ------------------------------------------------------------------ the encoder itself
def test_neutralise_text_every_line():
    assert neutralise_text(f"note\r{CALC}") == f"note\r'{CALC}"
    assert neutralise_text("\r=x") == "'\r'=x"
    assert neutralise_text("x\r\n+1\n-2\t@3") == "x\r\n'+1\n'-2\t@3"
    assert neutralise_text("a-b=c") == "a-b=c"


def test_cr_is_quoted_and_the_row_survives():
    df = pd.DataFrame({"comment": [f"note\r{CALC}", "ok"], "n": [1, 2]})
    data = csv_bytes(df)
    assert data == b"comment,n\n\"note\r'=cmd|' /C calc'!A0\",1\nok,2\n"
    assert data == readme_csv(df)
    assert_written_as(df, data)


@pytest.mark.parametrize("kind", ["object", "str", "category", "one column"])
def test_every_hostile_string_round_trips(kind):
    values = HOSTILE * 3
    col = pd.Series(
        values,
        dtype={"object": object, "str": "str", "category": "category", "one column": object}[kind],
    )
    df = (
        pd.DataFrame({"t": col})
        if kind == "one column"
        else pd.DataFrame({"t": col, "n": -np.arange(len(values))})
    )
    data = csv_bytes(df)
    assert data == readme_csv(df)
    assert_written_as(df.astype({"t": object}), data)


def test_hostile_column_names():
    names = ["a\rb", CALC, "x\n@y", "ok"]
    df = pd.DataFrame([[1, 2, 3, 4]], columns=names)
    assert csv_bytes(df) == readme_csv(df)
    assert _read_both(csv_bytes(df))[0] == [neutralise_text(n) for n in names]


ALPHABET = list("ab ,\"'=+-@\t\r\n\x00é中") + ["\r\n", CALC]


def test_random_frames_round_trip():
    """A bounded random search (seeded; 400 frames): the bytes are the README's format
    (tests/csvformat.py), and read back cell for cell and inert. Cells are drawn from an
    alphabet of every character with a meaning in CSV or in a spreadsheet."""
    rng = np.random.default_rng(20261125)
    for trial in range(400):
        n_rows, n_cols = int(rng.integers(0, 6)), int(rng.integers(1, 4))
        cols = {}
        for j in range(n_cols):
            cells = []
            for _ in range(n_rows):
                if rng.random() < 0.1:
                    cells.append(None)
                else:
                    k = int(rng.integers(0, 6))
                    cells.append(
                        "".join(ALPHABET[int(i)] for i in rng.integers(0, len(ALPHABET), k))
                    )
            name = "".join(ALPHABET[int(i)] for i in rng.integers(0, len(ALPHABET), 2)) + f"c{j}"
            cols[name] = pd.Series(cells, dtype=object if trial % 2 else "str")
        cols["num"] = rng.normal(size=n_rows).round(3) * -1
        df = pd.DataFrame(cols)
        data = csv_bytes(df)
        assert data == readme_csv(df), trial
        assert_written_as(df.astype({c: object for c in df.columns if c != "num"}), data)


# ------------------------------------------------------------------ every writer, end to end
NAMES = [f"Forum\r{CALC}", "Dinkes\r\nKota", "@Mitra", "Index\r+1"]


def _survey(path: Path) -> Path:
    """A survey export of four partnerships (five respondents each, so nothing is
    suppressed), a row without partnership (rejected), a duplicated id (rejected) and
    unusable answers (cell issues)."""
    lines = ["respondent_id,partnership,sector,comment,GOL1,GOL2,GOL3,KOM1,KOM2,KOM3"]
    for k in range(20):
        gol1 = "abc" if k % 5 == 0 else str(1 + k % 5)
        lines.append(f"r{k},P{k // 5},ngo,c{k},{gol1},3,4,2,5,1")
    lines += [",,ngo,x,1,1,1,1,1,1", "dup,P0,ngo,,1,1,1,1,1,1", "dup,P0,ngo,,1,1,1,1,1,1"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _hostile(frame: pd.DataFrame, columns: list[str], shift: int = 0) -> pd.DataFrame:
    """``frame`` with hostile text in ``columns`` (cycling through HOSTILE)."""
    out = frame.copy()
    for j, c in enumerate(columns):
        values = [HOSTILE[(i + j + shift) % len(HOSTILE)] for i in range(len(out))]
        out[c] = pd.Series(
            values, index=out.index, dtype=out[c].dtype if out[c].dtype != object else object
        )
    return out


@pytest.fixture(scope="module")
def hostile_run(inst, tmp_path_factory):
    """Ingest and score results whose text is hostile. The hostile text is put into the
    ingested frames (the writers are under test here, not the reader)."""
    tmp = tmp_path_factory.mktemp("hostile")
    ing = ingest(_survey(tmp / "survey.csv"), inst)
    assert len(ing.rejected) >= 2 and len(ing.cell_issues) >= 4
    responses = _hostile(ing.responses, ["respondent_id", "comment"])
    responses["partnership"] = responses["partnership"].map(
        {f"P{i}": n for i, n in enumerate(NAMES)}
    )
    ing = dataclasses.replace(
        ing,
        responses=responses,
        rejected=_hostile(ing.rejected, ["respondent_id", "detail"], 2),
        cell_issues=_hostile(ing.cell_issues, ["respondent_id", "value"], 5),
    )
    return inst, ing, score(ing.responses, inst), tmp


def test_ingest_outputs_survive_hostile_text(hostile_run):
    inst, ing, _, tmp = hostile_run
    paths = write_ingest_outputs(ing, tmp / "ingest")
    for key, frame in (
        ("responses", ing.responses),
        ("rejected", ing.rejected),
        ("cell_issues", ing.cell_issues),
    ):
        assert_written_as(frame, paths[key].read_bytes())


def test_score_outputs_survive_hostile_text(hostile_run):
    _, _, res, tmp = hostile_run
    paths = write_score_outputs(res, tmp / "score")
    assert_written_as(res.respondents, paths["respondents"].read_bytes())
    assert_written_as(res.partnerships, paths["partnerships"].read_bytes())
    assert any("\r" in str(v) for v in res.partnerships["partnership"])


def test_codebook_survives_hostile_text(tmp_path):
    text = (ROOT / "tests" / "fixtures" / "mini-instrument.yaml").read_text(encoding="utf-8")
    hostile = text.replace("{en: I like order.}", "{en: \"I like order.\\r=cmd|' /C calc'!A0\"}")
    hostile = hostile.replace("{en: I plan ahead.}", '{en: "+plan\\r\\n-ahead"}')
    (tmp_path / "i.yaml").write_text(hostile, encoding="utf-8")
    inst = load_instrument(tmp_path / "i.yaml")
    write_codebook(inst, tmp_path / "cb.csv")
    data = (tmp_path / "cb.csv").read_bytes()
    assert b"\r'=cmd" in data
    assert_written_as(codebook_frame(inst), data)


def test_report_scores_attachment_survives_hostile_text(hostile_run):
    from kemitraan_assess.reporting.context import build_context

    inst, _, res, _ = hostile_run
    name = next(n for n in res.summary["partnerships"] if n.startswith("Forum\r"))
    ctx = build_context(res, name, lang="en")
    data = ctx["scores_csv"].encode("utf-8")
    rows = _read_both(data)
    assert {row[0] for row in rows[1:]} == {neutralise_text(name)}
    assert_inert(rows)
