"""The result of ingest and its written form (``responses.csv``, ``rejected.csv``,
``ingest.json``).

Reason codes in ``rejected.csv`` (stable, part of the public interface):

===================== ==============================================================
``wrong_field_count`` the record has another number of fields than the header
``test_submission``   a preview, test or spam response (Qualtrics ``Status``)
``not_approved``      a reviewer rejected it (KoboToolbox validation status "Not
                      approved", ODK Central review state "rejected")
``blank_partnership`` no partnership name
``incomplete``        the platform marks it unfinished and ``incomplete="reject"``
``no_answers``        no item answered with a usable code
``duplicate``         another submission with the same respondent id was kept
===================== ==============================================================

Problem codes in ``cell_issues``: ``out_of_range``, ``not_integer``, ``unmapped_label``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..output import json_text
from ..output.safecsv import atomic_write_many, csv_payload

__all__ = ["IngestResult", "REJECT_REASONS", "ingest_json", "write_ingest_outputs"]

REJECT_REASONS = (
    "wrong_field_count",
    "repeated_header",
    "test_submission",
    "not_approved",
    "blank_partnership",
    "incomplete",
    "no_answers",
    "duplicate",
)
"""Reason codes of rejected records, in the order they are checked."""


@dataclass(frozen=True)
class IngestResult:
    """What ingest made of an export.

    Attributes
    ----------
    responses
        Kept records: ``respondent_id``, ``partnership`` (display name), ``source_row``
        (1-based line of the record's first line), the instrument's fields found (choice
        codes or text), then one float64 column per item in instrument order (raw answer
        codes, not reverse-keyed; NaN = missing).
    rejected
        ``source_row``, ``respondent_id``, ``reason`` (see :data:`REJECT_REASONS`),
        ``detail``.
    cell_issues
        ``source_row``, ``respondent_id``, ``column``, ``value``, ``problem``: cells of
        kept records that were set to missing and are never scored.
    log
        Everything ``ingest.json`` reports: detection, counts, column mapping, warnings.
        Among its keys: ``enumerators_stripped`` (column -> the question number cut
        from its header, ``"1."``, ``"Q3."``, ``"A4 -"``), ``items_without_answers``
        (item columns present without one usable answer), ``small_partnerships``
        (partnership -> kept respondents, for those below ``options.min_group_size``).
    group_col
        The export's column read as the partnership name, or None when the export has
        none and ingest was called with ``require_group=False`` (then ``responses`` has
        no ``partnership`` column and ``ingest.json`` has ``"partnership_column": null``).
    """

    responses: pd.DataFrame
    rejected: pd.DataFrame
    cell_issues: pd.DataFrame
    log: dict[str, Any]
    group_col: str | None = None

    @property
    def has_groups(self) -> bool:
        """True when the responses carry a ``partnership`` column."""
        return self.group_col is not None

    @property
    def exit_code(self) -> int:
        """0 when every record was kept cleanly; 1 with rejections, invalid cells or warnings."""
        if len(self.rejected) or len(self.cell_issues) or self.log.get("warnings"):
            return 1
        return 0

    @property
    def warnings(self) -> list[str]:
        return list(self.log.get("warnings", []))

    def to_frame(self) -> pd.DataFrame:
        """The tidy responses (one row per kept respondent, raw answer codes)."""
        return self.responses

    def __repr__(self) -> str:
        group = repr(self.group_col) if self.group_col is not None else "none"
        return (
            f"IngestResult({len(self.responses)} kept, {len(self.rejected)} rejected, "
            f"{len(self.cell_issues)} unusable cells, platform {self.log.get('platform', '?')}, "
            f"partnership column {group})"
        )


def ingest_json(result: IngestResult) -> str:
    """``ingest.json`` as text (UTF-8, LF, key order as built, so byte-stable)."""
    doc = dict(result.log)
    if len(result.cell_issues):
        doc["cell_issues"] = _issues_summary(result.cell_issues)
    return json_text(doc)


def _issues_summary(issues: pd.DataFrame, limit: int = 200) -> dict[str, Any]:
    """The first ``limit`` invalid cells (all of them are in the CSV written alongside)."""
    head = issues.head(limit)
    rows = [
        {
            "source_row": int(r.source_row),  # type: ignore[arg-type]  # an int64 column
            "respondent_id": str(r.respondent_id),
            "column": str(r.column),
            "value": str(r.value),
            "problem": str(r.problem),
        }
        for r in head.itertuples(index=False)
    ]
    return {"shown": len(rows), "total": len(issues), "cells": rows}


def write_ingest_outputs(
    result: IngestResult, out_dir: str | Path, *, responses: bool = True
) -> dict[str, Path]:
    """Write ``responses.csv``, ``rejected.csv``, ``cell_issues.csv`` and ``ingest.json``.

    All files are written to temporary files first and moved into place together, so an
    error leaves no partial output. CSV text cells that could run as spreadsheet
    formulas are neutralised; output is UTF-8 with LF line endings and byte-identical
    for identical input.

    Parameters
    ----------
    result
        From :func:`kemitraan_assess.io.ingest`.
    out_dir
        Target folder (created when missing).
    responses
        Also write the tidy table ``responses.csv``. ``score`` leaves it out: its own
        ``respondents.csv`` carries the kept records, and the account of every record
        (``rejected.csv``, ``cell_issues.csv``, ``ingest.json``) is written either way.

    Returns
    -------
    dict
        ``{"responses": path, "rejected": path, "cell_issues": path, "log": path}``
        (without ``"responses"`` when it was not written).
    """
    out = Path(out_dir)
    paths = {
        "responses": out / "responses.csv",
        "rejected": out / "rejected.csv",
        "cell_issues": out / "cell_issues.csv",
        "log": out / "ingest.json",
    }
    if not responses:
        del paths["responses"]
    payloads = [(paths["responses"], csv_payload(result.responses))] if responses else []
    payloads += [
        (paths["rejected"], csv_payload(result.rejected)),
        (paths["cell_issues"], csv_payload(result.cell_issues)),
        (paths["log"], ingest_json(result).encode("utf-8")),
    ]
    atomic_write_many(payloads)
    return paths
