"""Locate the header in an export and map its columns (title rows, multi-row headers)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..errors import DataError
from ..instrument.model import Instrument
from .detect import PLATFORM_ID_COLUMNS, PLATFORM_META_COLUMNS, detect_platform
from .mapping import PARTNERSHIP_NAMES, ColumnIndex, MappingSpec, Target, normalise_text
from .readers import Export

__all__ = ["HeaderMap", "locate_and_map"]

_ALL_META = frozenset().union(*PLATFORM_META_COLUMNS.values())
_SM_RESPONSE = {"response", "open-ended response", "respons", "jawaban", "tanggapan"}
_IMPORT_ID = re.compile(r'^\{\s*"ImportId"\s*:')


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

    @property
    def data_start(self) -> int:
        return self.title_rows + self.header_rows


def _score(row: list[str], index: ColumnIndex) -> int:
    n = 0
    for cell in row:
        c = cell.strip()
        if not c:
            continue
        if c in _ALL_META or normalise_text(c) in PARTNERSHIP_NAMES or index.match([c]) is not None:
            n += 1
    return n


def _find_header(preview: list[tuple[int, list[str]]], index: ColumnIndex, extra: set[str]) -> int:
    window = preview[:25]
    scores = [_score(r, index) + sum(1 for c in r if c.strip() in extra) for _, r in window]
    best = max(scores, default=0)
    if best > 0:
        return scores.index(best)
    widths = [sum(1 for c in r if c.strip()) for _, r in window]
    wmax = max(widths, default=0)
    for i, w in enumerate(widths):
        if w >= max(2, 0.6 * wmax):
            return i
    return 0


def _qualtrics_candidates(ids: list[str], texts: list[str] | None, imports: list[str] | None) -> list[list[str]]:
    out = []
    for j, name in enumerate(ids):
        cands = [name]
        if texts is not None and j < len(texts) and texts[j].strip():
            text = texts[j].strip()
            cands.append(text)
            parts = text.split(" - ")
            cands.extend(" - ".join(parts[i:]) for i in range(1, len(parts)))
        if imports is not None and j < len(imports):
            try:
                value = json.loads(imports[j]).get("ImportId")
                if value:
                    cands.append(str(value))
            except (ValueError, AttributeError):
                pass
        out.append(cands)
    return out


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
    extra = {c for c in (group_col, id_col) if c}
    h = _find_header(preview, index, extra)
    header_line, header = preview[h]
    below = [r for _, r in preview[h + 1 : h + 3]]
    plat = platform or detect_platform(header, below)
    if plat == "generic" and export.kind == "xlsx":
        plat = "spreadsheet"
    header_rows = 1
    candidates: list[list[str]]
    names = list(header)
    if plat == "qualtrics":
        r1 = below[0] if below else []
        r2 = below[1] if len(below) > 1 else []
        if r2 and any(_IMPORT_ID.match(c) for c in r2):
            header_rows, candidates = 3, _qualtrics_candidates(header, r1, r2)
        elif r1 and any(_IMPORT_ID.match(c) for c in r1):
            header_rows, candidates = 2, _qualtrics_candidates(header, None, r1)
        elif r1 and any(c.strip() in ("Response ID", "Start Date") for c in r1):
            header_rows, candidates = 2, _qualtrics_candidates(header, r1, None)
        else:
            candidates = [[n] for n in header]
    elif plat == "surveymonkey" and below and not below[0][0].strip():
        header_rows = 2
        sub = below[0]
        q_prev = ""
        candidates, names = [], []
        for j, q in enumerate(header):
            q = q.strip()
            if q:
                q_prev = q
            elif j > 0:
                q = q_prev
            s = sub[j].strip() if j < len(sub) else ""
            if s and normalise_text(s) not in _SM_RESPONSE:
                names.append(f"{q} [{s}]")
                candidates.append([s, f"{q} [{s}]"])
            else:
                names.append(q)
                candidates.append([q])
    else:
        candidates = [[n] for n in header]
    names = _unique(names)
    meta_names = PLATFORM_META_COLUMNS.get(plat, frozenset())

    targets: list[Target | None] = []
    meta_cols: list[int] = []
    spec_norm = {normalise_text(k): v for k, v in spec.columns.items()}
    for j, name in enumerate(names):
        raw = header[j].strip() if j < len(header) else name
        mapped = spec.columns.get(raw) or spec.columns.get(name) or spec_norm.get(normalise_text(name))
        if mapped is not None:
            t = index.resolve_target(mapped)
            if t is None:
                raise DataError(
                    f"the mapping sends column {name!r} to {mapped!r}, which is not an item or field id "
                    f"of instrument '{instrument.id}'",
                    file=spec.source,
                    column=name,
                )
            targets.append(t)
            continue
        if raw in meta_names or (plat == "generic" and raw in _ALL_META and raw != "id"):
            targets.append(None)
            meta_cols.append(j)
            continue
        targets.append(index.match(candidates[j]))

    # a column the user names with --group-col / --id-col
    def find_column(wanted: str, what: str) -> int:
        for j, n in enumerate(names):
            if n == wanted or header[j].strip() == wanted:
                return j
        for j, n in enumerate(names):
            if normalise_text(n) == normalise_text(wanted):
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

    p_field = instrument.field_by_role("partnership")
    partnership_col: int | None = None
    if group_col:
        partnership_col = find_column(group_col, "--group-col")
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
            for wanted in PLATFORM_ID_COLUMNS.get(plat, ()):
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
    )


def _check_duplicates(targets: list[Target | None], names: list[str], file: str) -> None:
    first: dict[tuple[str, str], int] = {}
    for j, t in enumerate(targets):
        if t is None:
            continue
        key = (t.kind, t.id)
        if key in first:
            raise DataError(
                f"columns {names[first[key]]!r} and {names[j]!r} both hold {t.kind} '{t.id}'; "
                "remove one, or say which to use with --mapping",
                file=file,
                column=names[j],
            )
        first[key] = j
