"""`kemitraan-assess instruments …`: the catalogue and checks."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..instrument import instrument_schema, list_instruments, load_instrument
from ._common import CliError, handle_errors


@click.group()
def instruments() -> None:
    """List, show, validate and convert instruments."""


@instruments.command("list")
@handle_errors
def list_cmd() -> None:
    """List the bundled instruments."""
    for inst in list_instruments():
        title = inst.text(inst.title) if inst.title else ""
        n_items = len(inst.items)
        click.echo(
            f"{inst.id}\t{inst.version}\t{','.join(inst.languages)}\t{len(inst.scales)} scales, "
            f"{n_items} items\t{title}"
        )


@instruments.command("show")
@click.argument("instrument")
@click.option("--lang", default=None, help="Language of the texts shown.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole instrument as JSON.")
@handle_errors
def show_cmd(instrument: str, lang: str | None, as_json: bool) -> None:
    """Show an instrument's scales and items (ID or FILE)."""
    inst = load_instrument(instrument)
    if as_json:
        click.echo(json.dumps(inst.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    lang = lang or inst.default_language
    click.echo(f"{inst.id} {inst.version} ({', '.join(inst.languages)})")
    if inst.title:
        click.echo(inst.text(inst.title, lang))
    for scale in inst.scales:
        click.echo(
            f"\n[{scale.id}] {inst.text(scale.name, lang)} ({scale.kind}, {len(scale.items)} "
            f"items, score needs {inst.min_answered_count(scale)})"
        )
        for item in scale.items:
            rev = " (R)" if item.reverse else ""
            click.echo(f"  {item.id}{rev}: {inst.text(item.text, lang)}")
    if inst.fields:
        click.echo("\nRespondent fields:")
        for fld in inst.fields:
            click.echo(f"  {fld.id} [{fld.role}, {fld.kind}]: {inst.text(fld.text, lang)}")


@instruments.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@handle_errors
def validate_cmd(file: Path) -> None:
    """Check an instrument FILE; print what is wrong and where."""
    if not file.exists():
        raise CliError(f"{file}: file not found")
    inst = load_instrument(file)
    click.echo(
        f"{file}: valid ({inst.id} {inst.version}, {len(inst.scales)} scales, {len(inst.items)} "
        "items)"
    )


@instruments.command("schema")
@handle_errors
def schema_cmd() -> None:
    """Print the JSON Schema of instrument files."""
    click.echo(json.dumps(instrument_schema(), ensure_ascii=False, indent=2))


@instruments.command("xlsform")
@click.argument("instrument")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The .xlsx file to write.",
)
@handle_errors
def xlsform_cmd(instrument: str, output: Path) -> None:
    """Write an XLSForm (KoboToolbox / ODK) for an instrument."""
    from ..instrument.xlsform import to_xlsform

    inst = load_instrument(instrument)
    to_xlsform(inst, output)
    click.echo(f"wrote {output}")


@instruments.command("from-xlsform")
@click.argument("form", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The instrument .yaml file to write.",
)
@click.option(
    "--scale-map",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="YAML mapping of question names to scale ids, when the form's groups do not say.",
)
@click.option("--id", "instrument_id", default=None, help="Instrument id (default: the form_id).")
@handle_errors
def from_xlsform_cmd(
    form: Path, output: Path, scale_map: Path | None, instrument_id: str | None
) -> None:
    """Turn an XLSForm Likert questionnaire into an instrument file."""
    from ..instrument.xlsform import dump_instrument_yaml, from_xlsform
    from ..output.safecsv import atomic_write_text

    inst = from_xlsform(form, scale_map=scale_map, instrument_id=instrument_id)
    atomic_write_text(output, dump_instrument_yaml(inst))
    click.echo(f"wrote {output} ({len(inst.scales)} scales, {len(inst.items)} items)")
