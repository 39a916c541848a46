"""The steps of :func:`kemitraan_assess.io.ingest`, each a function with a typed result.

The records of an export flow through: who answered (ids, partnership names), the
platform's rules (tests, reviewer rejections, unfinished), the items coded, duplicate
submissions, the respondent fields coded, then the three tables (responses, rejected,
cell issues). Every function works on whole columns; none loops over records.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..instrument.model import Instrument
from ._header import HeaderMap
from .log import REJECT_REASONS
from .mapping import PROBLEM_CODES, ChoiceCoder, MappingSpec, ScaleCoder
from .platforms import Records, get_platform
from .readers import Body

__all__ = [
    "CodedFields",
    "CodedItems",
    "Identity",
    "Verdicts",
    "cell_issue_table",
    "clean",
    "code_fields",
    "submission_time_column",
    "code_items",
    "identify",
    "is_plain",
    "mark_duplicates",
    "platform_rules",
    "rejected_table",
    "response_table",
]


def clean(arr: Any, *, trim: bool = True) -> pa.Array:
    """Strings (trimmed unless ``trim`` is false), with empty or blank cells as null."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string())
    stripped = pc.utf8_trim_whitespace(arr)
    blank = pc.equal(stripped, "")
    if trim:
        arr = stripped
    if pc.any(blank).as_py():
        arr = pc.if_else(blank, pa.scalar(None, pa.string()), arr)
    return arr


class Verdicts:
    """Why each record is rejected (0 = kept), first rule wins; details spread lazily."""

    def __init__(self, n: int):
        self.reason = np.zeros(n, dtype=np.int8)  # 1 + index in REJECT_REASONS
        self.details: list[tuple[np.ndarray, str | np.ndarray]] = []

    def reject(self, mask: np.ndarray, code: str, text: str | np.ndarray) -> None:
        m = np.asarray(mask, dtype=bool) & (self.reason == 0)
        if m.any():
            self.reason[m] = REJECT_REASONS.index(code) + 1
            self.details.append((m, text))

    @property
    def keep(self) -> np.ndarray:
        return self.reason == 0

    def detail(self) -> np.ndarray:
        out = np.full(len(self.reason) if self.details else 0, None, dtype=object)
        for rows_hit, why in self.details:
            out[rows_hit] = why if isinstance(why, str) else why[rows_hit]
        return out


@dataclass(frozen=True)
class Identity:
    """Respondent ids (from the export or generated ``r<line>``) and partnership names."""

    ids: pa.Array  # the export's ids, null where blank
    has_id: np.ndarray
    respondent: pa.Array
    partnership: pa.Array | None  # display names; None when the export has no group column
    variants: dict[str, list[str]] = field(default_factory=dict)


# Cyrillic and Greek letters drawn like Latin ones: in a name that also has Latin letters
# they are look-alikes typed by a keyboard layout or pasted (or planted), not another name.
_LOOKALIKES = str.maketrans(
    "АВЕКМНОРСТХаеорсухіјѕԁԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧοіν",
    "ABEKMHOPCTXaeopcyxijsdqwABEZHIKMNOPTYXoiv",
)
_LATIN = re.compile(r"[A-Za-z]")
_CYR_GREEK = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f]")


def is_plain(name: str) -> bool:
    """No invisible format characters, no Latin/Cyrillic/Greek mix, no combining marks."""
    return not any(unicodedata.category(c) in ("Cf", "Mn") for c in name) and not (
        _LATIN.search(name) and _CYR_GREEK.search(name)
    )


def _group_key(name: str) -> str:
    """The key partnership names are grouped by: case, spaces, width, invisible characters
    (zero-width space, joiners, soft hyphen), accents on Latin letters and look-alike
    Cyrillic/Greek letters in a Latin name do not make another partnership."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    if _LATIN.search(text) and _CYR_GREEK.search(text):
        text = text.translate(_LOOKALIKES)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not "\u0300" <= c <= "\u036f")
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _partnerships(arr: pa.Array) -> tuple[pa.Array, dict[str, list[str]]]:
    """Display names (the first plain spelling seen per group key, else the first) and
    the variants grouped."""
    enc = pc.dictionary_encode(arr)
    spellings = enc.dictionary.to_pylist()
    keys = [_group_key(s) for s in spellings]
    members: dict[str, list[str]] = {}
    for s, key in zip(spellings, keys, strict=True):
        members.setdefault(key, []).append(s)
    shown = {k: next((s for s in v if is_plain(s)), v[0]) for k, v in members.items()}
    out = pa.array([shown[k] for k in keys], type=pa.string()).take(enc.indices)
    return out, {shown[k]: v for k, v in members.items() if len(v) > 1}


def identify(hm: HeaderMap, body: Body) -> Identity:
    n = len(body.source_row)
    cols = body.columns
    ids = clean(cols[hm.id_col]) if hm.id_col is not None and n else pa.nulls(n, pa.string())
    has_id = pc.is_valid(ids).to_numpy(zero_copy_only=False)
    if has_id.all():
        respondent = ids
    else:
        generated = pc.binary_join_element_wise(
            "r", pc.cast(pa.array(body.source_row), pa.string()), ""
        )
        respondent = pc.if_else(pc.is_valid(ids), ids, generated)
    if hm.partnership_col is None:
        return Identity(ids, has_id, respondent, None)
    if not n:
        return Identity(ids, has_id, respondent, pa.nulls(0, pa.string()))
    names, variants = _partnerships(clean(cols[hm.partnership_col]))
    return Identity(ids, has_id, respondent, names, variants)


def _repeated_header(header: list[str], body: Body) -> np.ndarray | None:
    """Records that repeat the header cell for cell (a sheet appended below another)."""
    named = [
        (j, h.strip(" \t\r\n\ufeff"))
        for j, h in enumerate(header)
        if h.strip(" \t\r\n\ufeff") and j < len(body.columns)
    ]
    if not named or not len(body.source_row):
        return None
    mask = None
    for j, h in named:  # the first column rules out nearly every record at once
        col = body.columns[j]
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            return None  # a numeric column cannot hold a header name
        hit = pc.fill_null(pc.equal(pc.utf8_trim(col, " \t\r\n\ufeff"), h.strip("\ufeff")), False)
        mask = hit if mask is None else pc.and_(mask, hit)
        if not pc.any(mask).as_py():
            return None
    return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)


def platform_rules(
    hm: HeaderMap,
    header: list[str],
    body: Body,
    verdicts: Verdicts,
    ident: Identity,
    *,
    incomplete: str,
) -> list[str]:
    """Apply the platform's rules, then blank partnership names; returns warnings."""
    n = len(body.source_row)
    repeated = _repeated_header(header, body)
    if repeated is not None:
        verdicts.reject(
            repeated,
            "repeated_header",
            f"repeats the header of line {hm.header_line} (exports appended to one another?)",
        )
    outcome = get_platform(hm.platform).rules(Records(header, body.columns, n))
    warnings = list(outcome.warnings)
    for r in outcome.rejections:
        verdicts.reject(r.mask, r.reason, r.detail)
    if ident.partnership is not None:
        verdicts.reject(
            ~pc.is_valid(ident.partnership).to_numpy(zero_copy_only=False),
            "blank_partnership",
            "no partnership name",
        )
    if incomplete == "reject":
        if outcome.unfinished is not None:
            verdicts.reject(outcome.unfinished.mask, "incomplete", outcome.unfinished.detail)
        else:
            warnings.append(
                f"--incomplete reject: a {hm.platform} export has no completion marker; only "
                "records with no answers were rejected"
            )
    return warnings


@dataclass(frozen=True)
class CodedItems:
    """Answer codes, one row per instrument item (NaN: missing or unusable)."""

    block: np.ndarray  # (n_items, n_records)
    column_of: dict[str, int]  # item id -> export column
    problems: list[tuple[int, np.ndarray]]  # (column, problem code per record)
    missing_answers: np.ndarray  # per record: answers given as a "don't know" label or code


def code_items(
    inst: Instrument, hm: HeaderMap, body: Body, spec: MappingSpec, verdicts: Verdicts
) -> CodedItems:
    """Code every item column, then reject records with no usable answer."""
    n = len(body.source_row)
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
        x, prob, miss = coder.code(body.columns[j], out=block[k])
        if miss.any():
            missing_answers += miss
        if prob.any():
            problems.append((j, prob))
        np.logical_or(answered, x == x, out=answered)  # x == x: not NaN
    verdicts.reject(~answered, "no_answers", "no item answered with a usable code")
    return CodedItems(block, col_of, problems, missing_answers)


def mark_duplicates(
    hm: HeaderMap,
    header: list[str],
    body: Body,
    ident: Identity,
    verdicts: Verdicts,
    *,
    dedupe: str,
) -> None:
    """Reject all but one of the kept records sharing a respondent id from the export."""
    n = len(body.source_row)
    if dedupe == "none" or hm.id_col is None or not n:
        return
    ids, has_id = ident.ids, ident.has_id
    n_valid = int(has_id.sum())
    if len(pc.unique(ids)) == n_valid + (n_valid < n):  # all distinct (the nulls are one value)
        return
    cand = verdicts.keep & has_id
    enc = pc.dictionary_encode(ids)
    codes = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    codes = np.where(cand, codes, -1)
    counts = np.bincount(codes[codes >= 0], minlength=len(enc.dictionary))
    dup = (codes >= 0) & (counts[np.maximum(codes, 0)] > 1)
    if not dup.any():
        return
    pos = np.flatnonzero(dup)
    sub = pd.DataFrame({"id": ids.take(pa.array(pos)).to_numpy(zero_copy_only=False), "pos": pos})
    tcol = submission_time_column(hm, header, body)
    sub["t"] = pd.NaT
    if tcol is not None:
        t = pd.Series(
            clean(body.columns[tcol]).take(pa.array(pos)).to_numpy(zero_copy_only=False),
            dtype=object,
        )
        parsed = pd.to_datetime(t, errors="coerce", utc=True, format="mixed")
        if not parsed.isna().any():
            sub["t"] = parsed.to_numpy()
    sub = sub.sort_values(["id", "t", "pos"], kind="stable", na_position="first")
    winner = (
        sub.groupby("id", sort=False)["pos"]
        .transform("last" if dedupe == "last" else "first")
        .to_numpy()
    )
    all_pos = sub["pos"].to_numpy()
    lose = all_pos[all_pos != winner]
    win_of = dict(zip(all_pos, winner, strict=True))
    mask = np.zeros(n, dtype=bool)
    mask[lose] = True
    text = np.full(n, None, dtype=object)
    rows = body.source_row
    for p in lose:
        text[p] = (
            f"same respondent id as line {rows[win_of[p]]}, which was kept ({dedupe} submission)"
        )
    verdicts.reject(mask, "duplicate", text)


@dataclass(frozen=True)
class CodedFields:
    """Respondent fields found in the export (choice codes or text), and unknown choices."""

    values: dict[str, pa.Array]
    unknown: list[tuple[int, np.ndarray]]  # (column, unknown-choice mask)


def code_fields(inst: Instrument, hm: HeaderMap, body: Body) -> CodedFields:
    p_field = inst.field_by_role("partnership")
    r_field = inst.field_by_role("respondent_id")
    field_col = {t.id: j for j, t in enumerate(hm.targets) if t is not None and t.kind == "field"}
    values: dict[str, pa.Array] = {}
    unknown: list[tuple[int, np.ndarray]] = []
    for fld in inst.fields:
        if fld in (p_field, r_field) or fld.id not in field_col:
            continue
        j = field_col[fld.id]
        arr = clean(body.columns[j], trim=fld.kind != "text")
        if fld.kind == "choice":
            arr, bad = ChoiceCoder(fld).code(arr)
            if bad.any():
                unknown.append((j, bad))
        values[fld.id] = arr
    return CodedFields(values, unknown)


_ISSUE_COLUMNS = ["source_row", "respondent_id", "column", "value", "problem"]


def cell_issue_table(
    hm: HeaderMap,
    body: Body,
    ident: Identity,
    items: CodedItems,
    fields: CodedFields,
    keep: np.ndarray,
) -> pd.DataFrame:
    """Cells of kept records set to missing (out of range, not an integer, unknown label)."""
    rows = body.source_row
    frames = []

    def frame(j: int, idx: np.ndarray, problem: Any) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "source_row": rows[idx],
                "respondent_id": ident.respondent.take(pa.array(idx)).to_numpy(
                    zero_copy_only=False
                ),
                "column": hm.names[j],
                "value": clean(body.columns[j]).take(pa.array(idx)).to_pylist(),
                "problem": problem,
            }
        )

    for j, prob in items.problems:
        idx = np.flatnonzero((prob > 0) & keep)
        if idx.size:
            frames.append(frame(j, idx, pd.Series(prob[idx]).map(PROBLEM_CODES).to_numpy()))
    for j, bad in fields.unknown:
        idx = np.flatnonzero(bad & keep)
        if idx.size:
            frames.append(frame(j, idx, "unmapped_label"))
    if not frames:
        return pd.DataFrame(
            {c: pd.Series(dtype="int64" if c == "source_row" else "str") for c in _ISSUE_COLUMNS}
        )
    out = pd.concat(frames, ignore_index=True).sort_values(["source_row", "column"], kind="stable")
    return out.reset_index(drop=True).astype(
        {
            "source_row": "int64",
            "respondent_id": "str",
            "column": "str",
            "value": "str",
            "problem": "str",
        }
    )


def submission_time_column(hm: HeaderMap, header: list[str], body: Body) -> int | None:
    """Position of the platform's submission-time column (KoboToolbox ``_submission_time``,
    Google Forms ``Timestamp``, ...), or None when the export has none."""
    return Records(header, body.columns, len(body.source_row)).index(
        *get_platform(hm.platform).time_columns
    )


def response_table(
    inst: Instrument,
    body: Body,
    ident: Identity,
    items: CodedItems,
    fields: CodedFields,
    keep: np.ndarray,
    time_col: int | None = None,
) -> pd.DataFrame:
    """The kept records: ids, partnership, source line, submission time (as the export
    wrote it, when it has one), fields, then one column per item."""
    n = len(body.source_row)
    item_ids = list(inst.items)
    kidx = np.flatnonzero(keep)
    take = pa.array(kidx)
    all_kept = len(kidx) == n
    block = items.block
    if not all_kept:  # compact each item's row in place (kidx is increasing): no second block
        for k in range(len(item_ids)):
            block[k, : len(kidx)] = block[k, kidx]
    responses = pd.DataFrame(block[:, : len(kidx)].T, columns=item_ids, copy=False)

    def kept(arr: pa.Array) -> pd.Series:
        return pd.Series((arr if all_kept else arr.take(take)).to_pandas(), dtype="str")

    front: dict[str, Any] = {"respondent_id": kept(ident.respondent)}
    if ident.partnership is not None:
        front["partnership"] = kept(ident.partnership)
    front["source_row"] = body.source_row[kidx].astype(np.int64)
    if time_col is not None:
        front["submitted_at"] = kept(clean(body.columns[time_col]))
    for fid, arr in fields.values.items():
        front[fid] = kept(arr)
    for at, (name, col) in enumerate(front.items()):
        responses.insert(at, name, col)
    responses.index = pd.RangeIndex(len(responses))
    return responses


def rejected_table(body: Body, ident: Identity, verdicts: Verdicts) -> pd.DataFrame:
    """Rejected records (and records with a wrong number of fields), by source line."""
    rows = body.source_row
    ridx = np.flatnonzero(~verdicts.keep)
    detail = verdicts.detail()
    bad = body.bad_rows
    rej = pd.DataFrame(
        {
            "source_row": np.concatenate(
                [rows[ridx], np.array([b[0] for b in bad], dtype=np.int64)]
            ),
            "respondent_id": np.concatenate(
                [
                    ident.respondent.take(pa.array(ridx))
                    .to_numpy(zero_copy_only=False)
                    .astype(object),
                    np.array([f"r{b[0]}" for b in bad], dtype=object),
                ]
            ),
            "reason": np.concatenate(
                [
                    np.asarray(REJECT_REASONS, dtype=object)[
                        verdicts.reason[ridx].astype(np.intp) - 1
                    ],
                    np.array(["wrong_field_count"] * len(bad), dtype=object),
                ]
            ),
            "detail": np.concatenate(
                [
                    detail[ridx] if len(detail) else np.array([], dtype=object),
                    np.array([b[1] for b in bad], dtype=object),
                ]
            ),
        }
    )
    rejected = rej.sort_values("source_row", kind="stable").reset_index(drop=True)
    return rejected.astype(
        {"source_row": "int64", "respondent_id": "str", "reason": "str", "detail": "str"}
    )
