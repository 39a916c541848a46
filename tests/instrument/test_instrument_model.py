"""The instrument model: loading, validation messages that name the place, the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from kemitraan_assess.errors import InstrumentError
from kemitraan_assess.instrument import instrument_schema, load_instrument, parse_instrument

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini-instrument.yaml"


def mini() -> dict:
    return yaml.safe_load(MINI.read_text(encoding="utf-8"))


def test_minimal_form_from_design_loads():
    inst = load_instrument(MINI)
    assert inst.id == "mini-instrument"
    assert list(inst.items) == ["Q1", "Q2", "Q3"]
    assert inst.items["Q2"].reverse is True
    assert inst.response_scale("Q1").n_options == 6
    # defaults documented in DESIGN.md
    assert inst.defaults.min_group_size == 5
    assert [b.id for b in inst.bands] == ["strength", "attention", "concern"]
    assert inst.band_for(4.0).id == "strength"
    assert inst.band_for(3.99).id == "attention"
    assert inst.band_for(2.2).id == "concern"


@pytest.mark.parametrize(
    ("n_items", "rule", "expected"),
    [
        (6, 2 / 3, 4),
        (5, 2 / 3, 4),
        (4, 2 / 3, 3),
        (3, 2 / 3, 2),
        (3, 0.667, 3),
        (6, 3, 3),
        (6, 0.5, 3),
    ],
)
def test_min_answered_rule(n_items, rule, expected):
    data = mini()
    data["scales"][0]["items"] = [
        {"id": f"Q{i}", "text": {"en": f"item {i}"}, "response": "agree6"}
        for i in range(1, n_items + 1)
    ]
    data["scales"][0]["min_answered"] = rule
    inst = parse_instrument(data)
    assert inst.min_answered_count(inst.scales[0]) == expected


def test_error_names_the_place_of_a_bad_value():
    data = mini()
    data["scales"][0]["items"][1]["reverse"] = "sometimes"
    with pytest.raises(InstrumentError) as err:
        parse_instrument(data, source="x.yaml")
    assert "x.yaml: scales[0].items[1].reverse:" in str(err.value)


def test_error_for_unknown_key_and_unknown_response_scale():
    data = mini()
    data["scales"][0]["items"][0]["reversed"] = True
    with pytest.raises(InstrumentError, match=r"scales\[0\]\.items\[0\]\.reversed: unknown key"):
        parse_instrument(data)
    data = mini()
    data["scales"][0]["items"][2]["response"] = "agree5"
    with pytest.raises(
        InstrumentError, match=r"scales\[0\]\.items\[2\]\.response: unknown response scale 'agree5'"
    ):
        parse_instrument(data)


def test_error_for_duplicate_ids_and_missing_language():
    data = mini()
    data["scales"][0]["items"][2]["id"] = "q1"
    with pytest.raises(
        InstrumentError, match=r"scales\[0\]\.items\[2\]\.id: id 'q1' is already used"
    ):
        parse_instrument(data)
    data = mini()
    data["languages"] = ["en", "id"]
    with pytest.raises(InstrumentError, match=r"text missing in language 'id'"):
        parse_instrument(data)


def test_yaml_syntax_error_names_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nscales: [\n  - {id: S1\n", encoding="utf-8")
    with pytest.raises(InstrumentError, match=r"bad.yaml: line \d+, column \d+: invalid YAML"):
        load_instrument(bad)


def test_unknown_bundled_id_lists_the_bundled_ones():
    with pytest.raises(InstrumentError, match="no bundled instrument 'nope'.*kemitraan-readiness"):
        load_instrument("nope")


def test_published_schema_is_in_sync():
    published = json.loads((ROOT / "instruments" / "schema.json").read_text(encoding="utf-8"))
    assert published == instrument_schema(), (
        "regenerate with: kemitraan-assess instruments schema > instruments/schema.json"
    )
