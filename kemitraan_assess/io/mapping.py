"""Map export columns to instrument items and fields, and answer labels to codes.

Column headers are compared after :func:`normalise_text` (Unicode NFKC, typographic
quotes to ASCII, case folded, spaces collapsed, trailing punctuation dropped). A header
is tried as written, then as the row text of a grid header ``Question [row]``, then
without group prefixes (``group/item`` from KoboToolbox, ``group-item`` from ODK
Central), then without a ``CODE.`` prefix (LimeSurvey "code and text" headings).

Answer labels are mapped per distinct value (never per row), so a million answers cost
as much as the handful of distinct labels in them.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from ..errors import DataError
from ..instrument.model import Instrument, RespondentField, ResponseScale
from ..safeyaml import load_yaml

__all__ = [
    "normalise_text",
    "header_candidates",
    "ColumnIndex",
    "MappingSpec",
    "load_mapping",
    "ScaleCoder",
    "ChoiceCoder",
    "PARTNERSHIP_NAMES",
    "PROBLEM_CODES",
]

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "\u0060": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)
_SPACES = re.compile(r"\s+")
_TRAIL = re.compile(r"[\s.,:;?!\u2026*]+$")
_LEAD = re.compile(r"^[\s*]+")


def normalise_text(value: str) -> str:
    """The comparison key of a header or label.

    Examples
    --------
    >>> normalise_text("  Tujuan  kemitraan\\u2019s JELAS? ")
    "tujuan kemitraan's jelas"
    >>> normalise_text("Ｓangat setuju.")
    'sangat setuju'
    >>> normalise_text("Sangat S\u00e9tuju\u200b")
    'sangat setuju'
    """
    text = unicodedata.normalize("NFKC", str(value)).translate(_QUOTES).casefold()
    if not text.isascii():  # invisible format characters out, accents off Latin letters
        text = "".join(c for c in text if unicodedata.category(c) != "Cf")
        text = unicodedata.normalize(
            "NFC",
            "".join(
                c for c in unicodedata.normalize("NFKD", text) if not "\u0300" <= c <= "\u036f"
            ),
        )
    text = _SPACES.sub(" ", text)
    text = _TRAIL.sub("", text)
    return _LEAD.sub("", text)


PARTNERSHIP_NAMES = (
    "partnership",
    "partnership name",
    "partnership_name",
    "kemitraan",
    "nama kemitraan",
    "nama_kemitraan",
    "partnership id",
    "partnership_id",
)
"""Header names taken as the partnership column when the instrument has none that matches."""

_GRID = re.compile(r"^(?P<q>.*?)\s*\[(?P<row>[^\[\]]+)\]\s*$")
_CODE_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9_\[\]]*\.\s+(?P<rest>.+)$")
_ENUMERATOR = re.compile(
    r"""^\s*(?P<enum>
        (?: \(?\d{1,3}(?:\.\d{1,3})*[a-z]?\)?                  # 1  1.2  1a  (1)
          | [A-Za-z]{1,4}[-_]?\d{1,3}(?:\.\d{1,3})*[a-z]?          # Q1  A1  SF-2  Q1.2
        ) (?: \s*[.):]\s* | \s+[-\u2013\u2014]\s* | \s+ )
      | [A-Za-z] [.)] \s+                                      # a)  b.
    )(?P<rest>\S.*)$""",
    re.VERBOSE,
)


def strip_enumerator(header: str) -> tuple[str, str] | None:
    """``(enumerator, rest)`` when a header starts with a question number, else None.

    Examples
    --------
    >>> strip_enumerator("1. This partnership has clear goals")
    ('1.', 'This partnership has clear goals')
    >>> heads = ["Q1. Goals", "1) Goals", "A1 - Goals", "(2) Goals", "Q12 Goals"]
    >>> [strip_enumerator(h)[0] for h in heads]
    ['Q1.', '1)', 'A1 -', '(2)', 'Q12']
    >>> strip_enumerator("Goals are clear") is None
    True
    """
    m = _ENUMERATOR.match(header)
    if m is None:
        return None
    return m.group("enum").strip(), m.group("rest")


def _stripped_prefix(header: str, rest: str) -> str | None:
    """What was cut from the front of ``header`` (or of its grid row) to leave ``rest``."""
    g = _GRID.match(header)
    for text in (header, g.group("row") if g else ""):
        pos = text.rfind(rest) if rest else -1
        if pos > 0:
            return text[:pos].strip()
    return None


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slug_key(text: str) -> str:
    """The comparison key of a name made from a label (``Sangat_setuju`` ~ "Sangat setuju.").

    Lower case, every run of characters other than ASCII letters and digits one ``_``,
    none at the ends: what KoboToolbox's formbuilder does to a label to make a choice
    or question name, so that the name and the label give the same key.

    Examples
    --------
    >>> slug_key("Tidak tahu"), slug_key("tidak__tahu_"), slug_key("Don't know")
    ('tidak_tahu', 'tidak_tahu', 'don_t_know')
    """
    return _NON_ALNUM.sub(
        "_", unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    ).strip("_")


def kobo_names(label: str, *, choice: bool = False) -> set[str]:
    """The slug keys of the names KoboToolbox's formbuilder makes from a label.

    Besides the full slug: names over 40 characters shortened to their first and last
    20, and (``choice=True``) choice values cut to 14 characters by the older formbuilder
    (kobotoolbox/kpi ``kpi/utils/sluggify.py`` ``_shorten_long_name``; ``jsapp/xlform/src/
    view.choices.coffee`` ``characterLimit: 14``).

    Examples
    --------
    >>> sorted(kobo_names("Yes, and some extracellular space", choice=True))[:2]
    ['yes_and_some', 'yes_and_some_extracellular_space']
    """
    raw = re.sub(r"[^a-zA-Z0-9_]+", "_", re.sub(r"\s", "_", label.strip()))
    raw = raw[:-1] if raw.endswith("_") and raw != "_" else raw
    out = {slug_key(label)}
    if len(raw) > 40:
        out.add(slug_key(raw[:20] + "_" + raw[-20:]))
    if choice and len(raw) > 14:
        out.add(slug_key(raw.lower()[:14]))
    out.discard("")
    return out


def header_candidates(name: str) -> list[tuple[str, str]]:
    """The strings a header may match, most specific first, with how each was derived.

    Examples
    --------
    >>> [c for c, _ in header_candidates("grp_tujuan/GOL1")]
    ['grp_tujuan/GOL1', 'GOL1', 'tujuan/GOL1']
    >>> header_candidates("Tujuan [Tujuan kemitraan jelas]")[1]
    ('Tujuan kemitraan jelas', 'grid')
    """
    out: list[tuple[str, str]] = [(name, "full")]
    m = _GRID.match(name)
    if m:
        out.append((m.group("row"), "grid"))
    for sep, how in (("/", "group"), ("-", "dash"), ("_", "underscore")):
        if sep in name:
            parts = name.split(sep)
            out.extend((sep.join(parts[i:]), how) for i in range(len(parts) - 1, 0, -1))
    m = _CODE_PREFIX.match(name)
    if m:
        rest = m.group("rest")
        out.append((rest, "code"))
        m2 = _GRID.match(rest)
        if m2:
            out.append((m2.group("row"), "grid"))
    for text in [name] + ([out[1][0]] if len(out) > 1 and out[1][1] == "grid" else []):
        e = strip_enumerator(text)
        if e is not None:
            out.append((e[1], "enumerator"))
    first: dict[str, str] = {}
    for c, h in out:
        if c:
            first.setdefault(c, h)
    return list(first.items())


@dataclass(frozen=True)
class Target:
    """What a column holds: an item, a field, or platform metadata."""

    kind: str  # "item" | "field" | "meta"
    id: str
    # how: "id", "alias", "text", "grid", "group", "code", "enumerator", "slug", "mapping", "option"
    how: str
    prefix: str | None = None  # the enumerator stripped from the header ("1.", "Q1.", "A1 -")


class ColumnIndex:
    """Look-up of headers against an instrument's item and field ids, aliases and texts.

    Ids and aliases match after case folding; texts after :func:`normalise_text` in
    every language of the instrument. Group-prefix and ``_``-split candidates match ids
    and aliases only, never texts, so a hyphen inside a question does not split it.
    """

    def __init__(self, instrument: Instrument, extra: Mapping[str, str] | None = None):
        self.instrument = instrument
        self.ids: dict[str, Target] = {}
        self.texts: dict[str, Target] = {}
        slugs: dict[str, set[Target]] = {}
        self.extra = {normalise_text(k): v for k, v in (extra or {}).items()}
        fields = {f.id: f for f in instrument.fields}
        for item in instrument.items.values():
            self._add_ids(item.id, [item.id, *item.aliases], "item")
            for text in [*item.text.values(), *((item.short or {}).values())]:
                self.texts.setdefault(normalise_text(text), Target("item", item.id, "text"))
                for key in kobo_names(text):
                    slugs.setdefault(key, set()).add(Target("item", item.id, "slug"))
        for f in fields.values():
            self._add_ids(f.id, [f.id, *f.aliases], "field")
            for text in f.text.values():
                self.texts.setdefault(normalise_text(text), Target("field", f.id, "text"))
                for key in kobo_names(text):
                    slugs.setdefault(key, set()).add(Target("field", f.id, "slug"))
        # a name made from a label (KoboToolbox formbuilder), when it points to one target
        self.slugs = {k: next(iter(v)) for k, v in slugs.items() if len(v) == 1}

    def _add_ids(self, ident: str, names: Iterable[str], kind: str) -> None:
        for i, name in enumerate(names):
            self.ids.setdefault(
                name.casefold().strip(), Target(kind, ident, "id" if i == 0 else "alias")
            )

    def resolve_target(self, name: str) -> Target | None:
        """The item or field whose id is ``name`` (for ``--mapping`` and ``--group-col``)."""
        key = name.casefold().strip()
        if key in self.ids:
            t = self.ids[key]
            return Target(t.kind, t.id, "mapping")
        return None

    def match(self, candidates: Sequence[str]) -> Target | None:
        """The first target matched by any candidate header string."""
        for cand in candidates:
            for sub, how in header_candidates(cand):
                norm = normalise_text(sub)
                if how == "full" and norm in self.extra:
                    target = self.resolve_target(self.extra[norm])
                    if target is not None:
                        return target
                key = sub.casefold().strip()
                if key in self.ids:
                    t = self.ids[key]
                    return Target(t.kind, t.id, t.how if how == "full" else how)
                if norm in self.texts and how in ("full", "grid", "group", "code", "enumerator"):
                    t = self.texts[norm]
                    prefix = _stripped_prefix(cand, sub) if how in ("code", "enumerator") else None
                    return Target(t.kind, t.id, "text" if how == "full" else how, prefix)
        for cand in candidates:  # names made from labels, last: the least specific match
            for sub, how in header_candidates(cand):
                if how in ("full", "group"):
                    by_slug = self.slugs.get(slug_key(sub))
                    if by_slug is not None:
                        return by_slug
        return None


@dataclass
class MappingSpec:
    """A user's ``--mapping``: column → item/field id, and label → code."""

    columns: dict[str, str] = field(default_factory=dict)
    labels: dict[str, float] = field(default_factory=dict)
    source: str | None = None


def load_mapping(mapping: str | Path | Mapping[str, Any] | MappingSpec | None) -> MappingSpec:
    """Read a mapping file (YAML or CSV) or a dict.

    YAML: ``{columns: {"Header in export": ITEM_ID}, labels: {"Setuju sekali": 5}}`` (a
    flat ``{header: id}`` mapping is read as ``columns``). CSV: a header ``column,target``
    (or ``column,item``) for columns and/or ``label,code`` rows for labels. A column
    mapped to nothing (``"Q20_TEXT": ~`` or an empty target) is left out, even when its
    header matches an item.

    Examples
    --------
    >>> load_mapping({"columns": {"Q 1": "GOL1"}, "labels": {"Sangat sangat setuju": 5}}).labels
    {'Sangat sangat setuju': 5.0}
    """
    if mapping is None:
        return MappingSpec()
    if isinstance(mapping, MappingSpec):
        return mapping
    source = None
    if isinstance(mapping, (str, Path)):
        path = Path(mapping)
        source = str(path)
        if not path.is_file():
            raise DataError("mapping file not found", file=source)
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".csv":
            return _mapping_from_csv(text, source)
        try:
            data = load_yaml(text)  # bounded: no alias bomb
        except yaml.YAMLError as exc:
            raise DataError(
                f"mapping file is not valid YAML: {exc}", file=source, code="mapping.yaml"
            ) from None
    else:
        data = dict(mapping)
    if not isinstance(data, dict):
        raise DataError(
            "a mapping must be a YAML mapping (columns: ..., labels: ...)",
            file=source,
            code="mapping.not_a_mapping",
        )
    if "columns" in data or "labels" in data:
        cols = data.get("columns") or {}
        labels = data.get("labels") or {}
    else:
        cols, labels = data, {}
    if not isinstance(cols, dict) or not isinstance(labels, dict):
        raise DataError(
            "'columns' and 'labels' must be mappings", file=source, code="mapping.not_a_mapping"
        )
    out_labels = {}
    for k, v in labels.items():
        try:
            out_labels[str(k)] = float(v)
        except (TypeError, ValueError):
            raise DataError(
                f"label {k!r} maps to {v!r}, which is not a number",
                file=source,
                code="mapping.label_code",
                params={"label": str(k), "code": str(v)},
            ) from None
    columns = {str(k): "" if v is None else str(v) for k, v in cols.items()}
    return MappingSpec(columns, out_labels, source)


def _mapping_from_csv(text: str, source: str) -> MappingSpec:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise DataError("mapping file is empty", file=source)
    head = [h.strip().casefold() for h in rows[0]]
    spec = MappingSpec(source=source)
    for n, row in enumerate(rows[1:], start=2):
        if len(row) < 2 or not row[0].strip():
            continue
        if head[:1] == ["label"]:
            try:
                spec.labels[row[0]] = float(row[1])
            except ValueError:
                raise DataError(f"code {row[1]!r} is not a number", file=source, row=n) from None
        else:
            spec.columns[row[0]] = row[1].strip()
    return spec


# ---------------------------------------------------------------------------- labels
PROBLEM_CODES = {1: "out_of_range", 2: "not_integer", 3: "unmapped_label"}
"""Problem codes of unusable item cells (``cell_issues.problem``)."""

MISSING = -1.0  # marker in the per-value table: a missing-value label or code
_LEADING_CODE = re.compile(r"^\(?(?P<num>[+-]?\d+)\)?\s*(?:[-.=:)\u2013]\s*)?(?P<rest>.*)$")
_LIME_CODE = re.compile(r"^(?:AO|A|SQ)0*(?P<num>\d+)$", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


class ScaleCoder:
    """Turns the answers of items on one response scale into codes.

    ``code(values)`` returns float64 codes (NaN for missing or invalid), a per-row
    problem code (0 none, see :data:`PROBLEM_CODES`) and a boolean "answered with a
    missing-value label or code" mask.
    """

    def __init__(self, scale: ResponseScale, extra_labels: Mapping[str, float] | None = None):
        self.scale = scale
        table: dict[str, float] = {}
        for code, text in scale.labels.items():
            for label in text.values():
                table.setdefault(normalise_text(label), float(code))
        for code, variants in scale.label_variants.items():
            for label in variants:
                table.setdefault(normalise_text(label), float(code))
        self.missing = {normalise_text(v) for lab in scale.missing_labels for v in lab.values()}
        self.missing |= {"n/a", "na", "-", "--", ".", "nan", "null", "none", "#n/a"}
        for k, v in (extra_labels or {}).items():
            table[normalise_text(k)] = float(v)
        self.table = table
        # choice names a formbuilder made from the labels (sangat_setuju, tidak_tahu, ...)
        slugs: dict[str, set[float]] = {}
        for label, value in table.items():
            for key in kobo_names(label, choice=True):
                slugs.setdefault(key, set()).add(value)
        for label in self.missing:
            for key in kobo_names(label, choice=True):
                slugs.setdefault(key, set()).add(MISSING)
        self.slugs = {k: next(iter(v)) for k, v in slugs.items() if len(v) == 1}
        self.missing_codes = {float(c) for c in scale.missing_codes}
        self._cache: dict[str, tuple[float, int]] = {}

    def _check_number(self, x: float) -> tuple[float, int]:
        if x in self.missing_codes:
            return MISSING, 0
        if not math.isfinite(x):
            return math.nan, 2
        if x != round(x):
            return math.nan, 2
        if not self.scale.min <= x <= self.scale.max:
            return math.nan, 1
        return float(x), 0

    def code_one(self, value: str) -> tuple[float, int]:
        """(code, problem) of one distinct answer text; code is MISSING for missing labels."""
        hit = self._cache.get(value)
        if hit is not None:
            return hit
        out = self._code_one(value)
        self._cache[value] = out
        return out

    def _code_one(self, value: str) -> tuple[float, int]:
        raw = value.strip()
        norm = normalise_text(raw)
        if norm in self.table:
            return self.table[norm], 0
        if norm in self.missing or not norm:
            return MISSING, 0
        if _NUMBER.match(raw):
            return self._check_number(float(raw.replace(",", ".")))
        m = _LIME_CODE.match(raw)
        if m:
            return self._check_number(float(m.group("num")))
        hit = self.slugs.get(slug_key(raw))
        if hit is not None:
            return hit, 0
        m = _LEADING_CODE.match(raw)
        if m and m.group("rest"):
            rest = normalise_text(m.group("rest"))
            num = float(m.group("num"))
            if rest in self.table and self.table[rest] == num:
                return self._check_number(num)
            if rest in self.missing:
                return MISSING, 0
            labels = self.scale.labels.get(int(num)) if num == int(num) else None
            if labels is None and self.scale.min <= num <= self.scale.max and not self.scale.labels:
                return self._check_number(num)
        return math.nan, 3

    def code(
        self, values: Any, out: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Codes, problem codes and missing-label mask of a column (vectorised).

        ``values`` is a pyarrow Array or ChunkedArray; ``out``, when given, receives the
        codes (float64, NaN for missing or invalid) and is returned.
        """
        n = len(values)
        x = np.empty(n, dtype=np.float64) if out is None else out
        typ = values.type
        if pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_boolean(typ):
            _to_float(values, x)
            problem = np.zeros(n, dtype=np.int8)
            missing = np.zeros(n, dtype=bool)
            if not self.missing_codes and not pa.types.is_floating(typ):
                lo, hi = (v.as_py() for v in pc.min_max(values).values())
                if lo is None or (self.scale.min <= lo and hi <= self.scale.max):
                    return x, problem, missing  # whole numbers, all in range: nothing to check
            present = ~np.isnan(x)
            if self.missing_codes:
                miss = np.isin(x, list(self.missing_codes))
                missing |= miss
                present &= ~miss
            if pa.types.is_floating(typ):
                nonint = present & (x != np.round(x))
                problem[nonint] = 2
                present &= ~nonint
            bad = present & ((x < self.scale.min) | (x > self.scale.max))
            problem[bad] = 1
            x[~present | bad] = np.nan
            return x, problem, missing
        if not (pa.types.is_string(typ) or pa.types.is_large_string(typ)):
            values = pc.cast(values, pa.string())
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        enc = pc.dictionary_encode(values)
        indices = enc.indices.to_numpy(zero_copy_only=False)
        nulls = pc.is_null(enc.indices).to_numpy(zero_copy_only=False)
        dictionary = enc.dictionary.to_pylist()
        codes = np.empty(len(dictionary) + 1, dtype=np.float64)
        probs = np.zeros(len(dictionary) + 1, dtype=np.int8)
        for i, v in enumerate(dictionary):
            codes[i], probs[i] = self.code_one(v)
        codes[-1] = np.nan  # null cells
        idx = np.where(nulls, len(dictionary), np.nan_to_num(indices, nan=0)).astype(
            np.intp, copy=False
        )
        np.take(codes, idx, out=x)
        problem = probs[idx]
        missing = x == MISSING
        x[missing] = np.nan
        return x, problem, missing


def _to_float(values: Any, out: np.ndarray) -> None:
    """Numbers of a pyarrow (chunked) array into ``out`` as float64, NaN where null.

    Integer chunks are converted straight from their data buffer (one pass, no
    temporary array); other types go through pyarrow's conversion.
    """
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    pos = 0
    for chunk in chunks:
        k = len(chunk)
        seg = out[pos : pos + k]
        pos += k
        if not pa.types.is_integer(chunk.type) or chunk.null_count == k:
            np.copyto(seg, chunk.to_numpy(zero_copy_only=False), casting="unsafe")
            continue
        bufs = chunk.buffers()
        data = np.frombuffer(bufs[1], dtype=chunk.type.to_pandas_dtype())[
            chunk.offset : chunk.offset + k
        ]
        np.copyto(seg, data, casting="unsafe")
        if chunk.null_count:
            valid = np.unpackbits(np.frombuffer(bufs[0], dtype=np.uint8), bitorder="little")
            seg[valid[chunk.offset : chunk.offset + k] == 0] = np.nan


class ChoiceCoder:
    """Turns answers of a choice field (code or label in any language) into choice codes."""

    def __init__(self, fld: RespondentField):
        self.field = fld
        table: dict[str, str] = {}
        slugs: dict[str, set[str]] = {}
        for ch in fld.choices:
            table.setdefault(normalise_text(ch.code), ch.code)
            for label in [*ch.label.values(), *ch.variants]:
                table.setdefault(normalise_text(label), ch.code)
                for key in kobo_names(label, choice=True):
                    slugs.setdefault(key, set()).add(ch.code)
        self.table = table
        self.slugs = {k: next(iter(v)) for k, v in slugs.items() if len(v) == 1}

    def code(self, values: pa.Array) -> tuple[pa.Array, np.ndarray]:
        """Choice codes (null when blank or unknown) and a mask of unknown answers."""
        if not pa.types.is_string(values.type):
            values = pc.cast(values, pa.string())
        enc = pc.dictionary_encode(values)
        dictionary = enc.dictionary.to_pylist()
        mapped = [
            (self.table.get(normalise_text(v)) or self.slugs.get(slug_key(v)))
            if v.strip()
            else None
            for v in dictionary
        ]
        unknown = np.array(
            [m is None and bool(v.strip()) for v, m in zip(dictionary, mapped, strict=True)]
            + [False]
        )
        idx = enc.indices.to_numpy(zero_copy_only=False)
        nulls = pc.is_null(enc.indices).to_numpy(zero_copy_only=False)
        idx = np.where(nulls, len(dictionary), idx).astype(np.intp, copy=False)
        out = pa.array(mapped + [None], type=pa.string()).take(pa.array(idx))
        return out, unknown[idx]
