"""Pipeline commands: demo, ingest, score, reliability, report, codebook."""

from __future__ import annotations

import contextlib
import gc
import importlib
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from ..instrument import load_instrument
from ._common import (
    CliError,
    echo,
    handle_errors,
    ingest_options,
    instrument_option,
    lang_option,
    output_folder,
    progress_bar,
    quiet_option,
    staged_dir,
    workers_option,
)

SURVEY = click.argument("survey", type=click.Path(exists=True, dir_okay=False, path_type=Path))
OUT_DIR = click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Output folder (created if needed).",
)


def _ingest(
    survey: Path,
    inst: Any,
    opts: dict[str, Any],
    min_group_size: int | None = None,
    *,
    require_group: bool = True,
) -> Any:
    from ..io import ingest as run_ingest

    return run_ingest(
        survey,
        inst,
        mapping=opts.get("mapping"),
        group_col=opts.get("group_col"),
        id_col=opts.get("id_col"),
        encoding=opts.get("encoding"),
        incomplete=opts.get("incomplete", "keep"),
        min_group_size=min_group_size if min_group_size is not None else opts.get("min_group_size"),
        require_group=require_group,
    )


def _import_in_background(module: str) -> threading.Thread:
    """Import ``module`` (and so the statistics it needs) on a second thread.

    The survey is parsed by pyarrow's C++ threads without the interpreter lock, so the
    interpreter is free to load the scoring stage meanwhile; join the thread before
    using the module (an import error is raised again then, by the import itself).
    """

    def load() -> None:
        with contextlib.suppress(Exception):
            importlib.import_module(module)

    thread = threading.Thread(target=load, name=f"import {module}", daemon=True)
    thread.start()
    return thread


def _ingest_summary(result: Any) -> str:
    counts = result.log.get("counts", {})
    kept = counts.get("kept", len(result.responses))
    rejected = counts.get("rejected", len(result.rejected))
    if isinstance(rejected, dict):
        rejected = sum(rejected.values())
    return f"{kept} responses kept, {rejected} rejected, {len(result.cell_issues)} unusable cells"


@click.command()
@SURVEY
@instrument_option
@OUT_DIR
@ingest_options
@quiet_option
@handle_errors
def ingest(survey: Path, instrument: str, out: Path, quiet: bool, **opts: Any) -> None:
    """Read a survey export into a tidy table; account for every row.

    Writes OUT/responses.csv, OUT/rejected.csv and OUT/ingest.json.
    """
    from ..io import write_ingest_outputs

    inst = load_instrument(instrument)
    with output_folder(out):  # a folder that cannot be written fails before the work
        result = _ingest(survey, inst, opts)
        with staged_dir(out) as stage:
            write_ingest_outputs(result, stage)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    echo(f"{survey}: {_ingest_summary(result)} -> {out}", quiet)
    sys.exit(result.exit_code)


@click.command()
@SURVEY
@instrument_option
@OUT_DIR
@ingest_options
@quiet_option
@handle_errors
def score(
    survey: Path, instrument: str, out: Path, quiet: bool, min_group_size: int | None, **opts: Any
) -> None:
    """Score a survey export per respondent and per partnership.

    Writes OUT/respondents.csv, OUT/partnerships.csv and OUT/scores.json, plus the
    ingest account (OUT/rejected.csv, OUT/cell_issues.csv, OUT/ingest.json); the tidy
    responses.csv is written by `ingest`.
    """
    from ..io import write_ingest_outputs

    with (
        _quiet_collector(),
        output_folder(out),
    ):  # a folder that cannot be written fails before the work
        inst = load_instrument(instrument)
        scoring = _import_in_background("kemitraan_assess.scoring.output")
        ing = _ingest(survey, inst, opts, min_group_size)
        scoring.join()
        from ..scoring import score as run_score
        from ..scoring.output import write_score_outputs

        result = run_score(ing.responses, inst, min_group_size=min_group_size)
        with staged_dir(out) as stage:
            write_ingest_outputs(ing, stage, responses=False)
            write_score_outputs(result, stage)
    s = result.overview
    echo(
        f"{survey}: {_ingest_summary(ing)}; {s['n_partnerships']} partnerships "
        f"({s['n_suppressed']} suppressed) -> {out}",
        quiet,
    )
    if result.rounds is not None:
        echo(result.rounds.describe(), quiet)
    sys.exit(max(ing.exit_code, result.exit_code))


@contextlib.contextmanager
def _quiet_collector() -> Iterator[None]:
    """No cyclic garbage collection while the pipeline runs.

    Loading the modules and reading a large table allocate millions of objects that live
    until the end; the collector would walk them again and again for nothing. The
    pipeline makes no reference cycles worth collecting; the previous state comes back
    afterwards (for callers that run the command in a long-lived process).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _render(
    scores: Any,
    out: Path,
    lang: str | None,
    formats: tuple[str, ...],
    quiet: bool,
    workers: int | None,
    **kw: Any,
) -> Any:
    from ..reporting import render_reports

    n = len(scores.summary["partnerships"])
    with progress_bar(n, "Rendering reports", quiet) as bar:

        def advance(k: int = 1) -> None:
            bar.update(k)

        return render_reports(
            scores,
            out,
            lang=lang or scores.instrument.default_language,
            formats=formats,
            workers=workers,
            progress=advance,
            **kw,
        )


def _formats(value: str) -> tuple[str, ...]:
    parts = tuple(p.strip().lower() for p in value.split(",") if p.strip())
    bad = [p for p in parts if p not in ("html", "pdf")]
    if bad or not parts:
        raise CliError(f"--format takes html, pdf or html,pdf (got {value!r})")
    return parts


@click.command()
@SURVEY
@instrument_option
@OUT_DIR
@ingest_options
@lang_option
@click.option(
    "--format", "fmt", default="html,pdf", show_default=True, help="html, pdf or html,pdf."
)
@click.option(
    "--brand",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="brand.yaml: organisation name, logo, primary colour, footer.",
)
@click.option("--no-comments", is_flag=True, help="Leave open-ended comments out of the reports.")
@click.option(
    "--partnership", "only", multiple=True, help="Render only this partnership (repeatable)."
)
@click.option(
    "--template-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of templates that override the bundled ones.",
)
@click.option(
    "--scheduler",
    default=None,
    help="Render on a dask.distributed cluster: ADDRESS or 'local' (needs the dask extra).",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=300,
    show_default=True,
    metavar="SECONDS",
    help="Time one report may take; past it that report fails and the batch goes on.",
)
@click.option(
    "--memory-limit",
    type=click.IntRange(min=0),
    default=2048,
    show_default=True,
    metavar="MB",
    help="Memory one report may use in a worker process (0: no limit).",
)
@workers_option
@quiet_option
@handle_errors
def report(
    survey: Path,
    instrument: str,
    out: Path,
    lang: str | None,
    fmt: str,
    brand: Path | None,
    no_comments: bool,
    only: tuple[str, ...],
    template_dir: Path | None,
    scheduler: str | None,
    time_limit: float,
    memory_limit: int,
    workers: int | None,
    quiet: bool,
    min_group_size: int | None,
    **opts: Any,
) -> None:
    """One readiness report per partnership plus a portfolio index (OUT/index.html)."""
    from ..reporting import load_brand
    from ..scoring import score as run_score

    formats = _formats(fmt)
    inst = load_instrument(instrument)
    brand_obj = load_brand(brand) if brand else None
    with output_folder(out):  # checked writable before any work; removed on error if new
        ing = _ingest(survey, inst, opts, min_group_size)
        result = run_score(ing.responses, inst, min_group_size=min_group_size)
        batch = _render(
            result,
            out,
            lang,
            formats,
            quiet,
            workers,
            brand=brand_obj,
            include_comments=not no_comments,
            template_dir=template_dir,
            scheduler=scheduler,
            only=list(only) or None,
            time_limit=time_limit,
            memory_limit=memory_limit * 2**20,
        )
    for failure in batch.failures:
        click.echo(f"failed: {failure}", err=True)
    if result.rounds is not None:
        echo(result.rounds.describe(), quiet)
    echo(
        f"{len(batch.written)} files written, {len(batch.skipped)} unchanged -> "
        f"{out / 'index.html'}",
        quiet,
    )
    sys.exit(1 if batch.failures else max(ing.exit_code, result.exit_code))


@click.command()
@OUT_DIR
@lang_option
@click.option(
    "--seed", type=int, default=None, help="Seed of the synthetic survey (default: fixed)."
)
@click.option(
    "--format", "fmt", default="html,pdf", show_default=True, help="html, pdf or html,pdf."
)
@workers_option
@quiet_option
@handle_errors
def demo(
    out: Path, lang: str | None, seed: int | None, fmt: str, workers: int | None, quiet: bool
) -> None:
    """Draw a synthetic survey for the bundled instrument and run the whole pipeline into OUT."""
    from ..demo import DEMO_SEED, demo_csv_bytes, make_demo_survey
    from ..io import ingest as run_ingest
    from ..io import write_ingest_outputs
    from ..output.safecsv import atomic_write_bytes
    from ..scoring import score as run_score
    from ..scoring.output import write_score_outputs

    formats = _formats(fmt)
    t0 = time.perf_counter()
    inst = load_instrument("kemitraan-readiness")
    survey = make_demo_survey(inst, seed=DEMO_SEED if seed is None else seed)
    with output_folder(out):
        survey_path = out / "survey.csv"
        atomic_write_bytes(survey_path, demo_csv_bytes(survey))
        ing = run_ingest(survey_path, inst)
        write_ingest_outputs(ing, out / "ingest")
        result = run_score(ing.responses, inst)
        write_score_outputs(result, out / "scores")
        batch = _render(result, out / "reports", lang, formats, quiet, workers)
    elapsed = time.perf_counter() - t0
    echo(
        f"survey:  {survey_path} ({len(survey)} responses, {result.summary['n_partnerships']} "
        "partnerships)",
        quiet,
    )
    echo(f"ingest:  {out / 'ingest'} ({_ingest_summary(ing)})", quiet)
    echo(f"scores:  {out / 'scores'}", quiet)
    if result.rounds is not None:
        echo(f"         {result.rounds.describe()}", quiet)
    echo(
        f"reports: {out / 'reports' / 'index.html'} ({len(batch.written)} files, {elapsed:.1f} s)",
        quiet,
    )
    for failure in batch.failures:
        click.echo(f"failed: {failure}", err=True)
    sys.exit(1 if batch.failures else 0)


@click.command()
@SURVEY
@instrument_option
@ingest_options
@click.option(
    "--format", "fmt", type=click.Choice(["json", "html", "pdf"]), default="json", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: JSON on standard output).",
)
@click.option(
    "--missing",
    type=click.Choice(["pairwise", "listwise"]),
    default="pairwise",
    show_default=True,
    help="Missing-data handling, as psych's use= argument.",
)
@lang_option
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of parallel analysis and sampled split-halves.",
)
@quiet_option
@handle_errors
def reliability(
    survey: Path,
    instrument: str,
    fmt: str,
    output: Path | None,
    missing: str,
    lang: str | None,
    seed: int,
    quiet: bool,
    min_group_size: int | None,
    **opts: Any,
) -> None:
    """Psychometric validation of the instrument on this sample (json, html or pdf).

    A partnership column is optional: without one (a researcher's plain item file) every
    sample-level statistic is computed and the output says that rwg(j) and ICC were not.
    --min-group-size K leaves partnerships of fewer than K respondents out of rwg(j) and
    ICC (by default every partnership counts). Items without variance are left out of the
    analyses with a warning (exit code 1), as psych::alpha does.
    """
    from ..output import atomic_write_bytes, atomic_write_text, json_text
    from ..reporting.validation_report import render_validation
    from ..validation.result import validation_result

    inst = load_instrument(instrument)
    ing = _ingest(survey, inst, opts, require_group=False)
    res = validation_result(
        ing.responses, inst, missing=missing, seed=seed, min_group_size=min_group_size
    )
    if fmt == "json":
        text = json_text(res.to_dict())
        if output is None:
            click.echo(text, nl=False)
        else:
            atomic_write_text(output, text)
    else:
        if output is None:
            raise CliError(f"--format {fmt} needs -o FILE")
        data = render_validation(res, inst, lang=lang or inst.default_language, fmt=fmt)
        atomic_write_bytes(output, data)
    if not quiet:
        for w in res.warnings:
            click.echo(f"warning: {w.message}", err=True)
    if output is not None:
        echo(f"wrote {output}", quiet)
    sys.exit(max(ing.exit_code, 1 if res.warnings else 0))


@click.command()
@instrument_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="codebook.csv or codebook.json.",
)
@handle_errors
def codebook(instrument: str, output: Path) -> None:
    """Every item and field: texts in each language, scale, key and answer codes."""
    from ..instrument.codebook import write_codebook

    inst = load_instrument(instrument)
    write_codebook(inst, output)
    click.echo(f"wrote {output}")


for _param in reliability.params:  # the shared option means something else here
    if _param.name == "min_group_size" and isinstance(_param, click.Option):
        _param.help = (
            "Leave partnerships with fewer respondents out of rwg(j) and ICC "
            "(default: every partnership counts)."
        )
