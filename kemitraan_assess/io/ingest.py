"""Ingest a survey export: one call from a file to a tidy response table and a log."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any, Literal

import pandas as pd

from ..errors import DataError
from ..instrument.loader import load_instrument
from ..instrument.model import Instrument
from . import _steps as steps
from ._header import HeaderMap, locate_and_map
from .log import REJECT_REASONS, IngestResult
from .mapping import MappingSpec, load_mapping
from .readers import Body, Export, open_export, read_body

__all__ = ["ingest"]


def ingest(
    source: str | os.PathLike[str] | IO[Any] | bytes,
    instrument: Instrument | str | os.PathLike[str],
    *,
    mapping: str | os.PathLike[str] | dict[str, Any] | MappingSpec | None = None,
    group_col: str | None = None,
    id_col: str | None = None,
    encoding: str | None = None,
    incomplete: Literal["keep", "reject"] = "keep",
    dedupe: Literal["last", "first", "none"] = "last",
    platform: str | None = None,
    require_group: bool = True,
    min_group_size: int | None = None,
) -> IngestResult:
    """Read a survey export, map it to the instrument and account for every record.

    Parameters
    ----------
    source
        Path to a ``.csv``/``.tsv``/``.txt``/``.xlsx`` export, its bytes, or a file object.
    instrument
        An :class:`~kemitraan_assess.instrument.Instrument`, a bundled id or a file path.
    mapping
        ``--mapping``: a YAML/CSV file or dict (column → item/field id; label → code).
    group_col, id_col
        The partnership and respondent-id columns, when detection is not enough.
    encoding
        Overrides encoding detection (e.g. ``"cp1252"``, ``"utf-16"``).
    incomplete
        ``"keep"`` keeps partial responses with at least one answer; ``"reject"`` also
        rejects responses the platform marks unfinished (Qualtrics ``Finished`` = 0,
        LimeSurvey empty ``submitdate``).
    dedupe
        For records sharing a respondent id: keep the ``"last"`` (by submission time,
        then file order) or ``"first"``, rejecting the others; ``"none"`` keeps all.
    platform
        Skip platform detection (``"kobotoolbox"``, ``"qualtrics"``, ...).
    require_group
        When true (``score``, ``report``), an export without a partnership column is an
        error. When false (``reliability`` on a researcher's plain item file), such an
        export is read without groups: ``responses`` has no ``partnership`` column,
        :attr:`IngestResult.group_col` is None and ``ingest.json`` says
        ``"partnership_column": null``. A ``group_col`` that is named must exist either way.
    min_group_size
        The confidentiality minimum (default: the instrument's, 5; never below 3). Ingest
        warns about every partnership with fewer kept respondents, since ``score`` and
        ``report`` will suppress it.

    Returns
    -------
    IngestResult
        ``responses``, ``rejected``, ``cell_issues`` and ``log``.

    Raises
    ------
    DataError
        for unusable input (empty, binary, HTML/JSON, unclosed quote, header without
        data, duplicate item columns, no partnership column when ``require_group``, a
        ``group_col`` that is an item column, a line of more than 65,536 fields or with a
        cell beyond the cell limit, a workbook without a table on a visible sheet, not
        enough memory), naming file, row, column.

    Notes
    -----
    Warnings (``log["warnings"]``, exit code 1) name item columns without a single
    usable answer (their scales are scored from the remaining items) and partnerships
    below the confidentiality minimum.

    Every record ends in ``responses`` or in ``rejected`` with a reason code (see
    :mod:`kemitraan_assess.io.log`; a record repeating the header, as when exports are
    appended to one another, is ``repeated_header``). Quoted cells are opaque to the
    detection of delimiter, line ending and header: they may hold line breaks, CRs and
    delimiters. Partnership names that differ only in case, spaces, invisible
    characters, accents or look-alike Cyrillic/Greek letters are one partnership, and
    the spellings grouped are listed in the warnings. Answer labels map to codes in any
    language of the instrument, including its ``label_variants``; ``missing_labels`` and
    ``missing_codes`` become NaN and are counted, not reported as errors. Numbers
    outside the scale, non-integers and unknown labels become NaN and are listed in
    ``cell_issues``.

    Examples
    --------
    >>> csv = b"partnership,Q1,Q2,Q3\\nAlpha,1,6,Don't know\\nalpha ,7,2,3\\n"
    >>> res = ingest(csv, "tests/fixtures/mini-instrument.yaml")
    >>> res.responses[["partnership", "Q1", "Q2", "Q3"]].to_dict("list")
    {'partnership': ['Alpha', 'Alpha'], 'Q1': [1.0, nan], 'Q2': [6.0, 2.0], 'Q3': [nan, 3.0]}
    >>> res.cell_issues[["source_row", "column", "value", "problem"]].values.tolist()
    [[3, 'Q1', '7', 'out_of_range']]
    """
    if incomplete not in ("keep", "reject"):
        raise DataError(f"incomplete must be 'keep' or 'reject', not {incomplete!r}")
    if dedupe not in ("last", "first", "none"):
        raise DataError(f"dedupe must be 'last', 'first' or 'none', not {dedupe!r}")
    inst = (
        load_instrument(os.fspath(instrument))
        if not isinstance(instrument, Instrument)
        else instrument
    )
    k_min = inst.defaults.min_group_size if min_group_size is None else int(min_group_size)
    if k_min < 3:
        raise DataError(f"the confidentiality minimum cannot be below 3 (got {k_min})")
    spec = load_mapping(os.fspath(mapping) if isinstance(mapping, os.PathLike) else mapping)
    try:
        return _ingest(
            source,
            inst,
            spec,
            group_col=group_col,
            id_col=id_col,
            encoding=encoding,
            incomplete=incomplete,
            dedupe=dedupe,
            platform=platform,
            require_group=require_group,
            k_min=k_min,
        )
    except MemoryError:
        name = os.fspath(source) if isinstance(source, (str, os.PathLike)) else "<input>"
        raise DataError(
            "not enough memory to read this export on this machine; split it into smaller files, "
            "or save it as a plain UTF-8 CSV (read by the fastest, leanest reader)",
            file=str(name),
        ) from None


def _ingest(
    source: str | os.PathLike[str] | IO[Any] | bytes,
    inst: Instrument,
    spec: MappingSpec,
    *,
    group_col: str | None,
    id_col: str | None,
    encoding: str | None,
    incomplete: str,
    dedupe: str,
    platform: str | None,
    require_group: bool,
    k_min: int,
) -> IngestResult:
    export = open_export(source, encoding=encoding)
    hm = locate_and_map(
        export,
        inst,
        spec,
        group_col=group_col,
        id_col=id_col,
        platform=platform,
        require_group=require_group,
    )
    header = export.preview[hm.title_rows][1]
    width = len(header)
    item_cols = {j for j, t in enumerate(hm.targets) if t is not None and t.kind == "item"}
    string_cols = set(range(width)) - item_cols
    body = read_body(export, hm.data_start, width, string_columns=string_cols)
    n = len(body.source_row)
    if n == 0 and not body.bad_rows:
        raise DataError(
            "the file has a header but no data rows",
            file=export.name,
            row=hm.header_line,
            code="data.no_rows",
        )
    if n == 0:
        first, why = body.bad_rows[0]
        raise DataError(
            f"no record has the header's {width} fields ({len(body.bad_rows)} record(s), the "
            f"first: {why}); check the delimiter and the header line",
            file=export.name,
            row=first,
        )

    verdicts = steps.Verdicts(n)
    ident = steps.identify(hm, body)
    warnings = list(export.warnings) + hm.warnings
    warnings += steps.platform_rules(hm, header, body, verdicts, ident, incomplete=incomplete)
    items = steps.code_items(inst, hm, body, spec, verdicts)
    steps.mark_duplicates(hm, header, body, ident, verdicts, dedupe=dedupe)
    fields = steps.code_fields(inst, hm, body)
    keep = verdicts.keep
    cell_issues = steps.cell_issue_table(hm, body, ident, items, fields, keep)
    missing_answers = int(items.missing_answers[keep].sum())
    time_col = steps.submission_time_column(hm, header, body)
    responses = steps.response_table(inst, body, ident, items, fields, keep, time_col)
    rejected = steps.rejected_table(body, ident, verdicts)
    log = _log(
        export,
        hm,
        body,
        inst,
        ident,
        items,
        responses,
        rejected,
        cell_issues,
        warnings,
        incomplete=incomplete,
        dedupe=dedupe,
        k_min=k_min,
        missing_answers=missing_answers,
    )
    log["submitted_at_column"] = header[time_col].strip() if time_col is not None else None
    group = hm.names[hm.partnership_col] if hm.partnership_col is not None else None
    return IngestResult(
        responses=responses, rejected=rejected, cell_issues=cell_issues, log=log, group_col=group
    )


def _item_warnings(
    hm: HeaderMap, inst: Instrument, items: steps.CodedItems, responses: pd.DataFrame, file: str
) -> tuple[list[str], list[str]]:
    """Items of the instrument with no column, and item columns without a usable answer."""
    item_ids = list(inst.items)
    unmatched = [i for i in item_ids if i not in items.column_of]
    if len(unmatched) == len(item_ids):
        raise DataError(
            f"no column matches any item of instrument '{inst.id}' (columns: "
            f"{', '.join(hm.names)}); check the instrument or give a --mapping file"
            + "".join(f"; {w}" for w in hm.warnings),
            file=file,
            row=hm.header_line,
            code="data.no_item_matched",
            params={"instrument": inst.id, "columns": list(hm.names)},
        )
    empty = [
        i for i in item_ids if i in items.column_of and len(responses) and responses[i].isna().all()
    ]
    return unmatched, empty


def _shown(name: str) -> str:
    """A partnership spelling as the log shows it: look-alike and invisible characters escaped."""
    return repr(name) if steps.is_plain(name) else ascii(name)


def _group_sizes(responses: pd.DataFrame) -> pd.Series | None:
    if "partnership" not in responses.columns:
        return None
    return responses["partnership"].value_counts(sort=False)


def _small_groups(sizes: pd.Series | None, k_min: int) -> dict[str, int]:
    if sizes is None:
        return {}
    small = sizes[sizes < k_min]
    return {str(k): int(v) for k, v in sorted(small.items(), key=lambda kv: (kv[1], kv[0]))}


def _log(
    export: Export,
    hm: HeaderMap,
    body: Body,
    inst: Instrument,
    ident: steps.Identity,
    items: steps.CodedItems,
    responses: pd.DataFrame,
    rejected: pd.DataFrame,
    cell_issues: pd.DataFrame,
    warnings: list[str],
    *,
    incomplete: str,
    dedupe: str,
    k_min: int,
    missing_answers: int,
) -> dict[str, Any]:
    """Everything ``ingest.json`` reports."""
    n = len(body.source_row)
    unmatched, empty = _item_warnings(hm, inst, items, responses, export.name)
    if unmatched:
        warnings.append(
            f"{len(unmatched)} item(s) of the instrument have no column in the export: "
            f"{', '.join(unmatched)}"
        )
    for item_id in empty:
        column = hm.names[items.column_of[item_id]]
        warnings.append(
            f"item {item_id} (column {column!r}) has no usable answer in any kept response; "
            "its scale is scored from the remaining items"
        )
    if ident.variants:
        warnings.append(
            f"{len(ident.variants)} partnership name(s) were written in more than one way and "
            "grouped: "
            + "; ".join(
                f"{k!r} <- {', '.join(_shown(v) for v in vs)}"
                for k, vs in list(ident.variants.items())[:10]
            )
        )
    sizes = _group_sizes(responses)
    small = _small_groups(sizes, k_min)
    if small:
        shown = ", ".join(f"{k!r} (n = {v})" for k, v in list(small.items())[:20])
        more = f" and {len(small) - 20} more" if len(small) > 20 else ""
        warnings.append(
            f"{len(small)} partnership(s) have fewer respondents than the confidentiality minimum "
            f"of {k_min} and will be suppressed by score and report: {shown}{more}"
        )
    if body.empty_lines:
        warnings.append(f"skipped {body.empty_lines} empty line(s) between records")
    reasons = rejected["reason"].value_counts()
    by_problem = cell_issues["problem"].value_counts().sort_index()
    targets = [(j, t) for j, t in enumerate(hm.targets) if t is not None]
    structural = {j for j in (hm.partnership_col, hm.id_col) if j is not None}
    log: dict[str, Any] = {
        "file": Path(export.name).name,
        "instrument": {"id": inst.id, "version": inst.version},
        "platform": hm.platform,
        "encoding": export.encoding,
        "delimiter": {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", "": "none"}[
            export.delimiter
        ],
        "line_ending": export.line_ending,
        "title_rows": hm.title_rows,
        "header_rows": hm.header_rows,
        "header_line": hm.header_line,
        "reader": body.reader,
        "options": {"incomplete": incomplete, "dedupe": dedupe, "min_group_size": k_min},
        "counts": {
            "rows_read": int(n + len(body.bad_rows)),
            "kept": int(len(responses)),
            "rejected": {r: int(reasons[r]) for r in REJECT_REASONS if r in reasons.index},
            "rejected_total": int(len(rejected)),
            "cells_invalid": int(len(cell_issues)),
            "cells_invalid_by_problem": {str(k): int(v) for k, v in by_problem.items()},
            "missing_answers": missing_answers,
            "empty_lines_skipped": int(body.empty_lines),
        },
        "partnership_column": hm.names[hm.partnership_col]
        if hm.partnership_col is not None
        else None,
        "respondent_id_column": hm.names[hm.id_col] if hm.id_col is not None else None,
        "column_mapping": {hm.names[j]: t.id for j, t in targets},
        "column_match": {hm.names[j]: t.how for j, t in targets},
        "enumerators_stripped": {hm.names[j]: t.prefix for j, t in targets if t.prefix},
        "metadata_columns": [hm.names[j] for j in hm.meta_cols],
        "unmapped_columns": [
            name
            for j, name in enumerate(hm.names)
            if hm.targets[j] is None and j not in hm.meta_cols and j not in structural
        ],
        "unmatched_items": unmatched,
        "items_without_answers": empty,
        "partnerships": int(len(sizes)) if sizes is not None else None,
        "partnership_variants": ident.variants,
        "small_partnerships": small,
        "warnings": warnings,
    }
    if export.sheet is not None:
        log["sheet"] = export.sheet
    return log
