"""Encodings, line endings, delimiters, NUL bytes, stray bytes and huge text fields."""

import io

import pytest

from kemitraan_assess.io import ingest
from kemitraan_assess.io.detect import detect_delimiter, detect_line_ending, detect_platform

ROWS = [
    ["partnership", "GOL1", "GOL2", "comment"],
    ["Kemitraan Sehat", "Setuju", "3", "catatan, dengan koma"],
    ["Kemitraan Sehat", "5", "Tidak tahu", ""],
]


def render(delim: str, le: str) -> str:
    out = []
    for r in ROWS:
        out.append(delim.join(f'"{c}"' if (delim in c or "," in c) else c for c in r))
    return le.join(out) + le


@pytest.mark.parametrize(
    "delim,name", [(",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "pipe")]
)
@pytest.mark.parametrize("le,le_name", [("\n", "LF"), ("\r\n", "CRLF"), ("\r", "CR")])
def test_delimiters_and_line_endings(inst, delim, name, le, le_name):
    res = ingest(render(delim, le).encode(), inst)
    assert (res.log["delimiter"], res.log["line_ending"]) == (name, le_name)
    assert res.responses["GOL1"].tolist() == [4.0, 5.0]
    assert res.responses["source_row"].tolist() == [2, 3]
    assert res.responses["comment"].tolist()[0] == "catatan, dengan koma"


@pytest.mark.parametrize(
    "encoding,bom,expected",
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("utf-16-le", b"\xff\xfe", "utf-16-le"),
        ("utf-16-be", b"\xfe\xff", "utf-16-be"),
        ("cp1252", b"", "cp1252"),
    ],
)
def test_encodings(inst, encoding, bom, expected):
    text = render(",", "\r\n").replace("Kemitraan Sehat", "Kemitraan \u201cSehat\u201d")
    res = ingest(bom + text.encode(encoding), inst)
    assert res.log["encoding"] == expected
    assert res.responses["partnership"].iloc[0] == "Kemitraan \u201cSehat\u201d"


def test_encoding_override(inst):
    data = render(",", "\n").replace("Sehat", "S\u00e9hat").encode("latin-1")
    res = ingest(data, inst, encoding="latin-1")
    assert res.log["encoding"] == "latin-1"
    assert not any("Windows-1252" in w for w in res.log["warnings"])
    assert res.responses["partnership"].iloc[0] == "Kemitraan S\u00e9hat"


def test_stray_cp1252_byte_warns_with_line(inst):
    data = render(",", "\n").encode() + "Kemitraan Sehat,4,4,caf\u00e9\n".encode("cp1252")
    res = ingest(data, inst)
    assert res.log["encoding"] == "cp1252"
    assert any("line 4" in w for w in res.log["warnings"])
    assert res.responses["comment"].iloc[-1] == "caf\u00e9"


def test_nul_bytes_stripped_with_warning(inst):
    data = render(",", "\n").encode().replace(b"catatan", b"cat\x00atan")
    res = ingest(data, inst)
    assert res.responses["comment"].iloc[0] == "catatan, dengan koma"
    assert any("NUL" in w and "line 2" in w for w in res.log["warnings"])


def test_huge_text_field(inst):
    big = "x" * 3_000_000
    data = f'partnership,GOL1,comment\nA,4,"{big}"\nA,5,ok\n'.encode()
    res = ingest(data, inst)  # pyarrow path
    assert len(res.responses["comment"].iloc[0]) == 3_000_000
    res2 = ingest(data.replace(b",", b";"), inst)  # python csv path with a raised field limit
    assert len(res2.responses) == 2 and res2.log["reader"] in ("pyarrow", "python-csv")
    res3 = ingest(b"title\n\n" + data, inst)  # title rows force the python reader
    assert (
        res3.log["reader"] == "python-csv" and len(res3.responses["comment"].iloc[0]) == 3_000_000
    )


def test_file_like_and_blank_lines(inst):
    data = b"partnership,GOL1\n\nA,4\n\nA,5\n"
    res = ingest(io.BytesIO(data), inst)
    assert res.responses["source_row"].tolist() == [3, 5]


def test_large_file_takes_fast_path_with_exact_lines(inst):
    body = "".join(
        f'P{i % 7},{1 + i % 5},"a\nb"\n' if i % 1000 == 0 else f"P{i % 7},{1 + i % 5},c\n"
        for i in range(60_000)
    )
    res = ingest(("partnership,GOL1,comment\n" + body).encode(), inst)
    assert res.log["reader"] == "pyarrow"
    rows = res.responses["source_row"].to_numpy()
    assert rows[0] == 2 and rows[1] == 4 and rows[-1] == 60_000 + 60 + 1


def test_detectors():
    assert detect_delimiter(["a|b|c", "1|2|3"]) == "|"
    assert detect_line_ending("x") == "none"
    assert detect_platform(["id", "submitdate", "lastpage", "startlanguage"]) == "limesurvey"
    assert detect_platform(["Respondent ID", "Collector ID"]) == "surveymonkey"
    assert detect_platform(["a", "b"], [['{"ImportId":"QID1"}', "x"]]) == "qualtrics"
