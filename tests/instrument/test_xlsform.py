"""XLSForm export and import (kemitraan_assess.instrument.xlsform).

The reference for a valid form is pyxform (the converter behind ODK Central and
KoboToolbox, https://xlsform.org): the exported workbook must convert without errors or
warnings. The reference for the import is the bundled instrument itself (exact round
trip) and small hand-written researcher forms.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import get_xlsform
from pyxform.xls2xform import convert

from kemitraan_assess.errors import InstrumentError
from kemitraan_assess.instrument import load_instrument
from kemitraan_assess.instrument.xlsform import (
    dump_instrument_yaml,
    from_xlsform,
    language_column,
    to_xlsform,
)


@pytest.fixture(scope="module")
def form(instrument, tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsform") / "kemitraan-readiness.xlsx"
    to_xlsform(instrument, path)
    return path


def make_form(
    path: Path, survey: list[list], choices: list[list], settings: list[list] | None = None
) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in survey:
        ws.append(row)
    cs = wb.create_sheet("choices")
    for row in choices:
        cs.append(row)
    if settings:
        ss = wb.create_sheet("settings")
        for row in settings:
            ss.append(row)
    wb.save(path)
    return path


AGREE = (
    [["list_name", "name", "label"]]
    + [
        ["agree", i, t]
        for i, t in enumerate(
            ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"], 1
        )
    ]
    + [["agree", 9, "Don't know"], ["yesno", "yes", "Yes"], ["yesno", "no", "No"]]
)


def researcher_survey(grouped: bool) -> list[list]:
    rows = [
        ["type", "name", "label"],
        ["text", "partnership", "Partnership name"],
        ["select_one yesno", "funded", "Is it funded?"],
    ]
    likert = [["select_one agree", f"q{i}", f"Statement {i}"] for i in range(1, 5)]
    if grouped:
        rows += [
            ["begin_group", "trust", "Trust"],
            *likert[:2],
            ["end_group", "", ""],
            ["begin group", "voice", "Voice"],
            *likert[2:],
            ["end group", "", ""],
        ]
    else:
        rows += likert
    return rows


# ---------------------------------------------------------------------------- export
def test_pyxform_converts_without_warnings(form, instrument):
    warnings: list[str] = []
    result = convert(str(form), warnings=warnings)
    assert warnings == []
    xml = result.xform
    assert 'lang="Indonesian (id)" default="true()"' in xml and 'lang="English (en)"' in xml
    assert xml.count('appearance="likert"') == len(instrument.items)
    assert xml.count('appearance="field-list"') == len(instrument.scales)
    assert '<data id="kemitraan-readiness" version="1.0.0">' in xml
    assert "kemitraan::" not in xml  # the metadata columns stay out of the XForm


def test_xls2json_structure(form, instrument):
    survey = workbook_to_json(
        get_xlsform(str(form)), form_name="data", default_language="Indonesian (id)"
    )
    groups = [
        c for c in survey["children"] if c["type"] == "group" and c["name"] != "meta"
    ]  # meta: pyxform's
    assert [g["name"] for g in groups] == [s.id for s in instrument.scales]
    gol = groups[0]
    assert [c["name"] for c in gol["children"]] == [f"GOL{i}" for i in range(1, 7)]
    first = gol["children"][0]
    assert (
        first["type"] == "select one"
        and first["label"]["English (en)"] == instrument.items["GOL1"].text["en"]
    )
    agree = survey["choices"]["agree5"]
    assert [c["name"] for c in agree] == ["1", "2", "3", "4", "5", "8", "9"]
    assert agree[5]["label"] == {"Indonesian (id)": "Tidak tahu", "English (en)": "Don't know"}
    assert agree[6]["label"]["English (en)"] == "Not applicable"
    assert (
        survey["title"] == "Kesiapan Kemitraan Promosi Kesehatan" and survey["version"] == "1.0.0"
    )


def test_choice_fields_and_settings(form, instrument):
    wb = openpyxl.load_workbook(form)
    survey = [[c.value for c in row] for row in wb["survey"].iter_rows()]
    head = survey[0]
    assert head[:6] == [
        "type",
        "name",
        "label::Indonesian (id)",
        "label::English (en)",
        "required",
        "appearance",
    ]
    types = {r[1]: r[0] for r in survey[1:] if r[1]}
    assert types["partnership"] == "text" and types["ptype"] == "select_one ptype"
    assert types["goals"] == "select_one goals" and types["GOL1"] == "select_one agree5"
    assert survey[-1][1] == "comment"  # the comment closes the form
    settings = [[c.value for c in row] for row in wb["settings"].iter_rows()]
    assert settings == [
        ["form_title", "form_id", "version", "default_language"],
        ["Kesiapan Kemitraan Promosi Kesehatan", "kemitraan-readiness", "1.0.0", "Indonesian (id)"],
    ]


def test_language_column():
    assert language_column("id") == "Indonesian (id)"
    assert language_column("en") == "English (en)"


def test_written_atomically(form):
    assert not list(form.parent.glob(".*.tmp"))


# ---------------------------------------------------------------------------- round trip
def test_round_trip(form, instrument):
    back = from_xlsform(form)
    assert back == instrument
    assert [s.id for s in back.scales] == [s.id for s in instrument.scales]
    for (s0, i0), (s1, i1) in zip(instrument.iter_items(), back.iter_items(), strict=True):
        assert (s1.id, i1.id, i1.text, i1.short, i1.reverse, i1.response) == (
            s0.id,
            i0.id,
            i0.text,
            i0.short,
            i0.reverse,
            i0.response,
        )
    assert back.response_scales == instrument.response_scales
    assert (
        back.fields == instrument.fields
        and back.models == instrument.models
        and back.bands == instrument.bands
    )
    assert dump_instrument_yaml(back) == dump_instrument_yaml(instrument)


def test_dump_instrument_yaml_loads(instrument, tmp_path):
    text = dump_instrument_yaml(instrument)
    path = tmp_path / "copy.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_instrument(path) == instrument
    assert "Sangat tidak setuju" in text  # UTF-8 text, not escaped
    data = yaml.safe_load(text)
    assert (
        data["response_scales"]["agree5"]["labels"][1]["en"] == "Strongly disagree"
    )  # integer keys


# ---------------------------------------------------------------------------- researcher forms
def test_researcher_form_with_groups(tmp_path):
    path = make_form(
        tmp_path / "study.xlsx",
        researcher_survey(grouped=True),
        AGREE,
        [["form_title", "form_id", "version"], ["My Study", "My_Study", "2024061201"]],
    )
    instrument = from_xlsform(path)
    assert (
        instrument.id == "my-study"
        and instrument.version == "1.0.0-2024061201"
        and instrument.languages == ["en"]
    )
    assert [(s.id, [i.id for i in s.items]) for s in instrument.scales] == [
        ("trust", ["q1", "q2"]),
        ("voice", ["q3", "q4"]),
    ]
    assert instrument.scales[0].name == {"en": "Trust"}
    rs = instrument.response_scales["agree"]
    assert (rs.min, rs.max, rs.missing_codes) == (1, 5, [9])
    assert rs.labels[5] == {"en": "Strongly agree"} and rs.missing_labels == [{"en": "Don't know"}]
    fields = {f.id: f for f in instrument.fields}
    assert fields["partnership"].role == "partnership" and fields["partnership"].kind == "text"
    assert fields["funded"].kind == "choice" and [c.code for c in fields["funded"].choices] == [
        "yes",
        "no",
    ]


def test_form_without_groups_explains_the_mapping(tmp_path):
    path = make_form(tmp_path / "flat.xlsx", researcher_survey(grouped=False), AGREE)
    with pytest.raises(InstrumentError) as err:
        from_xlsform(path)
    msg = str(err.value)
    assert "4 question(s) have no scale: q1, q2, q3, q4" in msg
    assert "begin_group" in msg and "q1: SCALE" in msg and "flat.xlsx" in msg
    assert "--scale-map FILE" in msg and "scale_map=" in msg


def test_scale_map_dict_and_yaml(tmp_path):
    path = make_form(tmp_path / "flat.xlsx", researcher_survey(grouped=False), AGREE)
    a = from_xlsform(
        path, scale_map={"q1": "A", "q2": "A", "q3": "B", "q4": "B"}, instrument_id="flat"
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text("A: [q1, q2]\nB: [q3, q4]\n", encoding="utf-8")
    b = from_xlsform(path, scale_map=mapping, instrument_id="flat")
    assert a == b
    assert a.id == "flat" and a.item_scale == {"q1": "A", "q2": "A", "q3": "B", "q4": "B"}
    with pytest.raises(InstrumentError, match="not Likert questions of the form: q9"):
        from_xlsform(path, scale_map={"q1": "A", "q2": "A", "q3": "B", "q4": "B", "q9": "B"})
    with pytest.raises(InstrumentError, match="no integer answer codes"):
        from_xlsform(path, scale_map={"funded": "A", "q1": "A", "q2": "A", "q3": "B", "q4": "B"})


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([1, 2, 3, 4, 5, 8, 9], (1, 5, [8, 9])),  # codes after a gap at the top
        ([-99, 1, 2, 3, 4], (1, 4, [-99])),  # negative codes beside a 1..4 scale
        ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (0, 10, [])),  # a 0-10 scale stays whole
    ],
)
def test_missing_code_rules(tmp_path, names, expected):
    choices = [["list_name", "name", "label"]] + [["s", n, f"point {n}"] for n in names]
    survey = [
        ["type", "name", "label"],
        ["begin_group", "G", "G"],
        ["select_one s", "x1", "X1"],
        ["select_one s", "x2", "X2"],
        ["end_group", "", ""],
    ]
    rs = from_xlsform(make_form(tmp_path / "f.xlsx", survey, choices)).response_scales["s"]
    assert (rs.min, rs.max, rs.missing_codes) == expected


def test_language_columns(tmp_path):
    survey = [
        ["type", "name", "label::English", "label::Bahasa Indonesia"],
        ["begin_group", "G", "G", "G"],
        ["select_one s", "x1", "One", "Satu"],
        ["select_one s", "x2", "Two", "Dua"],
        ["end_group"],
    ]
    choices = [
        ["list_name", "name", "label::English", "label::Bahasa Indonesia"],
        ["s", 1, "No", "Tidak"],
        ["s", 2, "Yes", "Ya"],
    ]
    settings = [["default_language"], ["Bahasa Indonesia"]]
    instrument = from_xlsform(make_form(tmp_path / "f.xlsx", survey, choices, settings))
    assert instrument.languages == ["id", "en"] and instrument.items["x1"].text == {
        "id": "Satu",
        "en": "One",
    }
    survey[0][3] = "label::Klingon"
    choices[0][3] = "label::Klingon"
    with pytest.raises(InstrumentError, match="cannot tell the language of 'label::Klingon'"):
        from_xlsform(make_form(tmp_path / "g.xlsx", survey, choices))


def test_unusable_files(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(InstrumentError, match="not a readable .xlsx workbook"):
        from_xlsform(bad)
    with pytest.raises(InstrumentError, match="file not found"):
        from_xlsform(tmp_path / "absent.xlsx")
    survey = [["type", "name", "label"], ["text", "partnership", "Partnership"]]
    with pytest.raises(InstrumentError, match="no Likert question found"):
        from_xlsform(make_form(tmp_path / "t.xlsx", survey, [["list_name", "name", "label"]]))
