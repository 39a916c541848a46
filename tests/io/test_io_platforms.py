"""One test per platform fixture: detection, column mapping, codes, metadata, rejections.

The fixtures in tests/fixtures/exports reproduce each platform's documented export
(header names and metadata columns as the platform writes them); the expected codes
below are read off the fixture rows by hand against tests/fixtures/io-instrument.yaml.
"""

import math

import pytest

from kemitraan_assess.io import ingest

ITEMS = ["GOL1", "GOL2", "GOL3", "KOM1", "KOM2", "KOM3"]
nan = math.nan


def codes(res, row):
    return res.responses.loc[res.responses["source_row"] == row, ITEMS].iloc[0].tolist()


def same(a, b):
    return all((math.isnan(x) and math.isnan(y)) or x == y for x, y in zip(a, b, strict=True))


def reasons(res):
    return dict(zip(res.rejected["source_row"], res.rejected["reason"], strict=True))


def test_kobotoolbox_xml_values_with_groups(inst, export):
    res = ingest(export("kobo_xml_values.csv"), inst)
    log = res.log
    assert (log["platform"], log["delimiter"], log["header_rows"]) == (
        "kobotoolbox",
        "semicolon",
        1,
    )
    assert log["column_mapping"]["grp_tujuan/GOL1"] == "GOL1"
    assert log["column_match"]["grp_komunikasi/KOM3"] == "group"
    assert "_uuid" in log["metadata_columns"] and "__version__" in log["metadata_columns"]
    assert log["unmapped_columns"] == [] and log["unmatched_items"] == []
    assert log["respondent_id_column"] == "_uuid"
    # line 4: validation status not approved; lines 5 and 6 share a _uuid: the later is kept
    assert reasons(res) == {4: "not_approved", 5: "duplicate"}
    assert res.responses["source_row"].tolist() == [2, 3, 6]
    assert same(codes(res, 6), [4, 5, 2, 4, 5, 2])
    # "posyandu  melati" is grouped under the first spelling and reported
    assert res.responses["partnership"].tolist()[:2] == ["Posyandu Melati"] * 2
    assert log["partnership_variants"] == {
        "Posyandu Melati": ["Posyandu Melati", "posyandu  melati"]
    }
    assert res.responses["sector"].tolist() == ["government", "ngo", "government"]
    assert any("On hold" in w for w in log["warnings"])
    assert res.exit_code == 1


def test_kobotoolbox_labels_export_in_indonesian(inst, export):
    res = ingest(export("kobo_labels_id.csv"), inst)
    assert res.log["column_match"]["Tujuan kemitraan dipahami semua anggota."] == "text"
    # Ragu-ragu is a label variant of 3; Tidak tahu is missing, not an error
    assert same(codes(res, 2), [4, 5, 2, 3, 4, nan])
    assert res.responses["sector"].tolist() == ["government", "ngo"]
    assert reasons(res) == {4: "no_answers"}
    assert res.log["counts"]["missing_answers"] == 1
    assert len(res.cell_issues) == 0


def test_odk_central_dash_groups_and_review_state(inst, export):
    res = ingest(export("odk_central.csv"), inst)
    log = res.log
    assert log["platform"] == "odk_central"
    assert log["column_mapping"]["GOL-GOL2"] == "GOL2"
    assert log["respondent_id_column"] == "KEY"
    assert {"SubmissionDate", "meta-instanceID", "ReviewState", "FormVersion"} <= set(
        log["metadata_columns"]
    )
    assert reasons(res) == {4: "not_approved"}
    assert same(codes(res, 3), [5, nan, 1, 4, 4, 1])
    issue = res.cell_issues.iloc[0]
    assert (issue.source_row, issue.column, issue.value, issue.problem) == (
        5,
        "KOM-KOM1",
        "6",
        "out_of_range",
    )


def test_google_forms_grid_and_linear_scale(inst, export):
    res = ingest(export("google_forms_id.csv"), inst)
    log = res.log
    assert log["platform"] == "google_forms"
    assert "Stempel waktu" in log["metadata_columns"]
    assert (
        log["column_match"]["Nilailah pernyataan berikut [Kami menyepakati sasaran bersama.]"]
        == "grid"
    )
    assert same(codes(res, 2), [4, 5, 2, 4, 4, 2])  # last column is a linear scale (numbers)
    assert same(codes(res, 3), [5, 4, 1, nan, 4, 1])  # Tidak tahu -> missing
    assert res.responses["partnership"].tolist() == ["Jejaring TB Kota"] * 3
    assert res.cell_issues[["source_row", "value", "problem"]].values.tolist() == [
        [4, "Agak setuju", "unmapped_label"]
    ]


def test_surveymonkey_two_header_rows(inst, cited):
    res = ingest(cited("surveymonkey.csv"), inst)
    log = res.log
    assert (log["platform"], log["header_rows"], log["line_ending"]) == ("surveymonkey", 2, "CRLF")
    assert log["respondent_id_column"] == "Respondent ID"
    assert (
        log["column_mapping"][
            "How much do you agree with each statement? [Information is shared on time.]"
        ]
        == "KOM1"
    )
    # data start on line 3; "Neither agree nor disagree" is a variant of 3; curly apostrophe matched
    assert same(codes(res, 3), [4, 5, 2, 3, 4, nan])
    assert res.responses["respondent_id"].tolist() == ["114346729012", "114346729013"]
    assert res.responses["sector"].tolist() == ["government", "ngo"]
    assert reasons(res) == {5: "blank_partnership"}


@pytest.mark.parametrize("incomplete", ["keep", "reject"])
def test_qualtrics_numeric_three_header_rows(inst, export, incomplete):
    res = ingest(export("qualtrics_numeric.csv"), inst, incomplete=incomplete)
    log = res.log
    assert (log["platform"], log["header_rows"]) == ("qualtrics", 3)
    assert log["column_mapping"]["Q3_4"] == "KOM1" and log["column_mapping"]["Q1"] == "partnership"
    assert log["respondent_id_column"] == "ResponseId"
    expected = {5: "test_submission", 6: "test_submission"}
    if incomplete == "reject":
        expected[7] = "incomplete"
    assert reasons(res) == expected
    assert "Survey Preview" in res.rejected["detail"].iloc[0]
    assert same(codes(res, 4), [4, 4, 2, 5, 4, 1])
    assert res.cell_issues[["source_row", "column", "problem"]].values.tolist() == [
        [8, "Q3_6", "out_of_range"]
    ]


def test_qualtrics_choice_text(inst, export):
    res = ingest(export("qualtrics_choice_text.csv"), inst, incomplete="reject")
    assert reasons(res) == {5: "test_submission", 6: "incomplete"}
    assert same(codes(res, 4), [4, 5, 2, 3, 4, 1])


def test_limesurvey_codes_and_incomplete(inst, export):
    keep = ingest(export("limesurvey_codes.csv"), inst)
    assert keep.log["platform"] == "limesurvey"
    assert keep.log["column_match"]["GOL[GOL1]"] == "grid"
    assert keep.log["respondent_id_column"] == "id"
    assert same(codes(keep, 2), [4, 5, 2, 4, 3, 1])  # answer codes A1..A5
    assert keep.cell_issues[["source_row", "value", "problem"]].values.tolist() == [
        [4, "A6", "out_of_range"]
    ]
    assert 3 in keep.responses["source_row"].tolist()  # partial answers kept by default
    rej = ingest(export("limesurvey_codes.csv"), inst, incomplete="reject")
    assert reasons(rej) == {3: "incomplete"}


def test_limesurvey_full_texts(inst, export):
    res = ingest(export("limesurvey_full_text.csv"), inst)
    assert res.log["platform"] == "limesurvey"
    assert same(codes(res, 2), [4, 5, 2, 4, 3, 1])
    assert res.log["unmatched_items"] == []


def test_excel_cp1252_semicolon_title_rows_decimal_comma(inst, export):
    res = ingest(export("excel_cp1252_semicolon.csv"), inst)
    log = res.log
    assert (log["encoding"], log["delimiter"], log["line_ending"]) == (
        "cp1252",
        "semicolon",
        "CRLF",
    )
    assert (log["title_rows"], log["header_line"]) == (2, 3)
    assert res.responses["partnership"].iloc[0] == "Kemitraan \u201cSehat Bersama\u201d"
    assert same(codes(res, 4), [4, 3, 2, 4, 4, 2])  # "3,0" is 3
    assert res.cell_issues[["source_row", "value", "problem"]].values.tolist() == [
        [5, "2,5", "not_integer"]
    ]
    assert res.responses["source_row"].tolist() == [4, 5, 7]
    assert any("Windows-1252" in w and "line 1" in w for w in log["warnings"])
    assert log["counts"]["empty_lines_skipped"] == 1


def test_excel_utf8_bom_multiline_cell(inst, export):
    res = ingest(export("excel_utf8_bom.csv"), inst)
    assert res.log["encoding"] == "utf-8-sig"
    assert res.responses["source_row"].tolist() == [2, 4]  # record 1 spans lines 2-3
    assert res.responses["comment"].iloc[0] == "baris\nkedua"
    # nothing wrong with the file; 2 respondents are below the confidentiality minimum
    assert res.log["small_partnerships"] == {"Jejaring Lansia": 2}
    assert len(res.warnings) == 1 and len(res.rejected) == len(res.cell_issues) == 0


def test_excel_unicode_text_utf16_tabs(inst, export):
    res = ingest(export("excel_unicode_text.txt"), inst)
    log = res.log
    assert (log["encoding"], log["delimiter"]) == ("utf-16-le", "tab")
    assert same(codes(res, 3), [5, 4, 1, 3, 4, nan])
    assert res.responses["sector"].tolist() == ["government", "ngo"]


def test_xlsx_read_directly(inst, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Jawaban"
    ws.append(["Survei kemitraan 2024"])
    ws.append(["Nama kemitraan", "GOL1", "GOL2", "GOL3", "KOM1", "KOM2", "KOM3", "respondent"])
    ws.append(["Kemitraan A", 4, 5.0, "Setuju", 3, 2, 1, "000123"])
    ws.append(["Kemitraan A", 2, 2, 2, 2.5, 2, 2, "000124"])
    wb.create_sheet("Catatan")
    path = tmp_path / "survey.xlsx"
    wb.save(path)
    res = ingest(path, inst, id_col="respondent")
    log = res.log
    assert (log["platform"], log["encoding"], log["sheet"], log["header_line"]) == (
        "spreadsheet",
        "xlsx",
        "Jawaban",
        2,
    )
    assert res.responses["respondent_id"].tolist() == ["000123", "000124"]
    assert same(codes(res, 3), [4, 5, 4, 3, 2, 1])
    assert res.cell_issues[["source_row", "value", "problem"]].values.tolist() == [
        [4, "2.5", "not_integer"]
    ]
    assert any("Catatan" in w for w in log["warnings"])


def test_mapping_file_for_unknown_headers(inst, tmp_path):
    src = tmp_path / "x.csv"
    src.write_text("Kemitraan,P1,P2,P3,P4,P5,P6\nA,Setuju banget,2,3,4,5,1\n", encoding="utf-8")
    m = tmp_path / "map.yaml"
    m.write_text(
        "columns: {P1: GOL1, P2: GOL2, P3: GOL3, P4: KOM1, P5: KOM2, P6: KOM3}\nlabels: {Setuju "
        "banget: 5}\n",
        encoding="utf-8",
    )
    res = ingest(src, inst, mapping=m)
    assert same(codes(res, 2), [5, 2, 3, 4, 5, 1])
    assert res.log["column_match"]["P1"] == "mapping"
    m2 = tmp_path / "map.csv"
    m2.write_text("column,target\nP1,GOL1\nP2,GOL2\n", encoding="utf-8")
    res2 = ingest(src, inst, mapping=m2)
    assert res2.log["unmatched_items"] == ["GOL3", "KOM1", "KOM2", "KOM3"]


def test_group_col_option_and_dedupe_first(inst, tmp_path):
    src = tmp_path / "x.csv"
    src.write_text("Tim,respondent_id,GOL1\nA,x1,4\nA,x1,5\nB,x2,3\n", encoding="utf-8")
    last = ingest(src, inst, group_col="Tim", id_col="respondent_id")
    assert last.responses["GOL1"].tolist() == [5.0, 3.0]
    first = ingest(src, inst, group_col="Tim", id_col="respondent_id", dedupe="first")
    assert first.responses["GOL1"].tolist() == [4.0, 3.0]
    assert first.rejected[["source_row", "reason"]].values.tolist() == [[3, "duplicate"]]
    none = ingest(src, inst, group_col="Tim", id_col="respondent_id", dedupe="none")
    assert len(none.responses) == 3
