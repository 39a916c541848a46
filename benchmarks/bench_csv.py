"""Benchmark: the CSV writer (``kemitraan_assess.output.safecsv.csv_bytes``) on a table
shaped like ``respondents.csv`` of a large survey, against ``pyarrow.csv.write_csv`` of
the same table (and, with ``--pandas``, ``DataFrame.to_csv``).

The table: N rows of a respondent id, a partnership name (20,000 names, some with a
comma or a formula start), a free-text comment (10 % empty), 11 scale scores (means of
answer codes, ~3 % missing), a whole-number column with missing values and a flag.

Usage::

    python benchmarks/bench_csv.py              # 1,000,000 rows
    python benchmarks/bench_csv.py 100000 --pandas

The machine is shared: each writer runs ``--repeat`` times (default 3), in alternation,
and the best time of each is printed.
"""

from __future__ import annotations

import argparse
import io
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from kemitraan_assess.output.safecsv import csv_bytes


def table(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    names = np.array(
        [f"Forum Kota {i}" if i % 50 else f"=Forum, Kab. {i}" for i in range(20_000)],
        dtype=object,
    )
    comments = np.array(["", "baik", "rapat rutin, tiap bulan", "-perlu dana", 'kata "ok"'])
    frame = {
        "respondent_id": pd.Series([f"r{i}" for i in range(n)], dtype="str"),
        "partnership": pd.Series(names[rng.integers(0, len(names), n)], dtype="str"),
        "comment": pd.Series(comments[rng.integers(0, len(comments), n)], dtype="str"),
    }
    for k in range(11):
        scores = rng.integers(6, 31, n) / 6
        scores[rng.random(n) < 0.03] = np.nan
        frame[f"S{k}"] = scores
    whole = rng.integers(1, 6, n).astype(float)
    whole[rng.random(n) < 0.03] = np.nan
    frame["answer"] = whole
    frame["suppressed"] = rng.random(n) < 0.1
    return pd.DataFrame(frame)


def best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rows", nargs="*", type=int, default=[1_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pandas", action="store_true", help="also time DataFrame.to_csv")
    args = ap.parse_args()
    for n in args.rows:
        df = table(n)
        arrow = pa.Table.from_pandas(df, preserve_index=False)
        ours = best(lambda df=df: csv_bytes(df), args.repeat)
        bare = best(lambda t=arrow: pacsv.write_csv(t, io.BytesIO()), args.repeat)
        size = len(csv_bytes(df)) / 1e6
        line = (
            f"rows={n:,}  {size:.1f} MB  csv_bytes {ours:.3f} s  "
            f"pyarrow.csv.write_csv {bare:.3f} s  ratio {ours / bare:.2f}x"
        )
        if args.pandas:
            pd_s = best(lambda df=df: df.to_csv(io.StringIO(), index=False), 1)
            line += f"  pandas to_csv {pd_s:.3f} s"
        print(line, flush=True)


if __name__ == "__main__":
    main()
