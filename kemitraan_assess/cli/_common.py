"""Shared pieces of the command line: error mapping, option decorators, staged output."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import KemitraanError
from ..output.atomic import check_writable_dir, output_error, remove_stale_temporaries, staging_dir

F = TypeVar("F", bound=Callable[..., Any])
_CONTROL = {c: f"\\x{c:02x}" for c in range(32)} | {
    10: "\\n",
    13: "\\r",
    9: "\\t",
    0x2028: " ",
    0x2029: " ",
}


class CliError(click.ClickException):
    """Unusable input or usage: one line on stderr, exit code 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        # one line whatever the message quotes (a header cell may hold line breaks)
        message = self.format_message().translate(_CONTROL)
        click.echo(f"Error: {message}", err=True)


def handle_errors(func: F) -> F:
    """Turn library errors into one-line messages with exit code 2 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KemitraanError as exc:
            raise CliError(str(exc)) from None
        except UnicodeDecodeError as exc:
            raise CliError(f"cannot decode input: {exc}; try --encoding") from None
        except MemoryError:  # past ingest (which names the file): scoring or reporting a huge input
            raise CliError(
                "not enough memory for this input on this machine; split it into smaller files"
            ) from None
        except OSError as exc:  # an input or output the library did not name itself
            where = exc.filename if exc.filename is not None else "a file"
            raise CliError(f"{where}: {exc.strerror or exc}") from None

    return wrapper  # type: ignore[return-value]


def _first_missing(path: Path) -> Path | None:
    """The outermost folder of ``path`` that does not exist yet (None if it exists)."""
    path = Path(os.path.abspath(path))
    missing = None
    while not path.exists():
        missing = path
        if path.parent == path:
            break
        path = path.parent
    return missing


@contextlib.contextmanager
def output_folder(out: Path) -> Iterator[Path]:
    """``out`` as an output folder: created and checked writable before any work; on an
    error, the folders this call created are removed again (nothing half-written).

    Temporaries left in ``out`` by a killed run (see :mod:`kemitraan_assess.output.atomic`)
    are removed first.
    """
    out = Path(out)
    created = _first_missing(out)
    try:
        check_writable_dir(out)
        remove_stale_temporaries(out)
        yield out
    except BaseException:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise


@contextlib.contextmanager
def staged_dir(out: Path) -> Iterator[Path]:
    """Write into a temporary sibling folder, then move the files into ``out``.

    ``out`` is checked writable first. On any error nothing is left behind: the staging
    folder is removed, and so are the folders this call created. The staging folders
    of killed runs (``kill -9``) beside ``out`` are removed on the way.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise CliError(f"{out}: exists and is not a folder")
    with output_folder(out):
        remove_stale_temporaries(Path(os.path.abspath(out)).parent)
        with staging_dir(out) as stage:
            yield stage
            try:
                for root, dirs, files in os.walk(stage):
                    rel = Path(root).relative_to(stage)
                    for d in dirs:
                        (out / rel / d).mkdir(parents=True, exist_ok=True)
                    for f in files:
                        os.replace(Path(root) / f, out / rel / f)
            except OSError as exc:
                raise output_error(out, exc) from exc


def instrument_option(func: F) -> F:
    return click.option(
        "--instrument",
        "-i",
        "instrument",
        default="kemitraan-readiness",
        show_default=True,
        metavar="ID_OR_FILE",
        help="A bundled instrument id (see `instruments list`) or an instrument YAML file.",
    )(func)


def lang_option(func: F) -> F:
    return click.option(
        "--lang",
        default=None,
        metavar="LANG",
        help=(
            "Report language: id (Bahasa Indonesia, default) or en; any language with a catalogue."
        ),
    )(func)


def workers_option(func: F) -> F:
    return click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=None,
        help="Processes for rendering reports (default: all cores).",
    )(func)


def ingest_options(func: F) -> F:
    """Options shared by every command that starts by reading a survey export."""
    decorators = [
        click.option(
            "--group-col",
            default=None,
            help="Column holding the partnership name (auto-detected when absent).",
        ),
        click.option(
            "--id-col",
            default=None,
            help="Column holding the respondent id (auto-detected when absent).",
        ),
        click.option(
            "--mapping",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            default=None,
            help="YAML/CSV file mapping export columns (and answer labels) to instrument items.",
        ),
        click.option(
            "--encoding", default=None, help="Force the file encoding (detected by default)."
        ),
        click.option(
            "--incomplete",
            type=click.Choice(["keep", "reject"]),
            default="keep",
            show_default=True,
            help="Keep or reject responses the platform marks as incomplete.",
        ),
        click.option(
            "--min-group-size",
            type=click.IntRange(min=3),
            default=None,
            help=(
                "Confidentiality minimum per partnership (default from the instrument: 5; never "
                "below 3)."
            ),
        ),
    ]
    for deco in reversed(decorators):
        func = deco(func)
    return func


def quiet_option(func: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")(func)


def echo(message: str, quiet: bool = False) -> None:
    if not quiet:
        click.echo(message)


def progress_bar(length: int, label: str, quiet: bool) -> Any:
    """A click progress bar that hides itself off a terminal or with --quiet."""
    hidden = quiet or not sys.stderr.isatty()
    return (
        click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True)
        if not hidden
        else _NullBar()
    )


class _NullBar:
    def __enter__(self) -> _NullBar:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def update(self, n: int, *args: Any) -> None:
        return None
