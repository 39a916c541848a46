"""YAML from users is loaded within bounded work (issue 10, section 6: the alias bomb).

A brand, mapping or instrument file of a few hundred bytes used to expand to gigabytes
through anchors, aliases and merge keys. Every user YAML now goes through
:func:`kemitraan_assess.safeyaml.load_yaml`; these tests hand each command a bomb and
expect a one-line refusal naming the file, in well under a second of work.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kemitraan_assess.cli import cli
from kemitraan_assess.safeyaml import MAX_ALIASES, YAMLLimitError, load_yaml

ROOT = Path(__file__).resolve().parents[1]
EXPORT = ROOT / "tests" / "fixtures" / "exports" / "kobo_xml_values.csv"
IO_INSTRUMENT = ROOT / "tests" / "fixtures" / "io-instrument.yaml"


def merge_bomb(key: str = "organisation") -> str:
    """Nine levels of nine merge keys (PyYAML >= 6.0.2 de-duplicates merged keys, older
    versions expand this into 9**8 pairs)."""
    lines = ["a: &a {x: 1}"]
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{cur}: &{cur} {{<<: [{','.join('*' + prev for _ in range(9))}]}}")
    lines.append(f"{key}: *i")
    return "\n".join(lines) + "\n"


def list_bomb(key: str = "organisation") -> str:
    """The classic "billion laughs": 9**9 strings from ten lines."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{cur}: &{cur} [{','.join('*' + prev for _ in range(9))}]")
    lines.append(f"{key}: *i")
    return "\n".join(lines) + "\n"


BOMBS = {"merge": merge_bomb, "laughs": list_bomb}


def test_the_bombs_are_small():
    assert len(merge_bomb().encode()) < 400 and len(list_bomb().encode()) < 400


@pytest.mark.parametrize(
    "text",
    [
        merge_bomb(),
        list_bomb(),
        "a: &a [*a]\n",
        "a: &a {b: *a}\n",
        "a: " + "[" * 80 + "]" * 80 + "\n",
        "a: &a 1\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 1)) + "]\n",
    ],
    ids=["merge", "laughs", "recursive-list", "recursive-map", "deep", "many-aliases"],
)
def test_refused_quickly_with_the_file_named(text):
    t0 = time.perf_counter()
    with pytest.raises(YAMLLimitError, match=r"^brand\.yaml: refused: "):
        load_yaml(text, source="brand.yaml")
    assert time.perf_counter() - t0 < 1.0


def test_ordinary_aliases_still_load():
    text = (
        "labels: &agree {1: Tidak setuju, 5: Setuju}\nq1: *agree\nq2: *agree\n"
        "base: &b {min: 1}\nq3: {<<: *b, max: 5}\n"
    )
    assert load_yaml(text) == yaml.safe_load(text)
    bundled = (ROOT / "instruments" / "kemitraan-readiness.yaml").read_text(encoding="utf-8")
    assert load_yaml(bundled) == yaml.safe_load(bundled)
    assert load_yaml("") is None


def invoke(*args):
    t0 = time.perf_counter()
    res = CliRunner().invoke(cli, [str(a) for a in args])
    return res, time.perf_counter() - t0


def assert_refused(res, elapsed, path: Path):
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "refused" in lines[0], res.output
    assert elapsed < 5


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_brand_bomb(tmp_path, bomb):
    brand = tmp_path / "brand.yaml"
    brand.write_text(BOMBS[bomb]("organisation"), encoding="utf-8")
    res, elapsed = invoke(
        "report", EXPORT, "-i", IO_INSTRUMENT, "--brand", brand, "--out", tmp_path / "out"
    )
    assert_refused(res, elapsed, brand)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_mapping_bomb(tmp_path, bomb):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(BOMBS[bomb]("columns"), encoding="utf-8")
    res, elapsed = invoke(
        "ingest", EXPORT, "-i", IO_INSTRUMENT, "--mapping", mapping, "--out", tmp_path / "out"
    )
    assert_refused(res, elapsed, mapping)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("bomb", sorted(BOMBS))
@pytest.mark.parametrize("command", ["validate", "ingest"])
def test_instrument_bomb(tmp_path, command, bomb):
    inst = tmp_path / "instrument.yaml"
    inst.write_text(
        IO_INSTRUMENT.read_text(encoding="utf-8") + BOMBS[bomb]("x_bomb"), encoding="utf-8"
    )
    if command == "validate":
        res, elapsed = invoke("instruments", "validate", inst)
    else:
        res, elapsed = invoke("ingest", EXPORT, "-i", inst, "--out", tmp_path / "out")
    assert_refused(res, elapsed, inst)
