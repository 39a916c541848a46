"""The CSV format of the README ("CSV files written"), written out cell by cell in plain
Python: what every CSV the package writes must be, byte for byte.

It is the README's rules and nothing else (no pandas writer behind it):

* UTF-8, a header row, rows end with LF, no index; a missing value is an empty cell;
* a float column whose values are all whole (and below 2**53) is written as integers;
  other floats as Python's shortest round-trip ``repr`` (``inf`` and ``-inf`` as such);
  integers as digits, booleans as ``True`` / ``False``;
* text cells (and column names) are neutralised: a leading ``'`` before ``= + - @``,
  a tab or a CR at the start, and before ``= + - @`` or a tab after a CR or LF inside;
* a cell holding ``,``, ``"``, LF or CR is quoted with ``"`` doubled (RFC 4180), no
  other cell is; a row whose only cell is empty is ``""`` (so it is not a blank line);
* two columns that are neutralised to the same name are one column: the first one's
  place, the last one's values (with ``neutralise=False`` names are written as given).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from kemitraan_assess.output.neutral import neutralise_text

__all__ = ["readme_csv", "readme_cells"]


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _quote(cell: str) -> str:
    if any(c in cell for c in ',"\n\r'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def readme_cells(col: pd.Series, *, neutralise: bool = True) -> list[str]:
    """The cells of one column as the README writes them, before quoting."""
    values = col.tolist()
    if pd.api.types.is_float_dtype(col.dtype):
        floats = [math.nan if _missing(v) else float(v) for v in values]
        present = [v for v in floats if not math.isnan(v)]
        whole = all(math.isfinite(v) and v == round(v) and abs(v) < 2**53 for v in present)
        return [
            "" if math.isnan(v) else str(int(v)) if whole else repr(v)
            for v in floats  # repr(-0.0) is "-0.0", repr(1e16) is "1e+16"
        ]
    out = []
    for v in values:
        if _missing(v):
            out.append("")
        elif isinstance(v, str):
            out.append(neutralise_text(v) if neutralise else v)
        elif isinstance(v, bool | np.bool_):
            out.append("True" if v else "False")
        elif isinstance(v, float | np.floating):
            out.append(repr(float(v)))
        else:
            out.append(str(v))
    return out


def readme_csv(df: pd.DataFrame, *, neutralise: bool = True) -> bytes:
    """The bytes of ``df`` in the README's CSV format."""
    if neutralise:
        where: dict[str, int] = {}
        for j, name in enumerate(df.columns):
            where[neutralise_text(str(name))] = j
        names, positions = list(where), list(where.values())
    else:  # as given, duplicates too
        names, positions = [str(c) for c in df.columns], list(range(df.shape[1]))
    columns = [readme_cells(df.iloc[:, j], neutralise=neutralise) for j in positions]
    lines = [",".join(_quote(n) for n in names)]
    for i in range(len(df)):
        cells = [_quote(c[i]) for c in columns]
        lines.append('""' if cells == [""] else ",".join(cells))
    return ("\n".join(lines) + "\n").encode("utf-8")
