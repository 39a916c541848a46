"""Safe, atomic, deterministic file writing shared by every stage.

Two guarantees for every file the package writes:

* **Atomic.** Data goes to a temporary file in the target folder, is flushed to disk and
  then moved over the target with :func:`os.replace`, so a reader (or a crash) never sees
  half a file (:mod:`kemitraan_assess.output.atomic`, re-exported here).
* **Inert CSV cells.** A text cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab
  or carriage return) could be run as a formula by a spreadsheet; it is written with a
  leading apostrophe ``'`` (the OWASP "CSV injection" advice). So is every line of a
  multi-line cell: after a line feed or a carriage return inside a cell, a line that
  starts with ``=``, ``+``, ``-``, ``@`` or a tab gets its ``'`` too, for a program that
  splits the cell there (:func:`neutralise_text`). Numeric columns are never touched, so
  ``-1`` in a number column stays ``-1``.
* **Whole rows.** A cell holding ``,``, ``"``, a line feed *or a carriage return* is
  quoted (``"`` doubled), so a reader never splits a row inside a cell.

CSV output is UTF-8 without BOM, LF line endings, no index, empty cells for missing
values, so the same frame always gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import atomic_write_bytes, atomic_write_many, atomic_write_text
from .fastcsv import csv_chunks, frame_csv_bytes
from .neutral import FORMULA_PREFIXES, neutralise_text

__all__ = [
    "FORMULA_PREFIXES",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_many",
    "neutralise_frame",
    "neutralise_text",
    "csv_bytes",
    "csv_payload",
    "write_csv_safe",
]


def _is_text_column(s: pd.Series) -> bool:
    return bool(s.dtype == object or pd.api.types.is_string_dtype(s.dtype)) and not (
        isinstance(s.dtype, pd.CategoricalDtype)
    )


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells cannot act as spreadsheet formulas.

    Cells of text (object, string or categorical) columns that start with one of
    :data:`FORMULA_PREFIXES` get a leading ``'``. Column names are neutralised too.
    Work is done on the unique values of each column, so a million rows cost little.

    Examples
    --------
    >>> import pandas as pd
    >>> neutralise_frame(pd.DataFrame({"c": ["=1+1", "ok", None], "n": [-1, 2, 3]}))["c"].tolist()
    ["'=1+1", 'ok', nan]
    """
    out = {}
    for name, col in df.items():
        s = col
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats = s.cat.categories
            if cats.dtype == object or pd.api.types.is_string_dtype(cats.dtype):
                s = s.cat.rename_categories(_neutral_values(pd.Series(cats, dtype=object)).tolist())
        elif _is_text_column(s):
            mask = s.notna().to_numpy()
            if mask.any():
                values = s.astype(object)
                # only text cells: an object column may also hold booleans or numbers
                raw = values.to_numpy()
                fixed = [neutralise_text(v) if isinstance(v, str) else v for v in raw]
                changed = np.fromiter(
                    (a is not b and a != b for a, b in zip(raw, fixed, strict=True)),
                    dtype=bool,
                    count=len(raw),
                )
                if changed.any():
                    values = values.copy()
                    values[changed] = np.asarray(fixed, dtype=object)[changed]
                    s = values
        out[neutralise_text(str(name))] = s
    return pd.DataFrame(out, index=df.index)


def _neutral_values(values: pd.Series) -> pd.Series:
    return pd.Series(
        [neutralise_text(v) if isinstance(v, str) else v for v in values], dtype=object
    )


def _integral_floats_as_int(df: pd.DataFrame) -> pd.DataFrame:
    """Float columns holding only whole numbers are written without ``.0``."""
    changed = {}
    for name, col in df.items():
        if pd.api.types.is_float_dtype(col.dtype):
            arr = col.to_numpy(dtype=np.float64, na_value=np.nan)
            finite = arr[np.isfinite(arr)]
            if finite.size == arr[~np.isnan(arr)].size and np.all(finite == np.round(finite)):
                if finite.size == 0 or np.abs(finite).max() < 2**53:
                    changed[name] = col.astype("Int64")
    if not changed:
        return df
    out = df.copy()
    for name, col in changed.items():
        out[name] = col
    return out


def csv_bytes(df: pd.DataFrame, *, neutralise: bool = True) -> bytes:
    """The bytes :func:`write_csv_safe` writes for ``df`` (UTF-8, LF, no index).

    The format is the README's ("CSV files written"): float columns that hold only whole
    numbers (answer codes with missing values) are written as integers, other floats
    as Python's shortest round-trip repr. Frames of numbers, booleans and text are
    encoded column by column in C (:mod:`kemitraan_assess.output.fastcsv`); other frames
    (categories, mixed objects, one column) go through pandas' writer, made to give the
    same format.

    Examples
    --------
    >>> import pandas as pd
    >>> csv_bytes(pd.DataFrame({"a": [1.0, None], "b": ["@x", "y"]}))
    b"a,b\\n1,'@x\\n,y\\n"
    """

    fast = frame_csv_bytes(df, neutralise=neutralise)
    if fast is not None:
        return fast
    return _pandas_csv_bytes(df, neutralise=neutralise)


def _pandas_csv_bytes(df: pd.DataFrame, *, neutralise: bool = True) -> bytes:
    """:func:`csv_bytes` through pandas' writer, for frames the fast path does not take.

    Python's :mod:`csv` quotes a cell for the characters of its line terminator only, so
    the frame is written with ``"\\r\\n"`` (a cell holding a carriage return or a line feed
    is then quoted) and the row ends, the CRLFs outside quotes, become LF.
    """
    frame = neutralise_frame(df) if neutralise else df
    frame = _integral_floats_as_int(frame)
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\r\n", na_rep="")
    return _row_ends_to_lf(buf.getvalue().encode("utf-8"))


def _row_ends_to_lf(data: bytes) -> bytes:
    """CRLF outside quoted cells -> LF (a ``"`` inside a quoted cell is doubled, so the
    number of quotes before a byte is even exactly when the byte is outside quotes)."""
    raw = np.frombuffer(data, dtype=np.uint8)
    if raw.size == 0:
        return data
    crlf = np.flatnonzero((raw[:-1] == 13) & (raw[1:] == 10))
    if crlf.size == 0:
        return data
    quotes_before = np.cumsum(raw == 34)
    outside = crlf[(quotes_before[crlf] % 2) == 0]
    keep = np.ones(raw.size, dtype=bool)
    keep[outside] = False
    return raw[keep].tobytes()


def write_csv_safe(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as CSV atomically, with formula-like text cells neutralised.

    Parameters
    ----------
    df
        The table; the index is not written.
    path
        Target file; its folder is created when missing.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> print(write_csv_safe(pd.DataFrame({"c": ["-2+3", "ok"]}), p).read_text(), end="")
    c
    '-2+3
    ok
    """

    chunks = csv_chunks(df)
    if chunks is None:
        return atomic_write_bytes(path, _pandas_csv_bytes(df))
    return atomic_write_many([(path, chunks)])[0]


def csv_payload(df: pd.DataFrame) -> bytes | Iterable[bytes | memoryview]:
    """What :func:`write_csv_safe` writes, as chunks when the fast encoder applies.

    For :func:`atomic_write_many`, which writes chunks as they come.
    """

    chunks = csv_chunks(df)
    return _pandas_csv_bytes(df) if chunks is None else chunks
