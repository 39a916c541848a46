"""Per-partnership entries of ``scores.json``: built once from columns, as dicts and as text.

The layout of a partnership entry is written once, in :func:`partnership_entries`, as a
function of its columns. Called with the real columns it gives the dicts of
``ScoreResult.summary``; called with one-row columns of slot markers it gives a text
template whose slots are filled column by column with pyarrow kernels, so 20,000
partnerships are encoded without a Python step per value. The text is byte for byte what
``json.dumps(summary, ensure_ascii=False, indent=2, allow_nan=False)`` writes (checked in
``tests/scoring/test_summary_json.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..output.fastcsv import float_strings

__all__ = ["Columns", "partnership_entries", "suppressed_entries", "summary_json_bytes"]

_MARK = "\x01"
_SLOT = re.compile(r'"\\u0001(.*?)\\u0001"')
_PLACE = "__partnerships__"
_INDENT = 2
_FALSE_TRUE_JSON = pa.array(["false", "true"], pa.large_string())


def _ls(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


class Columns:
    """Named per-partnership columns of one kind each: float, int, bool, str or obj.

    ``float``: NaN and infinities are ``None`` / ``null``; ``str``: text or None;
    ``obj``: any JSON value (lists, dicts) given per partnership.
    """

    def __init__(self, n: int):
        self.n = n
        self._cols: dict[str, tuple[str, Any]] = {}
        self._py: dict[str, list[Any]] = {}

    def add(self, name: str, kind: str, values: Any) -> None:
        if kind not in ("float", "int", "bool", "str", "obj"):
            raise ValueError(f"unknown column kind {kind!r}")
        if len(values) != self.n:
            raise ValueError(f"column {name!r} has {len(values)} values for {self.n} partnerships")
        self._cols[name] = (kind, values)

    def py(self, name: str) -> list[Any]:
        """The column as Python values, as they appear in the summary dicts."""
        hit = self._py.get(name)
        if hit is not None:
            return hit
        kind, values = self._cols[name]
        if kind == "float":
            arr = np.asarray(values, dtype=np.float64)
            obj = arr.astype(object)
            obj[~np.isfinite(arr)] = None
            out = obj.tolist()
        elif kind == "int":
            out = np.asarray(values).astype(np.int64).tolist()
        elif kind == "bool":
            out = np.asarray(values, dtype=bool).tolist()
        else:
            out = list(values)
        self._py[name] = out
        return out

    def subset(self, mask: np.ndarray) -> Callable[[str], list[Any]]:
        """Column getter restricted to the partnerships where ``mask`` is true."""
        idx = np.flatnonzero(mask)
        if len(idx) == self.n:
            return self.py
        positions = idx.tolist()

        def get(name: str) -> list[Any]:
            values = self.py(name)
            return [values[i] for i in positions]

        return get

    def json_text(self, name: str, pad: int) -> pa.Array:
        """The column as JSON text, one value per partnership (objects indented at ``pad``)."""
        kind, values = self._cols[name]
        if kind == "float":
            arr = np.asarray(values, dtype=np.float64)
            arr = np.where(np.isfinite(arr), arr, np.nan)
            return float_strings(arr, null="null").cast(pa.large_string())
        if kind == "int":
            return pc.cast(pa.array(np.asarray(values).astype(np.int64)), pa.large_string())
        if kind == "bool":
            return _FALSE_TRUE_JSON.take(pa.array(np.asarray(values, dtype=bool).astype(np.int8)))
        if kind == "str":
            enc = pc.dictionary_encode(pa.array(list(values), pa.string()))
            words = [encode_basestring(w) for w in enc.dictionary.to_pylist()] + ["null"]
            idx = pc.fill_null(enc.indices, len(words) - 1)
            return pa.array(words, pa.large_string()).take(idx)
        return pa.array(_indented_objects(values, pad), pa.large_string())


def _indented_objects(values: Sequence[Any], pad: int) -> list[str]:
    """``json.dumps(v, indent=2)`` of each value, re-indented to start at column ``pad``.

    Identical values are indented once. They are recognised by ``repr``, which is as
    strict as the JSON text (``True`` and ``1``, ``1.0`` and ``1`` differ) and cheaper.
    """
    memo: dict[str, str] = {}
    out = []
    for v in values:
        key = repr(v)
        text = memo.get(key)
        if text is None:
            text = json.dumps(v, ensure_ascii=False, indent=_INDENT, allow_nan=False)
            text = memo[key] = text.replace("\n", "\n" + " " * pad)
        out.append(text)
    return out


def _with_rounds(
    entries: list[dict[str, Any]], col: Callable[[str], list[Any]]
) -> list[dict[str, Any]]:
    """Each entry with ``round`` and ``previous_round`` after ``suppressed``."""
    out = []
    for e, cur, prev in zip(entries, col("round"), col("previous_round"), strict=True):
        items = list(e.items())
        out.append(dict([*items[:2], ("round", cur), ("previous_round", prev), *items[2:]]))
    return out


def partnership_entries(
    col: Callable[[str], list[Any]],
    scale_ids: Sequence[str],
    model_ids: Sequence[str],
    *,
    rounds: bool = False,
) -> list[dict[str, Any]]:
    """The ``scores.json`` entries of partnerships shown in full; ``col(name)`` is a column.

    With ``rounds``, each entry names the round its numbers come from (``round``) and the
    round it is compared with (``previous_round``).
    """
    scales = {
        sid: [
            {
                "n": n,
                "mean": mean,
                "sd": sd,
                "ci95": [lo, hi],
                "rwg_j": rwg,
                "agreement": agr,
                "band": band,
                "band_uncertain": unc,
            }
            for n, mean, sd, lo, hi, rwg, agr, band, unc in zip(
                *(
                    col(f"{sid}/{k}")
                    for k in (
                        "n",
                        "mean",
                        "sd",
                        "ci_low",
                        "ci_high",
                        "rwg_j",
                        "agreement",
                        "band",
                        "band_uncertain",
                    )
                ),
                strict=True,
            )
        ]
        for sid in scale_ids
    }
    readiness = [
        {"index": index, "ci95": [lo, hi], "band": band, "band_uncertain": unc, "percentile": pct}
        for index, lo, hi, band, unc, pct in zip(
            *(
                col(f"readiness/{k}")
                for k in ("index", "ci_low", "ci_high", "band", "band_uncertain", "percentile")
            ),
            strict=True,
        )
    ]
    model_scores = [
        dict(zip(model_ids, row, strict=True))
        for row in zip(*(col(f"model/scores/{m}") for m in model_ids), strict=True)
    ]
    if not model_ids:
        model_scores = [{} for _ in col("n")]
    models = [
        {"scores": sc, "top": top, "runner_up": runner, "margin": margin, "clear": clear}
        for sc, top, runner, margin, clear in zip(
            model_scores,
            *(col(f"model/{k}") for k in ("top", "runner_up", "margin", "clear")),
            strict=True,
        )
    ]
    per_scale = [scales[sid] for sid in scale_ids]
    entries = [
        {
            "n": n,
            "suppressed": False,
            "scales": dict(zip(scale_ids, sc, strict=True)),
            "readiness": ready,
            "type": typ,
            "type_share": share,
            "model": model,
            "model_fit": fit,
            "sectors": sectors,
        }
        for n, sc, ready, typ, share, model, fit, sectors in zip(
            col("n"),
            zip(*per_scale, strict=True) if per_scale else ((),) * len(col("n")),
            readiness,
            col("type"),
            col("type_share"),
            models,
            col("model_fit"),
            col("sectors"),
            strict=True,
        )
    ]
    return _with_rounds(entries, col) if rounds else entries


def suppressed_entries(
    col: Callable[[str], list[Any]], *, rounds: bool = False
) -> list[dict[str, Any]]:
    """The ``scores.json`` entries of suppressed partnerships: their size and why."""
    entries = [
        {"n": n, "suppressed": True, "reason": reason}
        for n, reason in zip(col("n"), col("reason"), strict=True)
    ]
    return _with_rounds(entries, col) if rounds else entries


def _slot(name: str) -> str:
    return f"{_MARK}{name}{_MARK}"


def _template(entry: dict[str, Any], depth: int) -> tuple[list[str], list[tuple[str, int]]]:
    """Literal pieces and (slot, indentation) pairs of an entry written at ``depth``."""
    text = json.dumps(entry, ensure_ascii=False, indent=_INDENT, allow_nan=False)
    text = text.replace("\n", "\n" + " " * (_INDENT * depth))
    pieces, slots, pos = [], [], 0
    for m in _SLOT.finditer(text):
        pieces.append(text[pos : m.start()])
        line_start = text.rfind("\n", 0, m.start()) + 1
        pad = len(text[line_start : m.start()]) - len(text[line_start : m.start()].lstrip(" "))
        slots.append((m.group(1), pad))
        pos = m.end()
    pieces.append(text[pos:])
    return pieces, slots


def _fill(
    pieces: list[str], slots: list[tuple[str, int]], cols: Columns, prefix: pa.Array
) -> pa.Array:
    args: list[Any] = [prefix, _ls(pieces[0])]
    for (name, pad), piece in zip(slots, pieces[1:], strict=True):
        args += [cols.json_text(name, pad), _ls(piece)]
    return pc.binary_join_element_wise(*args, _ls(""))


def summary_json_bytes(
    summary: dict[str, Any],
    names: Sequence[str],
    suppressed: np.ndarray,
    cols: Columns,
    scale_ids: Sequence[str],
    model_ids: Sequence[str],
    *,
    rounds: bool = False,
) -> bytes:
    """``json.dumps(summary, ensure_ascii=False, indent=2, allow_nan=False) + "\\n"`` as UTF-8.

    ``summary["partnerships"]`` must be the entries :func:`partnership_entries` and
    :func:`suppressed_entries` build from ``cols`` for ``names`` (in that order).
    """
    head = dict(summary)
    head["partnerships"] = _slot(_PLACE)
    outer = json.dumps(head, ensure_ascii=False, indent=_INDENT, allow_nan=False) + "\n"
    marker = json.dumps(_slot(_PLACE), ensure_ascii=False)
    before, after = outer.split(marker)
    if len(names) == 0:
        return (before + "{}" + after).encode("utf-8")

    def slots(name: str) -> list[str]:
        return [_slot(name)]

    full_pieces, full_slots = _template(
        partnership_entries(slots, scale_ids, model_ids, rounds=rounds)[0], 2
    )
    keys = pa.array(
        [" " * (2 * _INDENT) + encode_basestring(str(k)) + ": " for k in names], pa.large_string()
    )
    text = _fill(full_pieces, full_slots, cols, keys)
    sup = np.asarray(suppressed, dtype=bool)
    if sup.any():
        sup_pieces, sup_slots = _template(suppressed_entries(slots, rounds=rounds)[0], 2)
        text = pc.if_else(pa.array(sup), _fill(sup_pieces, sup_slots, cols, keys), text)
    lines = pc.binary_join_element_wise(text, _ls(",\n"), _ls(""))
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    lo, hi = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
    body = memoryview(lines.buffers()[2])[lo : hi - 2]  # no comma after the last entry
    return b"".join(
        [before.encode("utf-8"), b"{\n", body, b"\n" + b" " * _INDENT + b"}", after.encode("utf-8")]
    )
