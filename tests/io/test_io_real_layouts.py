"""Exports laid out as the platforms really write them (each fixture cites its source in
its first lines): SurveyMonkey's two header rows, a KoboToolbox formbuilder form exported
with "XML values and headers", and numbered question titles."""

import json
import math
from pathlib import Path

import pytest

from kemitraan_assess.errors import DataError
from kemitraan_assess.io import ingest, ingest_json

EXPORTS = Path(__file__).resolve().parent.parent / "fixtures" / "exports"

GOL = [f"GOL{k}" for k in range(1, 7)]
COMM = [f"COMM{k}" for k in range(1, 7)]
nan = math.nan


def codes(res, row, items):
    return res.responses.loc[res.responses["source_row"] == row, items].iloc[0].tolist()


def same(a, b):
    return all((math.isnan(x) and math.isnan(y)) or x == y for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize(
    "name",
    [
        "surveymonkey.csv",
        "surveymonkey_matrix.csv",
        "kobo_formbuilder_xml.csv",
        "numbered_titles.csv",
    ],
)
def test_fixture_cites_its_source(name):
    head = (EXPORTS / name).read_text(encoding="utf-8").splitlines()[:3]
    assert head[0].startswith("#") and any("/" in line for line in head)


SM_GROUP = "Which partnership are you rating?"


def test_surveymonkey_row_one_is_the_header(instrument, cited):
    res = ingest(cited("surveymonkey_matrix.csv"), instrument, group_col=SM_GROUP)
    log = res.log
    assert (log["platform"], log["title_rows"], log["header_rows"], log["header_line"]) == (
        "surveymonkey",
        0,
        2,
        1,
    )
    # metadata named from row 1 (row 2 is empty there), never "column 1" ... or "Response"
    assert log["metadata_columns"][:3] == ["Respondent ID", "Collector ID", "Start Date"]
    assert log["respondent_id_column"] == "Respondent ID"
    assert log["partnership_column"] == SM_GROUP
    assert not any(c.startswith(("column ", "Response")) for c in log["unmapped_columns"])
    # a matrix's question is above its first column only: every row of both matrices matched
    q = "How much do you agree with each statement about communication in the partnership?"
    assert log["column_mapping"][f"{q} [This partnership holds meetings regularly.]"] == "COMM2"
    assert set(GOL + COMM).isdisjoint(log["unmatched_items"])
    assert "Your organisation's sector [Other (please specify)]" in log["unmapped_columns"]
    assert same(
        codes(res, 3, GOL + COMM), [4, 5, 4, 4, 4, 2, 5, 4, 4, nan, 4, 2]
    )  # Don't know -> missing
    assert res.responses["partnership"].tolist()[:5] == ["District Nutrition Alliance"] * 5
    assert res.responses["respondent_id"].iloc[0] == "118052219061"
    assert res.responses["sector"].tolist()[:2] == ["health", "ngo"]
    # "Other (please specify)" chosen as the sector is not a choice: reported, not guessed
    assert res.cell_issues[["source_row", "value", "problem"]].values.tolist() == [
        [5, "Other (please specify)", "unmapped_label"]
    ]
    assert res.rejected[["source_row", "reason"]].values.tolist() == [[9, "no_answers"]]


def test_surveymonkey_group_col_by_question_text_any_case(instrument, cited):
    res = ingest(
        cited("surveymonkey_matrix.csv"), instrument, group_col="which partnership are you rating"
    )
    assert res.log["partnership_column"] == SM_GROUP


def test_surveymonkey_without_group_col_lists_the_question_texts(instrument, cited):
    with pytest.raises(DataError) as info:
        ingest(cited("surveymonkey_matrix.csv"), instrument)
    assert "no partnership column" in str(info.value) and SM_GROUP in str(info.value)


def test_surveymonkey_small_partnership_warned(instrument, cited):
    res = ingest(cited("surveymonkey_matrix.csv"), instrument, group_col=SM_GROUP)
    assert res.log["small_partnerships"] == {"Kota Sehat Forum": 1}
    assert any("'Kota Sehat Forum' (n = 1)" in w and "minimum of 5" in w for w in res.warnings)
    assert res.exit_code == 1
    assert json.loads(ingest_json(res))["small_partnerships"] == {"Kota Sehat Forum": 1}
    # a lower minimum (never below 3) still flags it; the option is what the warning uses
    assert "minimum of 3" in " ".join(
        ingest(
            cited("surveymonkey_matrix.csv"), instrument, group_col=SM_GROUP, min_group_size=3
        ).warnings
    )
    with pytest.raises(DataError, match="below 3"):
        ingest(cited("surveymonkey_matrix.csv"), instrument, group_col=SM_GROUP, min_group_size=2)


def test_kobo_formbuilder_names_and_choice_names(instrument, cited):
    res = ingest(cited("kobo_formbuilder_xml.csv"), instrument)
    log = res.log
    assert log["platform"] == "kobotoolbox" and log["delimiter"] == "semicolon"
    # question names made from labels (cut to their first and last 20 characters) match the item
    # texts
    assert (
        log["column_mapping"]["Tujuan_kemitraan/Kemitraan_ini_memili_ertulis_dengan_jelas"]
        == "GOL1"
    )
    assert log["column_match"]["Komunikasi/Saya_sering_tidak_ta_ikerjakan_mitra_lain"] == "slug"
    assert log["partnership_column"] == "Nama_kemitraan"
    assert set(GOL + COMM).isdisjoint(log["unmatched_items"])
    # choice names (setuju, sangat_tidak_setuju, ...) are codes; tidak_tahu is missing, not an error
    assert len(res.cell_issues) == 0
    assert same(codes(res, 2, GOL + COMM), [4, 5, 4, 4, 4, 2, 5, 4, 4, nan, 4, 2])
    assert log["counts"]["missing_answers"] == 2
    # sector choice names: "lsm___organisasi_nirlaba" is the label "LSM / organisasi nirlaba"
    assert res.responses["sector"].tolist()[:3] == ["health", "ngo", "government"]
    assert res.rejected[["source_row", "reason"]].values.tolist() == [[6, "not_approved"]]


def test_numbered_titles_matched_and_reported(instrument, cited):
    res = ingest(cited("numbered_titles.csv"), instrument)
    log = res.log
    assert log["platform"] == "google_forms"
    assert set(GOL + COMM).isdisjoint(log["unmatched_items"])
    stripped = log["enumerators_stripped"]
    assert stripped["1. This partnership has clearly written goals."] == "1."
    assert (
        stripped["2) All partners agree on the goals and objectives of this partnership."] == "2)"
    )
    assert (
        stripped["Q3. The objectives of this partnership are measurable and time-bound."] == "Q3."
    )
    assert stripped["A4 - I could explain the goals of this partnership to someone else."] == "A4 -"
    assert (
        stripped["(5) The activities of this partnership are in line with the agreed goals."]
        == "(5)"
    )
    assert stripped["6 - Partners often do not know what is expected of them."] == "6 -"
    assert stripped["B6. I often do not know what the other partners are doing."] == "B6."
    assert len(stripped) == 12
    assert (
        log["column_mapping"]["A4 - I could explain the goals of this partnership to someone else."]
        == "GOL4"
    )
    assert same(
        codes(res, 2, GOL + COMM), [4, 5, 4, 4, 4, 2, 5, 4, 4, nan, 4, 2]
    )  # "4 - Agree" is 4
    assert len(res.cell_issues) == 0


def test_enumerator_only_strips_a_number_before_item_text(instrument):
    # a header that is not item text after its number stays unmatched; an item id is not an
    # enumerator
    res = ingest(b"Partnership name,1. Something else entirely,GOL1\nA,4,4\n", instrument)
    assert res.log["unmapped_columns"] == ["1. Something else entirely"]
    assert res.log["enumerators_stripped"] == {}
