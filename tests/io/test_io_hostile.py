"""Hostile and broken input through the `ingest` command: each class is refused with exit
code 2 and one line naming the file (and line/column where one applies), no traceback,
nothing written; work is bounded whatever the file claims (issue 10, section 6)."""

import csv
import io
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from kemitraan_assess.cli import cli
from kemitraan_assess.errors import DataError
from kemitraan_assess.io import ingest
from kemitraan_assess.io._xlsx import MAX_CELL_CHARS, MAX_ROWS, read_first_sheet

IO_INSTRUMENT = str(Path(__file__).resolve().parent.parent / "fixtures" / "io-instrument.yaml")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def refused(tmp_path, name, data, *extra):
    """Run `ingest` on ``data``; assert a clean refusal and return the message line."""
    src = tmp_path / name
    src.write_bytes(data)
    out = tmp_path / "out"
    res = CliRunner().invoke(
        cli, ["ingest", str(src), "-i", IO_INSTRUMENT, "--out", str(out), *extra]
    )
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {src}"), res.stderr
    assert not out.exists()
    assert not [
        p for p in tmp_path.iterdir() if p.name.startswith(".out")
    ]  # no staging folder left
    return lines[0]


def test_every_record_with_the_wrong_field_count(tmp_path):
    msg = refused(tmp_path, "short.csv", b"partnership,GOL1,GOL2\nA,1\nB,2\nC\n")
    assert "row 2" in msg and "no record has the header's 3 fields" in msg and "delimiter" in msg


def test_semicolon_header_comma_records(tmp_path):
    msg = refused(tmp_path, "mixed.csv", b"partnership;GOL1;GOL2;GOL3\nA,1,2,3\nB,2,3,4\n")
    assert "row " in msg  # read as commas (the majority): the header is not where it should be


@pytest.mark.parametrize(
    ("data", "line", "char"),
    [
        (b"partnership,GOL1\r,GOL2\nA,1,2\nB,2,3\n", 1, 17),  # inside the header
        (b"partnership\rGOL1,GOL2\r\nA,1,2\r\n", 1, 12),  # CRLF file
        (b"Survey 2024\nparti\rnership,GOL1\nA,1\n", 2, 6),  # in the header under a title row
    ],
)
def test_stray_carriage_return_in_the_header(tmp_path, data, line, char):
    msg = refused(tmp_path, "cr.csv", data)
    assert f"row {line}" in msg and f"character {char}" in msg and "carriage return" in msg


def test_carriage_return_inside_quotes_is_data(inst):
    res = ingest(b'partnership,GOL1,comment\nA,4,"one\rtwo"\n', inst)
    assert res.responses["comment"].iloc[0] == "one\rtwo"


@pytest.mark.parametrize("data", [b"\n\n\n", b"\r\n  \r\n\t\r\n", b"\xef\xbb\xbf\n\n", b" "])
def test_blank_lines_only(tmp_path, data):
    msg = refused(tmp_path, "blank.csv", data)
    assert "blank" in msg or "byte-order mark" in msg or "no text" in msg


@pytest.mark.parametrize("encoding", ["rot13", "base64", "zlib", "no-such-codec"])
def test_encoding_that_is_not_a_text_encoding(tmp_path, encoding):
    msg = refused(tmp_path, "x.csv", b"partnership,GOL1\nA,1\n", "--encoding", encoding)
    assert encoding in msg and ("not a text encoding" in msg or "unknown encoding" in msg)


# ----------------------------------------------------------------------------- workbooks
def workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["partnership", "GOL1", "comment"])
    ws.append(["A", 4, "ok"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def with_part(data: bytes, part: str, write) -> bytes:
    """The workbook with ``part`` replaced by what ``write(stream)`` writes (streamed)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename != part:
                z.writestr(info, src.read(info))
        with z.open(part, "w", force_zip64=True) as f:
            write(f)
    return out.getvalue()


def sheet(rows: bytes) -> bytes:
    return (
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
        + rows
        + b"</sheetData></worksheet>"
    )


def test_workbook_read_without_openpyxl_quirks(inst, tmp_path):
    rows = (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>partnership</t></is></c><c r="C1" '
        b't="inlineStr"><is><t>GOL1</t></is></c></row><row r="3"><c r="A3" '
        b't="inlineStr"><is><t>A</t></is></c><c r="C3"><v>4</v></c></row>'
    )
    path = tmp_path / "gaps.xlsx"
    path.write_bytes(
        with_part(workbook(), "xl/worksheets/sheet1.xml", lambda f: f.write(sheet(rows)))
    )
    res = ingest(path, inst)
    assert res.responses[["partnership", "GOL1", "source_row"]].values.tolist() == [["A", 4.0, 3]]


@pytest.mark.parametrize(
    "body",
    [
        sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>')[:-30],  # cut short
        b'<?xml version="1.0"?><worksheet><sheetData><row><c><v>1</c></row>',  # mismatched tag
        b"\x00\x01 not xml at all",
    ],
)
def test_workbook_with_malformed_sheet_xml(tmp_path, body):
    data = with_part(workbook(), "xl/worksheets/sheet1.xml", lambda f: f.write(body))
    msg = refused(tmp_path, "broken.xlsx", data)
    assert "xl/worksheets/sheet1.xml" in msg and "line 1" in msg and "column" in msg


def test_workbook_with_entity_definitions_is_refused(tmp_path):
    body = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        + sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>')[21:]
    )
    msg = refused(
        tmp_path,
        "entities.xlsx",
        with_part(workbook(), "xl/worksheets/sheet1.xml", lambda f: f.write(body)),
    )
    assert "xl/worksheets/sheet1.xml" in msg


def test_workbook_that_is_not_a_zip(tmp_path):
    msg = refused(tmp_path, "fake.xlsx", b"PK\x03\x04 this is no zip")
    assert "not a readable .xlsx workbook" in msg


def test_shared_string_of_a_gigabyte_is_refused_in_bounded_memory(tmp_path):
    """1 GiB of one shared string in a 1 MB file: refused after MAX_CELL_CHARS, never held."""

    def huge(f):
        f.write(
            f'<?xml version="1.0"?><sst xmlns="{MAIN}"><si><t>partnership</t></si><si><t>'.encode()
        )
        chunk = b"a" * (1 << 20)
        for _ in range(1024):
            f.write(chunk)
        f.write(b"</t></si></sst>")

    data = with_part(workbook(), "xl/sharedStrings.xml", huge)
    assert len(data) < 2 << 20
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    tracemalloc.start()
    t0 = time.perf_counter()
    with pytest.raises(DataError) as info:
        ingest(path, IO_INSTRUMENT)
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert f"longer than {MAX_CELL_CHARS:,} characters" in str(info.value)
    assert peak < 200 << 20, f"peak {peak / 2**20:.0f} MiB"  # ~10 M characters at most, not 1 GiB
    assert elapsed < 10
    refused(tmp_path, "bomb2.xlsx", data)


def test_full_size_sheet_is_refused_quickly(tmp_path):
    """1,048,576 rows (Excel's maximum): refused at MAX_ROWS rows, in seconds, not minutes."""

    def full(f):
        f.write(sheet(b"")[: -len(b"</sheetData></worksheet>")])
        f.write(
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>partnership</t></is></c>'
            b'<c r="B1" t="inlineStr"><is><t>GOL1</t></is></c></row>'
        )
        for start in range(2, 1_048_577, 8192):
            f.write(
                b"".join(
                    b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>A</t></is></c><c '
                    b'r="B%d"><v>4</v></c></row>' % (r, r, r)
                    for r in range(start, min(start + 8192, 1_048_577))
                )
            )
        f.write(b"</sheetData></worksheet>")

    data = with_part(workbook(), "xl/worksheets/sheet1.xml", full)
    t0 = time.perf_counter()
    msg = refused(tmp_path, "full.xlsx", data)
    assert time.perf_counter() - t0 < 30
    assert (
        f"more than {MAX_ROWS:,} rows" in msg
        and "save it as CSV" in msg
        and f"row {MAX_ROWS + 1}" in msg
    )


# ----------------------------------------------------------------------------- CSV cells
@pytest.mark.parametrize("python_reader", [False, True])
def test_csv_cell_beyond_the_limit(tmp_path, python_reader):
    big = b"x" * (MAX_CELL_CHARS + 1)
    data = b'partnership,GOL1,comment\nA,4,"' + big + b'"\nB,3,ok\n'
    if python_reader:
        data = b"Survey\n" + data  # a title row sends the file to the python csv reader
    msg = refused(tmp_path, "long.csv", data)
    assert f"longer than {MAX_CELL_CHARS:,} characters" in msg


def test_importing_the_package_leaves_the_csv_module_alone():
    code = (
        "import csv; before = csv.field_size_limit(); import kemitraan_assess, "
        "kemitraan_assess.io, kemitraan_assess.io.readers, kemitraan_assess.cli; print(before, "
        "csv.field_size_limit())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[0] == out[1] == "131072"


def test_reading_leaves_the_csv_module_alone(inst):
    before = csv.field_size_limit()
    ingest(
        b'Survey\npartnership,GOL1,comment\nA,4,"' + b"x" * 200_000 + b'"\n', inst
    )  # python reader
    assert csv.field_size_limit() == before


def test_workbook_shared_strings_rich_text_and_dates(inst, tmp_path):
    """What Excel writes: shared strings (rich-text runs, phonetic hints left out), a
    date-formatted number and a boolean, read as their text."""
    sst = (
        f'<?xml version="1.0"?><sst xmlns="{MAIN}"><si><t>partnership</t></si>'
        "<si><r><t>Alp</t></r><r><rPr><b/></rPr><t>ha</t></r><rPh><t>x</t></rPh></si>"
        '<si><t xml:space="preserve">GOL1</t></si><si><t>when</t></si></sst>'
    ).encode()
    rows = (
        b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>2</v></c><c r="C1" '
        b't="s"><v>3</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2"><v>4</v></c><c '
        b'r="C2" s="1"><v>45414.5</v></c></row>'
    )
    styles = (
        f'<?xml version="1.0"?><styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/>'
        '<xf numFmtId="22" applyNumberFormat="1"/></cellXfs></styleSheet>'
    ).encode()
    data = with_part(workbook(), "xl/worksheets/sheet1.xml", lambda f: f.write(sheet(rows)))
    data = with_part(data, "xl/sharedStrings.xml", lambda f: f.write(sst))
    data = with_part(data, "xl/styles.xml", lambda f: f.write(styles))
    path = tmp_path / "excel.xlsx"
    path.write_bytes(data)
    res = ingest(path, inst)
    assert res.responses[["partnership", "GOL1"]].values.tolist() == [["Alpha", 4.0]]
    assert res.log["unmapped_columns"] == ["when"]
    assert read_first_sheet(data, "excel.xlsx").rows[1][1] == ["Alpha", "4", "2024-05-02 12:00:00"]
