"""Benchmark: ``kemitraan-assess reliability --format json`` against a bare pyarrow read.

Writes the synthetic export of :mod:`bench_ingest_score` (N respondents x 40 items in 5
scales, 20,000 partnerships at 1M rows, ~3 % blank answers, a free-text column) and the
bench instrument (as YAML) to a temporary folder, then times in the same run:

* a bare ``pyarrow.csv.read_csv`` of the file (in this process, best of 3 below 1M rows);
* the whole command ``kemitraan-assess reliability FILE --instrument BENCH.yaml --format
  json -o out.json`` as a subprocess (interpreter start, imports, ingest, validation,
  JSON), wall time.

It prints both, their ratio (issue 5 asks for at most 3x) and the peak RSS of the child
(``resource.getrusage(RUSAGE_CHILDREN)``, the largest child so far). A second line splits
the command's work: a fresh interpreter importing the package (a subprocess), then
``ingest`` and ``validate`` timed in this process (the JSON is written in milliseconds).

Usage::

    python benchmarks/bench_reliability.py                # 100k and 1M rows
    python benchmarks/bench_reliability.py 10000 100000
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_ingest_score import bench_instrument, write_export  # noqa: E402

from kemitraan_assess.instrument.xlsform import dump_instrument_yaml  # noqa: E402
from kemitraan_assess.io import ingest  # noqa: E402
from kemitraan_assess.validation import validate  # noqa: E402

LIMIT = 3.0


def start_and_imports() -> float:
    """Wall time of a fresh interpreter importing what the command imports."""
    code = "import kemitraan_assess.cli, kemitraan_assess.io, kemitraan_assess.validation"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - t0


def bare_read(path: Path, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        pacsv.read_csv(path)
        best = min(best, time.perf_counter() - t0)
    return best


def run_reliability(path: Path, instrument: Path, out: Path) -> float:
    cmd = [
        sys.executable,
        "-m",
        "kemitraan_assess",
        "reliability",
        str(path),
        "--instrument",
        str(instrument),
        "--format",
        "json",
        "-o",
        str(out),
        "--quiet",
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"reliability failed ({proc.returncode}): {proc.stderr.strip()}")
    return elapsed


def main(sizes: list[int]) -> None:
    inst = bench_instrument()
    with tempfile.TemporaryDirectory() as tmp:
        inst_path = Path(tmp) / "bench.yaml"
        inst_path.write_text(dump_instrument_yaml(inst), encoding="utf-8")
        for n in sizes:
            path = Path(tmp) / f"export_{n}.csv"
            out = Path(tmp) / f"reliability_{n}.json"
            write_export(path, n)
            mb = path.stat().st_size / 1e6
            bare = bare_read(path, 3 if n < 1_000_000 else 1)
            cmd = run_reliability(path, inst_path, out)
            rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            res = json.loads(out.read_text(encoding="utf-8"))
            ok = "ok" if cmd <= LIMIT * bare else f"ABOVE {LIMIT:g}x"
            print(
                f"rows={n:>9,}  file={mb:6.1f} MB  bare pyarrow read {bare:6.3f} s  "
                f"reliability --format json {cmd:6.3f} s  ratio {cmd / bare:5.2f}x ({ok})  "
                f"child peak RSS {rss:,.0f} MiB  n_respondents={res['n_respondents']:,}"
            )
            t0 = time.perf_counter()
            ing = ingest(path, inst)
            t1 = time.perf_counter()
            validate(ing.responses, inst)
            t2 = time.perf_counter()
            print(
                f"    start + imports {start_and_imports():5.3f} s, ingest {t1 - t0:6.3f} s "
                f"({(t1 - t0) / bare:4.2f}x the read), validate {t2 - t1:6.3f} s "
                f"({(t2 - t1) / bare:4.2f}x)"
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
