"""Ingest a survey export: one call from a file to a tidy response table and a log."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import DataError
from ..instrument.loader import load_instrument
from ..instrument.model import Instrument
from ._header import HeaderMap, locate_and_map
from .detect import PLATFORM_TIME_COLUMNS
from .log import REJECT_REASONS, IngestResult
from .mapping import PROBLEM_CODES, ChoiceCoder, MappingSpec, ScaleCoder, load_mapping
from .readers import Body, open_export, read_body

__all__ = ["ingest"]

_QUALTRICS_TEST = {
    "1": "Survey Preview", "2": "Survey Test", "8": "Spam", "9": "Preview Spam",
    "12": "Imported Spam", "17": "Offline Survey Preview",
    "survey preview": "Survey Preview", "survey test": "Survey Test", "spam": "Spam",
    "preview spam": "Preview Spam", "imported spam": "Imported Spam",
    "offline survey preview": "Offline Survey Preview", "preview": "Survey Preview",
}
_FALSE = {"0", "false", "no", "tidak", "f"}
_KOBO_NOT_APPROVED = {"validation_status_not_approved", "not approved", "tidak disetujui"}
_KOBO_ON_HOLD = {"validation_status_on_hold", "on hold"}


def _clean(arr: pa.Array, *, trim: bool = True) -> pa.Array:
    """Strings (trimmed unless ``trim`` is false), with empty or blank cells as null."""
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string())
    stripped = pc.utf8_trim_whitespace(arr)
    blank = pc.equal(stripped, "")
    if trim:
        arr = stripped
    if pc.any(blank).as_py():
        arr = pc.if_else(blank, pa.scalar(None, pa.string()), arr)
    return arr


def _group_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _partnerships(arr: pa.Array) -> tuple[pa.Array, dict[str, list[str]]]:
    """Display names (first spelling seen per group key) and the variants grouped."""
    enc = pc.dictionary_encode(arr)
    spellings = enc.dictionary.to_pylist()
    first: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    display = []
    for s in spellings:
        key = _group_key(s)
        first.setdefault(key, s)
        members.setdefault(key, []).append(s)
        display.append(first[key])
    out = pa.array(display, type=pa.string()).take(enc.indices)
    variants = {first[k]: v for k, v in members.items() if len(v) > 1}
    return out, variants


def _all_distinct(ids: pa.Array, has_id: np.ndarray) -> bool:
    """True when no respondent id occurs twice (a hash pass, cheaper than encoding)."""
    n_valid = int(has_id.sum())
    return len(pc.unique(ids)) == n_valid + (n_valid < len(has_id))  # the nulls are one value


def _column_by_header(header: list[str], wanted: tuple[str, ...]) -> int | None:
    for w in wanted:
        for j, name in enumerate(header):
            if name.strip() == w:
                return j
    return None


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

    Returns
    -------
    IngestResult
        ``responses``, ``rejected``, ``cell_issues`` and ``log``.

    Raises
    ------
    DataError
        for unusable input (empty, binary, HTML/JSON, unclosed quote, header without
        data, duplicate item columns, no partnership column when ``require_group``),
        naming file, row, column.

    Notes
    -----
    Every record ends in ``responses`` or in ``rejected`` with a reason code (see
    :mod:`kemitraan_assess.io.log`). Answer labels map to codes in any language of the
    instrument, including its ``label_variants``; ``missing_labels`` and
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
    inst = load_instrument(os.fspath(instrument)) if not isinstance(instrument, Instrument) else instrument
    spec = load_mapping(os.fspath(mapping) if isinstance(mapping, os.PathLike) else mapping)
    export = open_export(source, encoding=encoding)
    hm = locate_and_map(
        export, inst, spec, group_col=group_col, id_col=id_col, platform=platform, require_group=require_group
    )
    header = export.preview[hm.title_rows][1]
    width = len(header)
    item_cols = {j for j, t in enumerate(hm.targets) if t is not None and t.kind == "item"}
    string_cols = set(range(width)) - item_cols
    body = read_body(export, hm.data_start, width, string_columns=string_cols)
    n = len(body.source_row)
    if n == 0 and not body.bad_rows:
        raise DataError("the file has a header but no data rows", file=export.name, row=hm.header_line)
    return _build(export, hm, header, body, inst, spec, incomplete=incomplete, dedupe=dedupe)


def _build(export, hm: HeaderMap, header, body: Body, inst: Instrument, spec: MappingSpec, *, incomplete: str, dedupe: str) -> IngestResult:
    n = len(body.source_row)
    rows = body.source_row
    warnings = list(export.warnings)
    cols = body.columns
    reason = np.zeros(n, dtype=np.int8)  # 0 kept, else 1 + index in REJECT_REASONS
    details: list[tuple[np.ndarray, str | np.ndarray]] = []  # (rows, text): spread at the end

    def reject(mask: np.ndarray, code: str, text: str | np.ndarray) -> None:
        m = mask & (reason == 0)
        if m.any():
            reason[m] = REJECT_REASONS.index(code) + 1
            details.append((m, text))

    # --- respondent ids and partnership names
    if hm.id_col is not None and n:
        ids = _clean(cols[hm.id_col])
    else:
        ids = pa.nulls(n, pa.string())
    has_id = pc.is_valid(ids).to_numpy(zero_copy_only=False)
    if has_id.all():
        respondent = ids
    else:
        generated = pc.binary_join_element_wise("r", pc.cast(pa.array(rows), pa.string()), "")
        respondent = pc.if_else(pc.is_valid(ids), ids, generated)
    pname: pa.Array | None = None
    variants: dict[str, list[str]] = {}
    if hm.partnership_col is not None:
        if n:
            pname, variants = _partnerships(_clean(cols[hm.partnership_col]))
        else:
            pname = pa.nulls(0, pa.string())

    # --- platform status columns
    plat = hm.platform
    if plat == "qualtrics":
        j = _column_by_header(header, ("Status",))
        if j is not None:
            st = pc.utf8_lower(_clean(cols[j])).to_numpy(zero_copy_only=False)
            lab = pd.Series(st, dtype=object).map(_QUALTRICS_TEST).to_numpy(dtype=object)
            bad = pd.notna(lab)
            reject(bad, "test_submission", np.array([f"Qualtrics Status = {x}" for x in lab], dtype=object))
    not_approved_col = None
    if plat == "kobotoolbox":
        not_approved_col = _column_by_header(header, ("_validation_status",))
        bad_set, what = _KOBO_NOT_APPROVED, "KoboToolbox validation status 'Not approved'"
    elif plat == "odk_central":
        not_approved_col = _column_by_header(header, ("ReviewState",))
        bad_set, what = {"rejected"}, "ODK Central review state 'rejected'"
    if not_approved_col is not None:
        vs = pd.Series(pc.utf8_lower(_clean(cols[not_approved_col])).to_numpy(zero_copy_only=False), dtype=object)
        reject(vs.isin(bad_set).to_numpy(), "not_approved", what)
        if plat == "kobotoolbox":
            on_hold = int(vs.isin(_KOBO_ON_HOLD).sum())
            if on_hold:
                warnings.append(f"{on_hold} submission(s) have validation status 'On hold'; they were kept")

    if pname is not None:
        blank = ~pc.is_valid(pname).to_numpy(zero_copy_only=False)
        reject(blank, "blank_partnership", "no partnership name")

    unfinished = None
    if plat == "qualtrics":
        j = _column_by_header(header, ("Finished",))
        if j is not None:
            f = pd.Series(pc.utf8_lower(_clean(cols[j])).to_numpy(zero_copy_only=False), dtype=object)
            unfinished = (f.isin(_FALSE).to_numpy(), "Qualtrics Finished = 0 (response not finished)")
    elif plat == "limesurvey":
        j = _column_by_header(header, ("submitdate", "Date submitted"))
        if j is not None:
            unfinished = (~pc.is_valid(_clean(cols[j])).to_numpy(zero_copy_only=False), "LimeSurvey submitdate is empty (response not completed)")
    if incomplete == "reject":
        if unfinished is not None:
            reject(unfinished[0], "incomplete", unfinished[1])
        else:
            warnings.append(
                f"--incomplete reject: a {plat} export has no completion marker; only records with no answers were rejected"
            )

    # --- items
    item_ids = list(inst.items)
    col_of = {t.id: j for j, t in enumerate(hm.targets) if t is not None and t.kind == "item"}
    coders: dict[str, ScaleCoder] = {}
    block = np.empty((len(item_ids), n))  # one row per item: becomes one pandas block
    problems: list[tuple[int, np.ndarray]] = []
    missing_answers = np.zeros(n, dtype=np.int64)
    answered = np.zeros(n, dtype=bool)
    for k, item_id in enumerate(item_ids):
        if item_id not in col_of:
            block[k] = np.nan
            continue
        j = col_of[item_id]
        key = inst.items[item_id].response
        coder = coders.get(key)
        if coder is None:
            coder = coders[key] = ScaleCoder(inst.response_scales[key], spec.labels)
        x, prob, miss = coder.code(cols[j], out=block[k])
        if miss.any():
            missing_answers += miss
        if prob.any():
            problems.append((j, prob))
        np.logical_or(answered, x == x, out=answered)  # x == x: not NaN
    reject(~answered, "no_answers", "no item answered with a usable code")

    # --- duplicates (among records still kept, with an id from the export)
    keep = reason == 0
    if dedupe != "none" and hm.id_col is not None and n and not _all_distinct(ids, has_id):
        cand = keep & has_id
        enc = pc.dictionary_encode(ids)
        codes = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        codes = np.where(cand, codes, -1)
        counts = np.bincount(codes[codes >= 0], minlength=len(enc.dictionary))
        dup = (codes >= 0) & (counts[np.maximum(codes, 0)] > 1)
        if dup.any():
            pos = np.flatnonzero(dup)
            sub = pd.DataFrame({"id": ids.take(pa.array(pos)).to_numpy(zero_copy_only=False), "pos": pos})
            tcol = _column_by_header(header, PLATFORM_TIME_COLUMNS.get(plat, ()))
            if tcol is not None:
                t = pd.Series(_clean(cols[tcol]).take(pa.array(pos)).to_numpy(zero_copy_only=False), dtype=object)
                sub["t"] = pd.to_datetime(t, errors="coerce", utc=True, format="mixed").to_numpy()
                if sub["t"].isna().any():
                    sub["t"] = pd.NaT
            else:
                sub["t"] = pd.NaT
            sub = sub.sort_values(["id", "t", "pos"], kind="stable", na_position="first")
            winner = sub.groupby("id", sort=False)["pos"].transform("last" if dedupe == "last" else "first")
            lose = sub["pos"].to_numpy()[sub["pos"].to_numpy() != winner.to_numpy()]
            win_of = dict(zip(sub["pos"].to_numpy(), winner.to_numpy(), strict=True))
            mask = np.zeros(n, dtype=bool)
            mask[lose] = True
            text = np.full(n, None, dtype=object)
            for p in lose:
                text[p] = f"same respondent id as line {rows[win_of[p]]}, which was kept ({dedupe} submission)"
            reject(mask, "duplicate", text)
    keep = reason == 0

    # --- fields
    field_out: dict[str, pa.Array] = {}
    p_field = inst.field_by_role("partnership")
    r_field = inst.field_by_role("respondent_id")
    field_col = {t.id: j for j, t in enumerate(hm.targets) if t is not None and t.kind == "field"}
    choice_issues: list[tuple[int, np.ndarray]] = []
    for fld in inst.fields:
        if fld in (p_field, r_field) or fld.id not in field_col:
            continue
        j = field_col[fld.id]
        arr = _clean(cols[j], trim=fld.kind != "text")
        if fld.kind == "choice":
            arr, unknown = ChoiceCoder(fld).code(arr)
            if unknown.any():
                choice_issues.append((j, unknown))
        field_out[fld.id] = arr

    # --- cell issues (kept records only)
    issue_frames = []

    def resp_at(idx: np.ndarray) -> np.ndarray:
        return respondent.take(pa.array(idx)).to_numpy(zero_copy_only=False)

    for j, prob in problems:
        idx = np.flatnonzero((prob > 0) & keep)
        if idx.size:
            issue_frames.append(pd.DataFrame({
                "source_row": rows[idx],
                "respondent_id": resp_at(idx),
                "column": hm.names[j],
                "value": _clean(cols[j]).take(pa.array(idx)).to_pylist(),
                "problem": pd.Series(prob[idx]).map(PROBLEM_CODES).to_numpy(),
            }))
    for j, unknown in choice_issues:
        idx = np.flatnonzero(unknown & keep)
        if idx.size:
            issue_frames.append(pd.DataFrame({
                "source_row": rows[idx], "respondent_id": resp_at(idx), "column": hm.names[j],
                "value": _clean(cols[j]).take(pa.array(idx)).to_pylist(), "problem": "unmapped_label",
            }))
    issue_cols = ["source_row", "respondent_id", "column", "value", "problem"]
    if issue_frames:
        cell_issues = pd.concat(issue_frames, ignore_index=True).sort_values(["source_row", "column"], kind="stable")
        cell_issues = cell_issues.reset_index(drop=True).astype({"source_row": "int64", "respondent_id": "str", "column": "str", "value": "str", "problem": "str"})
    else:
        cell_issues = pd.DataFrame({c: pd.Series(dtype="int64" if c == "source_row" else "str") for c in issue_cols})

    # --- responses
    kidx = np.flatnonzero(keep)
    take = pa.array(kidx)
    all_kept = len(kidx) == n
    if not all_kept:  # compact each item's row in place (kidx is increasing): no second block
        for k in range(len(item_ids)):
            block[k, : len(kidx)] = block[k, kidx]
    items_block = block[:, : len(kidx)]
    responses = pd.DataFrame(items_block.T, columns=item_ids, copy=False)
    front: dict[str, Any] = {
        "respondent_id": pd.Series((respondent if all_kept else respondent.take(take)).to_pandas(), dtype="str"),
        "source_row": rows[kidx].astype(np.int64),
    }
    if pname is not None:
        front = {
            "respondent_id": front["respondent_id"],
            "partnership": pd.Series((pname if all_kept else pname.take(take)).to_pandas(), dtype="str"),
            "source_row": front["source_row"],
        }
    for fid, arr in field_out.items():
        front[fid] = pd.Series((arr if all_kept else arr.take(take)).to_pandas(), dtype="str")
    for at, (name, col) in enumerate(front.items()):
        responses.insert(at, name, col)
    responses.index = pd.RangeIndex(len(responses))
    # --- rejected
    ridx = np.flatnonzero(~keep)
    detail = np.full(n if details else 0, None, dtype=object)
    for rows_hit, why in details:
        detail[rows_hit] = why if isinstance(why, str) else why[rows_hit]
    rej = pd.DataFrame({
        "source_row": np.concatenate([rows[ridx], np.array([b[0] for b in body.bad_rows], dtype=np.int64)]),
        "respondent_id": np.concatenate([resp_at(ridx).astype(object), np.array([f"r{b[0]}" for b in body.bad_rows], dtype=object)]),
        "reason": np.concatenate([
            np.asarray(REJECT_REASONS, dtype=object)[reason[ridx].astype(np.intp) - 1],
            np.array(["wrong_field_count"] * len(body.bad_rows), dtype=object),
        ]),
        "detail": np.concatenate([detail[ridx], np.array([b[1] for b in body.bad_rows], dtype=object)]),
    })
    rejected = rej.sort_values("source_row", kind="stable").reset_index(drop=True)
    rejected = rejected.astype({"source_row": "int64", "respondent_id": "str", "reason": "str", "detail": "str"})

    # --- log
    group_name = hm.names[hm.partnership_col] if hm.partnership_col is not None else None
    mapped = {hm.names[j]: t.id for j, t in enumerate(hm.targets) if t is not None}
    how = {hm.names[j]: t.how for j, t in enumerate(hm.targets) if t is not None}
    structural = {j for j in (hm.partnership_col, hm.id_col) if j is not None}
    unmapped = [n_ for j, n_ in enumerate(hm.names) if hm.targets[j] is None and j not in hm.meta_cols and j not in structural]
    unmatched = [i for i in item_ids if i not in col_of]
    if unmatched:
        warnings.append(f"{len(unmatched)} item(s) of the instrument have no column in the export: {', '.join(unmatched)}")
    if len(unmatched) == len(item_ids):
        raise DataError(
            f"no column matches any item of instrument '{inst.id}' (columns: {', '.join(hm.names)}); "
            "check the instrument or give a --mapping file",
            file=export.name,
            row=hm.header_line,
        )
    if variants:
        warnings.append(
            f"{len(variants)} partnership name(s) were written in more than one way and grouped: "
            + "; ".join(f"{k!r} <- {', '.join(repr(v) for v in vs)}" for k, vs in list(variants.items())[:10])
        )
    if body.empty_lines:
        warnings.append(f"skipped {body.empty_lines} empty line(s) between records")
    reasons = {r: int((rejected["reason"] == r).sum()) for r in REJECT_REASONS if (rejected["reason"] == r).any()}
    by_problem = cell_issues["problem"].value_counts().sort_index()
    log: dict[str, Any] = {
        "file": Path(export.name).name,
        "instrument": {"id": inst.id, "version": inst.version},
        "platform": hm.platform,
        "encoding": export.encoding,
        "delimiter": {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", "": "none"}[export.delimiter],
        "line_ending": export.line_ending,
        "title_rows": hm.title_rows,
        "header_rows": hm.header_rows,
        "header_line": hm.header_line,
        "reader": body.reader,
        "options": {"incomplete": incomplete, "dedupe": dedupe},
        "counts": {
            "rows_read": int(n + len(body.bad_rows)),
            "kept": int(len(responses)),
            "rejected": reasons,
            "rejected_total": int(len(rejected)),
            "cells_invalid": int(len(cell_issues)),
            "cells_invalid_by_problem": {str(k): int(v) for k, v in by_problem.items()},
            "missing_answers": int(missing_answers[kidx].sum()),
            "empty_lines_skipped": int(body.empty_lines),
        },
        "partnership_column": group_name,
        "respondent_id_column": hm.names[hm.id_col] if hm.id_col is not None else None,
        "column_mapping": mapped,
        "column_match": how,
        "metadata_columns": [hm.names[j] for j in hm.meta_cols],
        "unmapped_columns": unmapped,
        "unmatched_items": unmatched,
        "partnerships": int(front["partnership"].nunique()) if "partnership" in front else None,
        "partnership_variants": variants,
        "warnings": warnings,
    }
    if export.sheet is not None:
        log["sheet"] = export.sheet
    return IngestResult(responses=responses, rejected=rejected, cell_issues=cell_issues, log=log, group_col=group_name)
