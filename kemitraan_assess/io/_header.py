"""Locate the header in an export and map its columns (title rows, multi-row headers)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import DataError
from ..instrument.model import Instrument
from . import platforms
from .detect import PLATFORM_META_COLUMNS
from .mapping import PARTNERSHIP_NAMES, ColumnIndex, MappingSpec, Target, normalise_text
from .readers import Export

__all__ = ["HeaderMap", "locate_and_map"]

_ALL_META = frozenset().union(*PLATFORM_META_COLUMNS.values())
_REPEAT_INDEX = re.compile(r"\[\d+\]")


@dataclass
class HeaderMap:
    """The header of an export and what each column holds."""

    names: list[str]
    title_rows: int
    header_rows: int
    header_line: int
    platform: str
    targets: list[Target | None]
    partnership_col: int | None  # None: no partnership column (``require_group=False``)
    id_col: int | None
    meta_cols: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def data_start(self) -> int:
        return self.title_rows + self.header_rows


@dataclass(frozen=True)
class ColumnTargets:
    """What each header column is mapped to, as ingest and the preview both map it."""

    targets: list[Target | None]  # per column: an item or field, or None
    meta: list[int]  # the survey platform's own columns (ids, times, progress)
    ignored: set[int]  # columns the mapping leaves out (``column: ~``)
    used: set[str]  # header spellings looked up in the mapping (to name unused entries)


def column_targets(
    instrument: Instrument,
    spec: MappingSpec,
    index: ColumnIndex,
    header: list[str],
    names: list[str],
    candidates: list[list[str]],
    plat: str,
) -> ColumnTargets:
    """Each column's target: the mapping first (raw, unique or normalised name), then the
    platform's own columns, then the header's texts matched against the instrument.

    Raises
    ------
    DataError
        when the mapping sends a column to something that is not an item or field.
    """
    meta_names = PLATFORM_META_COLUMNS.get(plat, frozenset())
    spec_norm = {normalise_text(k): v for k, v in spec.columns.items()}
    targets: list[Target | None] = []
    meta: list[int] = []
    ignored: set[int] = set()
    used: set[str] = set()
    for j, name in enumerate(names):
        raw = header[j].strip() if j < len(header) else name
        used |= {raw, name, normalise_text(name)}
        found = (spec.columns.get(raw), spec.columns.get(name), spec_norm.get(normalise_text(name)))
        mapped = next((m for m in found if m is not None), None)
        if mapped == "":  # the mapping leaves this column out (``column: ~``)
            ignored.add(j)
            targets.append(None)
            continue
        if mapped is not None:
            t = index.resolve_target(mapped)
            if t is None:
                raise DataError(
                    f"the mapping sends column {name!r} to {mapped!r}, which is not an item or "
                    f"field id of instrument '{instrument.id}'",
                    file=spec.source,
                    column=name,
                    code="data.mapping_target",
                    params={"target": mapped, "instrument": instrument.id},
                )
            targets.append(t)
            continue
        if raw in meta_names or (plat == "generic" and raw in _ALL_META and raw != "id"):
            meta.append(j)
            targets.append(None)
            continue
        targets.append(index.match(candidates[j]))
    return ColumnTargets(targets, meta, ignored, used)


def _score(row: list[str], index: ColumnIndex, memo: dict[str, bool]) -> int:
    n = 0
    for cell in row:
        c = cell.strip()
        if not c:
            continue
        hit = memo.get(c)
        if hit is None:
            hit = memo[c] = (
                c in _ALL_META
                or normalise_text(c) in PARTNERSHIP_NAMES
                or index.match([c]) is not None
            )
        n += hit
    return n


def _locate(
    preview: list[tuple[int, list[str]]], index: ColumnIndex, extra: set[str], platform: str | None
) -> tuple[int, platforms.Platform]:
    """The header row (index into ``preview``) and the platform that wrote the export.

    A row carrying a platform's signature (its metadata column names) is the header,
    even when a row below it matches more items (SurveyMonkey's second header row
    holds the matrix rows' texts). Otherwise the row that matches most items and
    fields is the header.
    """
    window = preview[:25]
    if platform is None:
        for i, (_, row) in enumerate(window):
            found = platforms.detect(row, [r for _, r in window[i + 1 : i + 3]])
            if found is not None:
                return i, found
        h = _find_header(window, index, extra)
        return h, platforms.get_platform("generic")
    return _find_header(window, index, extra), platforms.get_platform(platform)


def _find_header(preview: list[tuple[int, list[str]]], index: ColumnIndex, extra: set[str]) -> int:
    window = preview[:25]
    memo: dict[str, bool] = {}  # answers repeat: each distinct text is matched once
    scores = [_score(r, index, memo) + sum(1 for c in r if c.strip() in extra) for _, r in window]
    best = max(scores, default=0)
    if best > 0:
        return scores.index(best)
    widths = [sum(1 for c in r if c.strip()) for _, r in window]
    wmax = max(widths, default=0)
    for i, w in enumerate(widths):
        if w >= max(2, 0.6 * wmax):
            return i
    return 0


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, n in enumerate(names):
        n = n.strip() or f"column {i + 1}"
        if n in seen:
            seen[n] += 1
            n = f"{n} ({seen[n]})"
        else:
            seen[n] = 1
        out.append(n)
    return out


def locate_and_map(
    export: Export,
    instrument: Instrument,
    spec: MappingSpec,
    *,
    group_col: str | None = None,
    id_col: str | None = None,
    platform: str | None = None,
    require_group: bool = True,
) -> HeaderMap:
    """Find the header row(s), detect the platform and map every column.

    With ``require_group=False`` an export without a partnership column is accepted
    (``partnership_col`` is None); a ``group_col`` the user names must still exist.

    Raises
    ------
    DataError
        for duplicate item columns, an unknown ``--mapping`` target, or no partnership
        column (when ``require_group``).
    """
    index = ColumnIndex(instrument, extra=spec.columns)
    preview = export.preview
    if platform is not None and platform not in PLATFORM_META_COLUMNS:
        raise DataError(
            f"unknown platform {platform!r} (one of: {', '.join(PLATFORM_META_COLUMNS)})"
        )
    h, plat_obj = _locate(preview, index, {c for c in (group_col, id_col) if c}, platform)
    header_line, header = preview[h]
    below = [r for _, r in preview[h + 1 : h + 3]]
    plat = plat_obj.name
    if plat == "generic" and export.kind == "xlsx":
        plat = "spreadsheet"
    layout = plat_obj.layout(header, below)
    header_rows, candidates = layout.rows, layout.candidates
    names = _unique(layout.names)
    labels = layout.labels

    matched = column_targets(instrument, spec, index, header, names, candidates, plat)
    targets, meta_cols, used = matched.targets, matched.meta, matched.used

    # a column the user names with --group-col / --id-col
    def find_column(wanted: str, what: str) -> int:
        for j, n in enumerate(names):
            if n == wanted or header[j].strip() == wanted:
                return j
        key = normalise_text(wanted)
        for j, n in enumerate(names):
            if normalise_text(n) == key:
                return j
        for j, extra in enumerate(labels):  # e.g. the question text above a column
            if any(normalise_text(x) == key for x in extra):
                return j
        t = index.resolve_target(wanted)
        if t is not None:
            for j, tt in enumerate(targets):
                if tt is not None and tt.id == t.id:
                    return j
        raise DataError(
            f"{what} {wanted!r} is not a column of this export (columns: {', '.join(names)})",
            file=export.name,
            column=wanted,
        )

    warnings = []
    unused = [
        k
        for k in spec.columns
        if k not in used and k.strip() not in used and normalise_text(k) not in used
    ]
    if unused:
        warnings.append(
            f"the mapping{' ' + spec.source if spec.source else ''} names {len(unused)} column(s) "
            f"this export does not have: {', '.join(repr(k) for k in unused[:10])}; their items "
            "were matched by header, if at all"
        )

    p_field = instrument.field_by_role("partnership")
    partnership_col: int | None = None
    if group_col:
        partnership_col = find_column(group_col, "--group-col")
        t = targets[partnership_col]
        if t is not None and t.kind == "item":
            raise DataError(
                f"--group-col {group_col!r} is the column of item {t.id} (answers, not partnership "
                "names); name the column that holds the partnership names",
                file=export.name,
                column=names[partnership_col],
            )
        if p_field is not None:
            targets = [None if (t is not None and t.id == p_field.id) else t for t in targets]
            targets[partnership_col] = Target("field", p_field.id, "option")
    else:
        if p_field is not None:
            for j, t in enumerate(targets):
                if t is not None and t.id == p_field.id:
                    partnership_col = j
                    break
        if partnership_col is None:
            for j, n in enumerate(names):
                if normalise_text(n) in PARTNERSHIP_NAMES and targets[j] is None:
                    partnership_col = j
                    break
    _check_duplicates(targets, names, export.name)
    if partnership_col is None and require_group:
        hint = f" or the field text of '{p_field.id}'" if p_field is not None else ""
        raise DataError(
            "no partnership column: none of the columns is the partnership name "
            f"(columns seen: {', '.join(names)}). Name it with --group-col COLUMN, or use the "
            f"header 'partnership'{hint}",
            file=export.name,
            row=header_line,
            code="data.no_partnership_column",
            params={"columns": list(names)},
        )

    idc: int | None = None
    if id_col:
        idc = find_column(id_col, "--id-col")
    else:
        r_field = instrument.field_by_role("respondent_id")
        if r_field is not None:
            for j, t in enumerate(targets):
                if t is not None and t.id == r_field.id:
                    idc = j
        if idc is None:
            for wanted in plat_obj.id_columns:
                for j, n in enumerate(header):
                    if n.strip() == wanted and (targets[j] is None) and j != partnership_col:
                        idc = j
                        break
                if idc is not None:
                    break
    return HeaderMap(
        names=names,
        title_rows=h,
        header_rows=header_rows,
        header_line=header_line,
        platform=plat,
        targets=targets,
        partnership_col=partnership_col,
        id_col=idc,
        meta_cols=meta_cols,
        warnings=warnings,
    )


def _check_duplicates(targets: list[Target | None], names: list[str], file: str) -> None:
    first: dict[tuple[str, str], int] = {}
    for j, t in enumerate(targets):
        if t is None:
            continue
        key = (t.kind, t.id)
        if key in first:
            a, b = names[first[key]], names[j]
            repeat = ""
            if _REPEAT_INDEX.sub("[]", a) == _REPEAT_INDEX.sub("[]", b) and a != b:
                repeat = (
                    " (they are instances of a repeat group: an item asked once per partnership "
                    "must not sit inside a repeat)"
                )
            raise DataError(
                f"columns {a!r} and {b!r} both hold {t.kind} '{t.id}'{repeat}; "
                "remove one, or say which to use with --mapping",
                file=file,
                column=b,
                code="data.duplicate_column",
                params={"first": a, "second": b, "kind": t.kind, "target": t.id},
            )
        first[key] = j
