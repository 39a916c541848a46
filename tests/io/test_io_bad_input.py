"""Each class of unusable input raises DataError naming file, row and/or column, and
nothing is written."""

import codecs

import pytest

from kemitraan_assess.errors import DataError
from kemitraan_assess.io import ingest

GOOD_HEADER = "partnership,GOL1,GOL2,GOL3,KOM1,KOM2,KOM3\n"


def run(tmp_path, inst, data: bytes, name="export.csv", **kw):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DataError) as info:
        ingest(path, inst, **kw)
    err = info.value
    assert err.file is not None and err.file.endswith(name)
    assert str(err).startswith(str(path))
    return err


def test_empty_file(tmp_path, inst):
    assert "empty" in str(run(tmp_path, inst, b""))


def test_bom_alone(tmp_path, inst):
    assert "byte-order mark" in str(run(tmp_path, inst, codecs.BOM_UTF8))
    assert "byte-order mark" in str(run(tmp_path, inst, codecs.BOM_UTF16_LE, name="u16.txt"))


def test_header_without_data(tmp_path, inst):
    err = run(tmp_path, inst, GOOD_HEADER.encode())
    assert "header but no data" in str(err) and err.row == 1


def test_binary_data(tmp_path, inst):
    assert "binary" in str(run(tmp_path, inst, bytes(range(256)) * 40))
    assert "PDF" in str(run(tmp_path, inst, b"%PDF-1.7\n...", name="x.csv"))


def test_html_page_saved_as_csv(tmp_path, inst):
    err = run(tmp_path, inst, b"\n<!DOCTYPE html>\n<html><head><title>Login</title></head></html>")
    assert "HTML page" in str(err)


def test_json_saved_as_csv(tmp_path, inst):
    err = run(tmp_path, inst, b'[{"partnership": "A", "GOL1": 4}]')
    assert "JSON" in str(err)


def test_unclosed_quote_names_the_line(tmp_path, inst):
    data = (GOOD_HEADER + 'A,1,2,3,4,5,1\nB,2,2,2,2,2,"tidak ditutup\nC,3,3,3,3,3,3\n').encode()
    err = run(tmp_path, inst, data)
    assert err.row == 3 and "never closed" in str(err) and "row 3" in str(err)


def test_duplicate_item_columns(tmp_path, inst):
    data = b"partnership,GOL1,Tujuan kemitraan dipahami semua anggota.\nA,1,2\n"
    err = run(tmp_path, inst, data)
    assert err.column == "Tujuan kemitraan dipahami semua anggota." and "GOL1" in str(err)


def test_missing_partnership_column(tmp_path, inst):
    err = run(tmp_path, inst, b"team,GOL1,GOL2\nA,1,2\n")
    msg = str(err)
    assert "no partnership column" in msg and "--group-col" in msg and "team, GOL1, GOL2" in msg


def test_unknown_group_col_lists_columns(tmp_path, inst):
    err = run(tmp_path, inst, b"team,GOL1\nA,1\n", group_col="kelompok")
    assert err.column == "kelompok" and "team, GOL1" in str(err)


def test_no_item_matches(tmp_path, inst):
    assert "no column matches any item" in str(run(tmp_path, inst, b"partnership,foo\nA,1\n"))


def test_mapping_to_unknown_id(tmp_path, inst):
    m = tmp_path / "m.yaml"
    m.write_text("columns: {P1: NOPE}\n", encoding="utf-8")
    src = tmp_path / "x.csv"
    src.write_bytes(b"partnership,P1\nA,1\n")
    with pytest.raises(DataError) as info:
        ingest(src, inst, mapping=m)
    err = info.value  # the error names the mapping file, where the fix is
    assert err.file == str(m) and err.column == "P1" and "NOPE" in str(err)


def test_utf16_without_bom(tmp_path, inst):
    err = run(tmp_path, inst, (GOOD_HEADER + "A,1,2,3,4,5,1\n").encode("utf-16-le"))
    assert "--encoding utf-16-le" in str(err)


def test_wrong_encoding_override(tmp_path, inst):
    data = (GOOD_HEADER + "Caf\u00e9,1,2,3,4,5,1\n").encode("cp1252")
    err = run(tmp_path, inst, data, encoding="utf-8")
    assert err.row == 2 and "--encoding" in str(err)


def test_wrong_field_count_is_rejected_not_fatal(tmp_path, inst):
    path = tmp_path / "x.csv"
    path.write_bytes((GOOD_HEADER + "A,1,2,3,4,5,1\nB,1,2\nC,1,2,3,4,5,1,\n").encode())
    res = ingest(path, inst)
    assert res.rejected[["source_row", "reason"]].values.tolist() == [[3, "wrong_field_count"]]
    assert "3 fields where the header has 7" in res.rejected["detail"].iloc[0]
    assert res.responses["source_row"].tolist() == [2, 4]  # a trailing empty field is tolerated


def test_no_partnership_column_allowed_when_not_required(tmp_path, inst):
    """A researcher's plain item file (no groups) is read with require_group=False."""
    from kemitraan_assess.io import ingest_json

    path = tmp_path / "plain.csv"
    path.write_bytes(b"id,GOL1,GOL2,GOL3\nr1,1,2,3\nr2,4,5,\n")
    res = ingest(path, inst, require_group=False)
    assert res.group_col is None and not res.has_groups
    assert "partnership" not in res.responses.columns
    assert res.responses[["respondent_id", "GOL1"]].values.tolist() == [["r1", 1.0], ["r2", 4.0]]
    assert res.log["partnership_column"] is None and res.log["partnerships"] is None
    assert '"partnership_column": null' in ingest_json(res)
    assert res.rejected.empty
    # the default still refuses such a file (score and report need groups)
    with pytest.raises(DataError, match="no partnership column"):
        ingest(path, inst)


def test_group_col_is_used_and_checked_when_groups_are_optional(tmp_path, inst):
    path = tmp_path / "teams.csv"
    path.write_bytes(b"team,GOL1\nA,1\nB,2\n")
    res = ingest(path, inst, require_group=False, group_col="team")
    assert res.group_col == "team" and res.has_groups
    assert res.responses["partnership"].tolist() == ["A", "B"]
    with pytest.raises(DataError, match="kelompok"):
        ingest(path, inst, require_group=False, group_col="kelompok")
    # a detected partnership column is used whether or not it is required
    assert ingest(b"partnership,GOL1\nA,1\n", inst, require_group=False).group_col == "partnership"
