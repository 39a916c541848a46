"""The command line: click commands that do I/O and call the library."""

from __future__ import annotations

import click

from .. import __version__
from .instruments import instruments
from .pipeline import codebook, demo, ingest, reliability, report, score
from .serve import serve

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="kemitraan-assess")
def cli() -> None:
    """Partnership readiness assessment for health promotion (kemitraan).

    Ingest survey exports, score them with reliability statistics, and render
    per-partnership readiness reports in Bahasa Indonesia or English.

    Exit codes: 0 done; 1 done, with rows rejected or warnings; 2 unusable input or usage.
    """


for command in (demo, instruments, ingest, score, reliability, report, codebook, serve):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="kemitraan-assess")
