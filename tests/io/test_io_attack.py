"""Attacks on the survey readers as a careless or hostile user makes them, each through the
`ingest` command (exit 0/1/2, one line naming file/line/column on 2, nothing written on 2,
outputs that read back cell for cell)."""

import csv
import importlib
import io
import time
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from kemitraan_assess.cli import cli
from kemitraan_assess.io.detect import detect_delimiter, detect_line_ending
from kemitraan_assess.output.safecsv import neutralise_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXPORTS = FIXTURES / "exports"
IO_INSTRUMENT = str(FIXTURES / "io-instrument.yaml")


def strip_note(data: bytes) -> bytes:
    """An export fixture without its leading '#' lines (the note citing its source)."""
    lines = data.splitlines(keepends=True)
    k = 0
    while k < len(lines) and lines[k].startswith(b"#"):
        k += 1
    return b"".join(lines[k:])


def run_ingest(tmp_path: Path, name: str, data: bytes, *extra: str) -> tuple[int, str, Path]:
    """`ingest` through the CLI; checks what holds whatever the outcome."""
    src = tmp_path / name
    src.write_bytes(data)
    out = tmp_path / f"out-{name}"
    res = CliRunner().invoke(
        cli, ["ingest", str(src), "-i", IO_INSTRUMENT, "--out", str(out), *extra]
    )
    assert res.exit_code in (0, 1, 2), res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output
    if res.exit_code == 2:
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {src}"), res.stderr
        assert not out.exists()
    return res.exit_code, res.stderr, out


def read_back(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


# --- 1. carriage returns, pipes and delimiters inside quoted cells ------------------------

PLATFORM_FIXTURES = {  # fixture: (delimiter, encoding)
    "kobo_xml_values.csv": (";", "utf-8"),
    "kobo_labels_id.csv": (",", "utf-8"),
    "odk_central.csv": (",", "utf-8"),
    "excel_utf8_bom.csv": (",", "utf-8-sig"),
    "excel_cp1252_semicolon.csv": (";", "cp1252"),
    "qualtrics_numeric.csv": (",", "utf-8"),
    "limesurvey_codes.csv": (",", "utf-8"),
    "google_forms_id.csv": (",", "utf-8"),
    "surveymonkey.csv": (",", "utf-8"),
}
EXTRA_HEADER_ROWS = {"qualtrics_numeric.csv": 2, "surveymonkey.csv": 1}
COMMENT_HEADERS = ("comment", "komentar", "comments", "q4")
PAYLOADS = {
    "cr-formula": "baik\r=cmd|' /C calc'!A0",
    "excel-crlf": "baris satu\r\nbaris dua",
    "cr-pipes": "x\r|a\r|b\r|c;d",
    "tabs": "a\tb\r\tc\td",
}


def inject(name: str, payload: str, where: str) -> tuple[bytes, list[str]]:
    """The fixture with ``payload`` in its comment column (every data row, or the header
    cell), quoted as a careful writer quotes: only cells that need it."""
    d, enc = PLATFORM_FIXTURES[name]
    text = strip_note((EXPORTS / name).read_bytes()).decode(enc)
    nl = "\r\n" if "\r\n" in text else "\n"
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=d))
    hdr, col = next(
        (i, j)
        for i, r in enumerate(rows)
        for j, c in enumerate(r)
        if c.strip().lower() in COMMENT_HEADERS
    )
    written = []
    if where == "header":
        rows[hdr][col] += payload
    else:
        for r in rows[hdr + 1 + EXTRA_HEADER_ROWS.get(name, 0) :]:
            if len(r) > col and any(c.strip() for c in r):
                r[col] = payload
                written.append(payload)

    def q(c: str) -> str:
        return '"' + c.replace('"', '""') + '"' if any(x in c for x in (d, '"', "\r", "\n")) else c

    out = "".join(d.join(q(c) for c in r) + nl for r in rows)
    return out.encode(enc), written


@pytest.mark.parametrize("payload", list(PAYLOADS))
@pytest.mark.parametrize("name", list(PLATFORM_FIXTURES))
def test_line_breaks_and_delimiters_in_quoted_comments_are_data(tmp_path, name, payload):
    data, written = inject(name, PAYLOADS[payload], "rows")
    code, err, out = run_ingest(tmp_path, name, data)
    assert code in (0, 1), err
    log = (out / "ingest.json").read_text()
    delim = {",": "comma", ";": "semicolon"}[PLATFORM_FIXTURES[name][0]]
    assert f'"delimiter": "{delim}"' in log
    assert '"line_ending": "CR"' not in log
    kept = read_back(out / "responses.csv")
    rejected = read_back(out / "rejected.csv")
    assert "wrong_field_count" not in set(rejected["reason"])
    assert len(kept) + len(rejected) == len(written)
    # cell for cell, CR and all (a line starting with = is neutralised, as every CSV we write)
    assert set(kept["comment"]) == {neutralise_text(PAYLOADS[payload])}


@pytest.mark.parametrize(
    "name", ["kobo_labels_id.csv", "odk_central.csv", "limesurvey_codes.csv", "excel_utf8_bom.csv"]
)
def test_line_breaks_in_a_quoted_header_cell(tmp_path, name):
    data, _ = inject(name, "\r|(opsional)\r|x", "header")
    code, err, out = run_ingest(tmp_path, name, data)
    assert code in (0, 1), err
    assert '"header_line": 1' in (out / "ingest.json").read_text()


def test_detectors_skip_quoted_cells():
    text = 'a,b,c\n1,2,"x\r|y\r|z"\n3,4,"p\r\n|q\r|r"\n'
    assert detect_delimiter(text) == ","
    assert detect_line_ending(text, ",") == "LF"
    assert detect_line_ending('"h\r\n1",b\nc,d\n', ",") == "LF"
    assert detect_line_ending('a,"5"" tall\r"\r\nb,c\r\n', ",") == "CRLF"


# --- 2. workbooks: where the data is, what Excel leaves behind ------------------------------

HEADER = ["partnership", "sector", "GOL1", "GOL2", "GOL3", "KOM1", "KOM2", "KOM3", "comment"]
ROWS = [
    ["Alpha", "Pemerintah", 4, 4, 2, 4, 3, 2, "ok"],
    ["Alpha", "Swasta", 5, 5, 1, 5, 4, 1, None],
    ["Beta", "LSM", 3, 3, 3, 3, 3, 3, "x"],
] * 2


def workbook(build) -> bytes:
    wb = openpyxl.Workbook()
    build(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def table(ws) -> None:
    ws.append(HEADER)
    for r in ROWS:
        ws.append(r)


def test_hidden_first_sheet_is_skipped(tmp_path):
    def build(wb):
        wb.active.title = "Readme"
        wb.active["A1"] = "Exported by tool"
        wb.active.sheet_state = "hidden"
        table(wb.create_sheet("Data"))

    code, err, out = run_ingest(tmp_path, "hidden.xlsx", workbook(build))
    assert code == 1 and "read sheet 'Data'; skipped 'Readme' (hidden)" in err
    assert len(read_back(out / "responses.csv")) == 6


@pytest.mark.parametrize("first", ["empty", "notes"])
def test_data_on_the_second_sheet(tmp_path, first):
    def build(wb):
        wb.active.title = "Info"
        if first == "notes":
            wb.active["A1"] = "Survey 2024"
            wb.active["A2"] = "Kab. Sleman"
        table(wb.create_sheet("Responses"))

    code, err, out = run_ingest(tmp_path, "second.xlsx", workbook(build))
    assert code == 1 and "read sheet 'Responses'; skipped 'Info'" in err
    assert read_back(out / "responses.csv")["GOL1"].tolist() == ["4", "5", "3"] * 2


def test_workbook_without_a_table_is_refused(tmp_path):
    code, err, _ = run_ingest(tmp_path, "empty.xlsx", workbook(lambda wb: None))
    assert (
        code == 2
        and "no visible sheet of the workbook holds a table" in err
        and "'Sheet' (empty)" in err
    )


def test_merged_partnership_cells_are_filled_down(tmp_path):
    def build(wb):
        ws = wb.active
        ws.append(["Survey 2024"] + [None] * 8)
        ws.merge_cells("A1:I1")
        table(ws)
        ws.merge_cells("A3:A5")  # "Alpha" over three respondents: openpyxl empties A4, A5

    code, err, out = run_ingest(tmp_path, "merged.xlsx", workbook(build))
    assert (
        code == 1
        and "1 merged cell range(s) spanning rows were filled down (the first: A3:A5)" in err
    )
    res = read_back(out / "responses.csv")
    assert res["partnership"].tolist()[:3] == ["Alpha", "Alpha", "Alpha"] and len(res) == 6


def test_formulas_saved_without_values_are_named(tmp_path):
    def build(wb):
        table(wb.active)
        wb.active["C2"] = "=1+3"

    code, err, out = run_ingest(tmp_path, "formulas.xlsx", workbook(build))
    assert (
        code == 1
        and "1 cell(s) hold a formula saved without its value, read as empty (the first: C2)" in err
    )
    assert read_back(out / "responses.csv")["GOL1"].tolist()[0] == ""


def test_content_not_name_decides_the_format(tmp_path):
    text = (
        ",".join(HEADER)
        + "\n"
        + "".join(",".join("" if c is None else str(c) for c in r) + "\n" for r in ROWS)
    )
    code, err, out = run_ingest(tmp_path, "export.xlsx", text.encode())
    assert code == 1 and "named like a workbook (.xlsx) but holds text; it was read as CSV" in err
    assert len(read_back(out / "responses.csv")) == 6
    code, err, out = run_ingest(tmp_path, "workbook.csv", workbook(lambda wb: table(wb.active)))
    assert code == 1 and len(read_back(out / "responses.csv")) == 6


def test_zip_bomb_sheet_is_streamed_in_bounded_memory(tmp_path):
    data = workbook(lambda wb: table(wb.active))
    zin = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = part.replace(b"<sheetData>", b"<sheetData>" + b" " * (256 << 20))
            zout.writestr(info, part)
    assert len(buf.getvalue()) < 1 << 20  # 256 MiB of XML in well under 1 MiB
    tracemalloc.start()
    try:
        code, err, out = run_ingest(tmp_path, "bomb.xlsx", buf.getvalue())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 1 and len(read_back(out / "responses.csv")) == 6
    assert peak < 64 << 20


# --- 3. size: wide files, giant lines and cells, running out of memory ----------------------


def test_twenty_thousand_columns_are_read(tmp_path):
    extra = [f"x{i}" for i in range(20_000)]
    lines = [",".join(["partnership", "GOL1", "GOL2", *extra])]
    lines += [",".join([f"P{k % 2}", str(1 + k % 5), "3", *(["7"] * 20_000)]) for k in range(12)]
    code, err, out = run_ingest(tmp_path, "wide.csv", ("\n".join(lines) + "\n").encode())
    assert code == 1, err
    res = read_back(out / "responses.csv")
    assert res["GOL1"].tolist() == [str(1 + k % 5) for k in range(12)]
    assert res["partnership"].tolist() == [f"P{k % 2}" for k in range(12)]


@pytest.mark.parametrize("row", [1, 3])
def test_a_line_of_a_hundred_thousand_fields_is_refused_before_parsing(tmp_path, row):
    lines = ["partnership,GOL1,GOL2", "A,1,2", "B,2,3"]
    lines.insert(row - 1, "x," * 100_000)
    code, err, _ = run_ingest(tmp_path, "commas.csv", ("\n".join(lines) + "\n").encode())
    assert code == 2 and f"row {row}: this line has more than 65,536 fields" in err


def test_a_giant_cell_is_refused_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr("kemitraan_assess.io.readers.MAX_CELL_CHARS", 10_000)
    data = b'partnership,GOL1,comment\nA,1,ok\nB,2,"' + b"y" * 300_000 + b'"\n'
    code, err, _ = run_ingest(tmp_path, "cell.csv", data)
    assert code == 2 and "row 3: a cell on this line is longer than 10,000 characters" in err


def test_running_out_of_memory_is_one_line_and_names_the_file(tmp_path, monkeypatch):
    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(
        importlib.import_module("kemitraan_assess.io.ingest"), "open_export", no_memory
    )
    code, err, _ = run_ingest(tmp_path, "any.csv", b"partnership,GOL1\nA,1\n")
    assert code == 2 and "not enough memory to read this export" in err


# --- 4. what a careless user types: names, labels, headers, options, mappings --------------


def test_partnership_names_differing_by_invisible_or_look_alike_characters_are_one(tmp_path):
    names = [
        "Alpha",
        "A\u200blpha",
        "\u0410lpha",
        "Alpha\u00a0",
        "ALPHA",
        "alpha\u200d",
        "\u00c1lpha",
    ]
    data = "partnership,GOL1,GOL2\n" + "".join(f"{n},{1 + k % 5},2\n" for k, n in enumerate(names))
    code, err, out = run_ingest(tmp_path, "names.csv", data.encode())
    assert code == 1
    assert set(read_back(out / "responses.csv")["partnership"]) == {"Alpha"}
    # the variants are reported, look-alikes escaped so that a reader can see them
    assert "'A\\u200blpha', '\\u0410lpha'" in err and "'ALPHA'" in err
    assert "fewer respondents" not in err  # seven respondents in one partnership, none suppressed


def test_a_name_wholly_in_another_script_stays_apart(tmp_path):
    data = "partnership,GOL1\n" + "Альфа,1\n" * 5 + "Alfa,2\n" * 5
    code, err, out = run_ingest(tmp_path, "scripts.csv", data.encode())
    assert code in (0, 1) and set(read_back(out / "responses.csv")["partnership"]) == {
        "Альфа",
        "Alfa",
    }


def test_labels_in_either_language_with_any_case_and_accents(tmp_path):
    data = (
        "Partnership Name,SEKTOR ORGANISASI ANDA,tujuan kemitraan dipahami semua anggota,"
        "We agreed on shared objectives,Informasi dibagikan tepat waktu.\n"
        "A,pemerintah,SANGAT SETUJU,strongly  AGREE,Sangat S\u00e9tuju\n"
        "A,GOVERNMENT,setuju ,Agree.,Netral\n"
        "A,ngo,Neither Agree Nor Disagree,ragu ragu,tidak tahu\n"
    )
    code, err, out = run_ingest(tmp_path, "labels.csv", data.encode())
    assert code == 1
    res = read_back(out / "responses.csv")
    assert res[["GOL1", "GOL2", "KOM1"]].values.tolist() == [
        ["5", "5", "5"],
        ["4", "4", "3"],
        ["3", "3", ""],
    ]
    assert res["sector"].tolist() == ["government", "government", "ngo"]
    assert read_back(out / "cell_issues.csv").empty


@pytest.mark.parametrize(
    ("cell", "code_"),
    [
        ("4,0", "4"),
        ("4.0", "4"),
        (" 4 ", "4"),
        ("\uff14", "4"),
        ("\u0663", "3"),
        ("+2", "2"),
        ("4.5", ""),
        ("2024-05-01", ""),
    ],
)
def test_numbers_as_people_and_programs_write_them(tmp_path, cell, code_):
    data = f'partnership,GOL1,GOL2\nA,"{cell}",2\nA,1,2\n'.encode()
    code, err, out = run_ingest(tmp_path, "numbers.csv", data)
    assert code == 1
    assert read_back(out / "responses.csv")["GOL1"].tolist()[0] == code_
    issues = read_back(out / "cell_issues.csv")
    assert (
        (len(issues) == 1 and issues["value"][0] == cell.strip()) if code_ == "" else issues.empty
    )


def test_a_header_repeated_mid_file_is_rejected_as_such(tmp_path):
    head = "partnership,sector,GOL1,GOL2\n"
    data = head + "A,Swasta,4,4\nA,LSM,3,3\n" + head + "B,LSM,2,2\n"
    code, err, out = run_ingest(tmp_path, "appended.csv", data.encode())
    assert code == 1
    rej = read_back(out / "rejected.csv")
    assert rej[["source_row", "reason"]].values.tolist() == [["4", "repeated_header"]]
    assert "repeats the header of line 1" in rej["detail"][0]
    assert read_back(out / "responses.csv")["source_row"].tolist() == ["2", "3", "5"]


def test_exports_concatenated_with_their_byte_order_marks(tmp_path):
    part = "\ufeffpartnership,GOL1,GOL2\r\n"
    data = (part + "A,1,2\r\nA,2,3\r\n" + part + "B,3,4\r\n").encode()
    code, err, out = run_ingest(tmp_path, "concat.csv", data)
    assert code == 1
    assert read_back(out / "rejected.csv")[["source_row", "reason"]].values.tolist() == [
        ["4", "repeated_header"]
    ]
    assert read_back(out / "responses.csv")["partnership"].tolist() == ["A", "A", "B"]


def test_excel_sep_line_names_the_delimiter(tmp_path):
    data = b"sep=;\r\npartnership;GOL1;GOL2\r\nA;4;3,5\r\nB;2;1\r\n"
    code, err, out = run_ingest(tmp_path, "sep.csv", data)
    assert code == 1 and '"delimiter": "semicolon"' in (out / "ingest.json").read_text()
    res = read_back(out / "responses.csv")
    assert res[["partnership", "GOL1", "source_row"]].values.tolist() == [
        ["A", "4", "3"],
        ["B", "2", "4"],
    ]


def test_trailing_delimiters_on_every_row(tmp_path):
    data = b"partnership,GOL1,GOL2,,,\nA,4,3,,,\nB,2,1,,,\n"
    code, err, out = run_ingest(tmp_path, "trailing.csv", data)
    assert code == 1 and read_back(out / "responses.csv")["GOL2"].tolist() == ["3", "1"]


def test_group_col_naming_an_item_column_is_refused(tmp_path):
    code, err, _ = run_ingest(
        tmp_path, "g.csv", b"partnership,GOL1\nA,1\nB,2\n", "--group-col", "GOL1"
    )
    assert code == 2 and "column 'GOL1': --group-col 'GOL1' is the column of item GOL1" in err


def test_mapping_two_columns_to_one_item_is_refused(tmp_path):
    (tmp_path / "m.yaml").write_text("columns:\n  A: GOL1\n  B: GOL1\n")
    code, err, _ = run_ingest(
        tmp_path, "m.csv", b"partnership,A,B\nX,1,2\n", "--mapping", str(tmp_path / "m.yaml")
    )
    assert code == 2 and "columns 'A' and 'B' both hold item 'GOL1'" in err


def test_mapping_naming_a_column_the_export_lacks_is_reported(tmp_path):
    (tmp_path / "m.yaml").write_text("columns:\n  Tujuan jelas: GOL1\n  NoSuchColumn: GOL2\n")
    data = b"partnership,Tujuan jelas,KOM1\nX,1,2\nX,2,3\n"
    code, err, out = run_ingest(tmp_path, "m.csv", data, "--mapping", str(tmp_path / "m.yaml"))
    assert code == 1 and "names 1 column(s) this export does not have: 'NoSuchColumn'" in err
    assert read_back(out / "responses.csv")["GOL1"].tolist() == ["1", "2"]
    code, err, _ = run_ingest(
        tmp_path, "none.csv", b"partnership,A\nX,1\n", "--mapping", str(tmp_path / "m.yaml")
    )
    assert (
        code == 2
        and "no column matches any item" in err
        and "'Tujuan jelas', 'NoSuchColumn'" in err
    )


def test_kobo_repeat_group_columns_are_named_as_such(tmp_path):
    data = (
        '"partnership";"grp/GOL1";"anggota[1]/GOL3";"anggota[2]/GOL3";"_id";"_uuid";"_submission_time"\n'
        '"P";"4";"2";"5";"101";"u1";"2024-05-02T02:10:01"\n'
    )
    code, err, _ = run_ingest(tmp_path, "repeat.csv", data.encode())
    assert code == 2 and "instances of a repeat group" in err


def test_id_column_with_formulas_is_kept_and_neutralised(tmp_path):
    data = b'_id,partnership,GOL1\n=1+1,A,1\n"=HYPERLINK(""http://x"")",A,2\n@SUM(A1),A,3\n'
    code, err, out = run_ingest(tmp_path, "ids.csv", data, "--id-col", "_id")
    assert code == 1
    ids = read_back(out / "responses.csv")["respondent_id"].tolist()
    assert ids == ["'=1+1", '\'=HYPERLINK("http://x")', "'@SUM(A1)"]


def test_bom_with_utf16_text_and_nul_bytes(tmp_path):
    text = "partnership,GOL1\nAlpha,4\nBeta,2\n"
    code, err, out = run_ingest(tmp_path, "mix.csv", b"\xef\xbb\xbf" + text.encode("utf-16-le"))
    assert code == 1 and "removed" in err and "NUL" in err
    assert read_back(out / "responses.csv")["partnership"].tolist() == ["Alpha", "Beta"]
    code, err, _ = run_ingest(
        tmp_path, "bad16.csv", b"\xff\xfe" + text.encode("utf-16-le") + "Gamma,\u00e9\n".encode()
    )
    assert code == 2 and "byte-order mark" in err and "bad16.csv, row 4:" in err


def test_running_out_of_memory_while_scoring_is_one_line(tmp_path, monkeypatch):
    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("kemitraan_assess.scoring.score", no_memory)
    src = tmp_path / "s.csv"
    src.write_bytes(b"partnership,GOL1,GOL2\n" + b"A,1,2\n" * 6)
    res = CliRunner().invoke(
        cli, ["score", str(src), "-i", IO_INSTRUMENT, "--out", str(tmp_path / "out")]
    )
    assert res.exit_code == 2 and res.stderr.strip().splitlines() == [
        "Error: not enough memory for this input on this machine; split it into smaller files"
    ]
    assert not (tmp_path / "out").exists()


def test_mixed_line_endings_between_whole_records(tmp_path):
    data = b"partnership,GOL1,GOL2\r\nA,4,3\nB,2,1\rC,5,5\r\nD,1,1\n"
    code, err, out = run_ingest(tmp_path, "mixed.csv", data)
    assert code == 1, err
    res = read_back(out / "responses.csv")
    assert res[["partnership", "GOL1", "source_row"]].values.tolist() == [
        ["A", "4", "2"],
        ["B", "2", "3"],
        ["C", "5", "4"],
        ["D", "1", "5"],
    ]
    # a CR inside a record still splits it, and is still refused with its place
    code, err, _ = run_ingest(tmp_path, "split.csv", b"partnership,GOL1,GOL2\nA,4\r,3\nB,2,1\n")
    assert code == 2 and "split.csv, row 2: a stray carriage return (CR) at character 4" in err


def test_merged_ranges_down_to_the_last_row_cost_what_the_sheet_holds(tmp_path):
    data = workbook(lambda wb: table(wb.active))
    zin = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    merges = b"<mergeCells>" + b'<mergeCell ref="A2:A1048576"/>' * 100_000 + b"</mergeCells>"
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = part.replace(b"</sheetData>", b"</sheetData>" + merges)
            zout.writestr(info, part)
    start = time.perf_counter()
    code, err, out = run_ingest(tmp_path, "merges.xlsx", buf.getvalue())
    assert time.perf_counter() - start < 20
    assert code == 1 and "100000 merged cell range(s) spanning rows were filled down" in err
    assert (
        read_back(out / "responses.csv")["partnership"].tolist() == ["Alpha", "Alpha", "Beta"] * 2
    )
