"""The command line, sqlite-utils style: exit codes, one-line messages, help everywhere."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kemitraan_assess.cli import cli

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini-instrument.yaml"


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in sorted(group.commands.items()):
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, (*prefix, name))


@pytest.mark.parametrize(
    ("path", "cmd"),
    list(all_commands(cli)),
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else "",
)
def test_every_command_has_help_and_is_in_the_readme(path, cmd):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert cmd.help, f"{' '.join(path)} has no help text"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    if not isinstance(cmd, click.Group):
        assert f"kemitraan-assess {' '.join(path)}" in readme, (
            f"README does not document {' '.join(path)}"
        )


def test_version_and_short_help():
    runner = CliRunner()
    assert re.search(r"\d+\.\d+\.\d+", runner.invoke(cli, ["--version"]).output)
    assert runner.invoke(cli, ["-h"]).exit_code == 0


def test_instruments_list_show_validate():
    runner = CliRunner()
    res = runner.invoke(cli, ["instruments", "list"])
    assert res.exit_code == 0 and "kemitraan-readiness" in res.output
    res = runner.invoke(cli, ["instruments", "show", "kemitraan-readiness", "--lang", "en"])
    assert res.exit_code == 0 and "[GOL]" in res.output
    res = runner.invoke(cli, ["instruments", "validate", str(MINI)])
    assert res.exit_code == 0 and "valid" in res.output


def test_validate_reports_place_and_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        MINI.read_text(encoding="utf-8").replace("reverse: true", "reverse: maybe"),
        encoding="utf-8",
    )
    res = CliRunner().invoke(cli, ["instruments", "validate", str(bad)])
    assert res.exit_code == 2
    assert "scales[0].items[1].reverse" in res.output
    assert "Traceback" not in res.output


def test_schema_command_prints_the_published_schema():
    res = CliRunner().invoke(cli, ["instruments", "schema"])
    assert res.exit_code == 0
    assert json.loads(res.output) == json.loads(
        (ROOT / "instruments" / "schema.json").read_text(encoding="utf-8")
    )


def test_codebook_csv_and_json(tmp_path):
    runner = CliRunner()
    res = runner.invoke(cli, ["codebook", "-o", str(tmp_path / "cb.json")])
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "cb.json").read_text(encoding="utf-8"))
    gol = [v for v in doc["variables"] if v["scale"] == "GOL"]
    assert len(gol) >= 5 and any(v["reverse"] for v in gol)
    assert all(v["text_id"] and v["text_en"] for v in gol)
    res = runner.invoke(cli, ["codebook", "-o", str(tmp_path / "cb.csv")])
    assert res.exit_code == 0
    assert (tmp_path / "cb.csv").read_text(encoding="utf-8").startswith("variable,")
    res = runner.invoke(cli, ["codebook", "-o", str(tmp_path / "cb.txt")])
    assert res.exit_code == 2 and ".csv or .json" in res.output


def test_ingest_bad_input_exit_2_nothing_written(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["ingest", str(empty), "--out", str(out)])
    assert res.exit_code == 2
    assert "empty.csv" in res.output
    assert not out.exists()
    assert not list(tmp_path.glob(".out.*"))


def test_missing_input_file_is_a_usage_error(tmp_path):
    res = CliRunner().invoke(
        cli, ["score", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 2
    assert "does not exist" in res.output
