"""Look at an export's columns before ingesting it: what each holds, matched or not.

:func:`ingest` refuses an export in which no column matches the instrument (a Qualtrics
export with ``QID12_3`` column names, a SurveyMonkey export whose question texts were
edited) or in which no column holds the partnership names. :func:`preview_export` reads
the same file the same way (encoding, delimiter, platform and header rows detected by the
same code, with the same limits on width and cell size) and lists every column with the
item or field it was matched to, if any, a few sample values and its distinct answers,
without requiring a single match. An interface shows that list so that a person can say
what each column is; their choice is a mapping (``--mapping``) that ingest then applies.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import DataError
from ..instrument.loader import load_instrument
from ..instrument.model import Instrument
from . import platforms
from ._header import _locate, _unique, column_targets
from .detect import PLATFORM_META_COLUMNS
from .mapping import (
    PARTNERSHIP_NAMES,
    ColumnIndex,
    MappingSpec,
    load_mapping,
    normalise_text,
)
from .readers import open_export, read_body

__all__ = ["ColumnPreview", "ExportPreview", "preview_export"]

_ALL_META = frozenset().union(*PLATFORM_META_COLUMNS.values())
_MAX_SHOWN_CHARS = 200  # a sample or answer is cut to this many characters


@dataclass(frozen=True)
class ColumnPreview:
    """One column of an export, as the header and the first records show it.

    ``name`` is the key a mapping uses for the column (the first header row, made unique
    with `` (2)``); ``texts`` are the further header rows' texts (Qualtrics' question
    text and ImportId, SurveyMonkey's answer row). ``target`` is the item or field id the
    column was matched to (``kind`` ``"item"`` or ``"field"``, ``how`` the kind of match,
    ``"mapping"`` when the mapping said so), or None. ``answers`` are the distinct
    non-blank values with their counts, most frequent first, at most ``max_answers`` of
    them (``n_distinct`` says how many there are in all).
    """

    position: int
    name: str
    texts: tuple[str, ...]
    kind: str | None
    target: str | None
    how: str | None
    role: str | None
    metadata: bool
    ignored: bool
    samples: tuple[str, ...]
    answers: tuple[tuple[str, int], ...]
    n_distinct: int
    n_blank: int

    @property
    def matched(self) -> bool:
        return self.target is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "name": self.name,
            "texts": list(self.texts),
            "kind": self.kind,
            "target": self.target,
            "how": self.how,
            "role": self.role,
            "metadata": self.metadata,
            "ignored": self.ignored,
            "samples": list(self.samples),
            "answers": [[v, n] for v, n in self.answers],
            "n_distinct": self.n_distinct,
            "n_blank": self.n_blank,
        }


@dataclass(frozen=True)
class ExportPreview:
    """Every column of an export with its match (or none); see :func:`preview_export`."""

    file: str
    platform: str
    encoding: str
    delimiter: str
    header_line: int
    header_rows: int
    n_records: int
    columns: tuple[ColumnPreview, ...]
    partnership_column: str | None
    duplicates: tuple[tuple[str, tuple[str, ...]], ...]
    """``(target id, column names)`` for each item or field matched by several columns."""
    unmatched_items: tuple[str, ...]

    @property
    def n_matched_items(self) -> int:
        return sum(1 for c in self.columns if c.kind == "item")

    def column(self, name: str) -> ColumnPreview:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "platform": self.platform,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "header_line": self.header_line,
            "header_rows": self.header_rows,
            "n_records": self.n_records,
            "partnership_column": self.partnership_column,
            "duplicates": {t: list(cols) for t, cols in self.duplicates},
            "unmatched_items": list(self.unmatched_items),
            "columns": [c.to_dict() for c in self.columns],
        }


def preview_export(
    source: str | os.PathLike[str] | IO[Any] | bytes,
    instrument: Instrument | str | os.PathLike[str],
    *,
    mapping: str | os.PathLike[str] | dict[str, Any] | MappingSpec | None = None,
    encoding: str | None = None,
    platform: str | None = None,
    max_answers: int = 30,
    max_samples: int = 3,
) -> ExportPreview:
    """Every column of an export with its detected match, samples and distinct answers.

    Parameters
    ----------
    source, instrument, mapping, encoding, platform
        As for :func:`~kemitraan_assess.io.ingest`.
    max_answers
        At most this many distinct answers are listed per column (most frequent first).
    max_samples
        The first distinct non-blank values of each column, in file order.

    Returns
    -------
    ExportPreview
        Frozen; its ``columns`` are in file order. Nothing has to match: a column
        without a match has ``target`` None.

    Raises
    ------
    DataError
        only for a file that cannot be read as a table at all (empty, binary, HTML,
        unclosed quote, a line beyond the width or cell limits), as ingest does; an
        unknown ``platform`` or a mapping naming an id the instrument lacks.

    Examples
    --------
    >>> csv = b"Q12_1,Q12_2,Programme\\n4,Agree,Alpha\\n5,Agree,Beta\\n"
    >>> p = preview_export(csv, "tests/fixtures/mini-instrument.yaml")
    >>> [(c.name, c.target) for c in p.columns]
    [('Q12_1', None), ('Q12_2', None), ('Programme', None)]
    >>> p.column("Q12_2").answers
    (('Agree', 2),)
    >>> p = preview_export(csv, "kemitraan-readiness",
    ...                    mapping={"columns": {"Q12_1": "GOL1", "Programme": "partnership"}})
    >>> p.partnership_column, p.column("Q12_1").target, p.column("Q12_2").target
    ('Programme', 'GOL1', None)
    """
    inst = (
        instrument if isinstance(instrument, Instrument) else load_instrument(os.fspath(instrument))
    )
    spec = load_mapping(os.fspath(mapping) if isinstance(mapping, os.PathLike) else mapping)
    if platform is not None and platform not in PLATFORM_META_COLUMNS:
        raise DataError(
            f"unknown platform {platform!r} (one of: {', '.join(PLATFORM_META_COLUMNS)})"
        )
    export = open_export(source, encoding=encoding)
    index = ColumnIndex(inst, extra=spec.columns)
    h, plat_obj = _locate(export.preview, index, set(), platform)
    header_line, header = export.preview[h]
    below = [r for _, r in export.preview[h + 1 : h + 3]]
    plat = plat_obj.name
    if plat == "generic" and export.kind == "xlsx":
        plat = "spreadsheet"
    layout = plat_obj.layout(header, below)
    names = _unique(layout.names)
    texts = _header_texts(layout, below)
    matched = column_targets(inst, spec, index, header, names, layout.candidates, plat)
    targets, meta, ignored = matched.targets, set(matched.meta), matched.ignored
    body = read_body(export, h + layout.rows, len(header), string_columns=set(range(len(header))))
    fields = {f.id: f for f in inst.fields}
    columns = []
    for j, name in enumerate(names):
        t = targets[j]
        samples, answers, distinct, blank = _values(
            body.columns[j] if j < len(body.columns) else None, max_answers, max_samples
        )
        role = fields[t.id].role if t is not None and t.kind == "field" else None
        columns.append(
            ColumnPreview(
                position=j,
                name=name,
                texts=texts[j],
                kind=t.kind if t is not None else None,
                target=t.id if t is not None else None,
                how=t.how if t is not None else None,
                role=role,
                metadata=j in meta,
                ignored=j in ignored,
                samples=samples,
                answers=answers,
                n_distinct=distinct,
                n_blank=blank,
            )
        )
    groups: dict[str, list[str]] = {}
    for c in columns:
        if c.target is not None:
            groups.setdefault(c.target, []).append(c.name)
    return ExportPreview(
        file=os.path.basename(export.name),
        platform=plat,
        encoding=export.encoding,
        delimiter=export.delimiter,
        header_line=header_line,
        header_rows=layout.rows,
        n_records=int(len(body.source_row) + len(body.bad_rows)),
        columns=tuple(columns),
        partnership_column=_partnership(inst, columns, ignored),
        duplicates=tuple((t, tuple(cs)) for t, cs in groups.items() if len(cs) > 1),
        unmatched_items=tuple(i for i in inst.items if i not in groups),
    )


def _header_texts(layout: platforms.HeaderLayout, below: list[list[str]]) -> list[tuple[str, ...]]:
    """The texts of the header rows under the first, per column (blank ones left out)."""
    out = []
    for j in range(len(layout.names)):
        texts = [row[j].strip() for row in below[: layout.rows - 1] if j < len(row)]
        out.append(tuple(x[:_MAX_SHOWN_CHARS] for x in texts if x))
    return out


def _partnership(inst: Instrument, columns: list[ColumnPreview], ignored: set[int]) -> str | None:
    """The partnership column as ingest finds it without ``--group-col``, or None."""
    p_field = inst.field_by_role("partnership")
    if p_field is not None:
        for c in columns:
            if c.target == p_field.id:
                return c.name
    for c in columns:
        if (
            normalise_text(c.name) in PARTNERSHIP_NAMES
            and c.target is None
            and c.position not in ignored
        ):
            return c.name
    return None


def _values(
    column: Any, max_answers: int, max_samples: int
) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...], int, int]:
    """Samples, the most frequent distinct answers, the number distinct and blank."""
    if column is None or len(column) == 0:
        return (), (), 0, 0
    arr = column
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string())
    arr = pc.utf8_trim_whitespace(arr)
    blank = pc.or_(pc.is_null(arr), pc.equal(arr, ""))
    n_blank = int(pc.sum(pc.cast(blank, pa.int64())).as_py() or 0)
    kept = pc.filter(arr, pc.invert(pc.fill_null(blank, True)))
    if len(kept) == 0:
        return (), (), 0, n_blank
    counts = pc.value_counts(kept)
    values = counts.field("values").to_pylist()
    ns = counts.field("counts").to_pylist()
    order = sorted(range(len(values)), key=lambda i: (-ns[i], values[i]))
    answers = tuple((values[i][:_MAX_SHOWN_CHARS], int(ns[i])) for i in order[:max_answers])
    # value_counts lists values in order of first appearance: the first ones are samples
    samples = tuple(v[:_MAX_SHOWN_CHARS] for v in values[:max_samples])
    return samples, answers, len(values), n_blank
