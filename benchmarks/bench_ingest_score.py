"""Benchmark: ingest (and later score) of a large export against a bare pyarrow read.

Writes a synthetic export of N respondents x 40 items (20,000 partnerships at 1M rows,
~3 % blank answers, a free-text column) to a temporary folder and prints, for each size:
the bare ``pyarrow.csv.read_csv`` time, the time of each stage, their ratio, the cost
per row, and the peak RSS of the process.

Usage::

    python benchmarks/bench_ingest_score.py            # 10k, 100k, 1M rows
    python benchmarks/bench_ingest_score.py 10000 100000

Stages are plain functions ``(path, instrument) -> object`` in :data:`STAGES`; add a
stage (e.g. ``score``) by appending ``("score", time_score)``.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kemitraan_assess.instrument.model import Instrument  # noqa: E402
from kemitraan_assess.io import ingest  # noqa: E402

N_ITEMS = 40


def bench_instrument() -> Instrument:
    """A 40-item, 5-scale instrument with a partnership field (one language)."""
    scales = []
    for s in range(5):
        items = [
            {"id": f"S{s + 1}I{i + 1}", "text": {"en": f"Scale {s + 1} item {i + 1}"}, "response": "agree5"}
            for i in range(N_ITEMS // 5)
        ]
        scales.append({"id": f"S{s + 1}", "name": {"en": f"Scale {s + 1}"}, "items": items})
    return Instrument.model_validate(
        {
            "id": "bench",
            "version": "1.0.0",
            "languages": ["en"],
            "response_scales": {"agree5": {"min": 1, "max": 5}},
            "scales": scales,
            "fields": [
                {"id": "partnership", "role": "partnership", "text": {"en": "Partnership"}},
                {"id": "respondent_id", "role": "respondent_id", "text": {"en": "Respondent"}},
                {"id": "comment", "role": "comment", "text": {"en": "Comment"}},
            ],
        }
    )


def write_export(path: Path, n: int, *, seed: int = 1) -> None:
    """Write an n-row export: id, partnership, 40 items (~3 % blank), a free-text comment."""
    rng = np.random.default_rng(seed)
    n_groups = max(1, min(20_000, n // 50))
    words = np.array(["baik", "rapat rutin", "perlu dana", "komunikasi, lancar", "-", ""], dtype=object)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("respondent_id,partnership," + ",".join(f"S{s + 1}I{i + 1}" for s in range(5) for i in range(8)) + ",comment\n")
        chunk = 50_000  # generated chunk by chunk so that the writer's memory stays small
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            m = stop - start
            group = rng.integers(0, n_groups, m)
            cells = rng.integers(1, 6, size=(m, N_ITEMS)).astype(str).astype(object)
            cells[rng.random((m, N_ITEMS)) < 0.03] = ""
            comments = words[rng.integers(0, len(words), m)]
            lines = []
            for k, row in enumerate(cells):
                c = comments[k]
                c = f'"{c}"' if "," in c else c
                lines.append(f"R{start + k},Kemitraan {group[k]}," + ",".join(row) + "," + c)
            fh.write("\n".join(lines) + "\n")


def time_bare_read(path: Path, instrument: Instrument) -> object:
    return pacsv.read_csv(path)


def time_ingest(path: Path, instrument: Instrument) -> object:
    return ingest(path, instrument)


STAGES: list[tuple[str, Callable[[Path, Instrument], object]]] = [
    ("ingest", time_ingest),
]
"""Stages timed against the bare read; each is called as ``fn(path, instrument)``."""


def timed(fn: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(sizes: list[int]) -> None:
    inst = bench_instrument()
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"export_{n}.csv"
            write_export(path, n)
            mb = path.stat().st_size / 1e6
            repeat = 3 if n <= 100_000 else 1
            bare, _ = timed(lambda: time_bare_read(path, inst), repeat)
            print(f"rows={n:>9,}  file={mb:7.1f} MB  bare pyarrow read: {bare:7.3f} s  ({bare / n * 1e6:6.2f} us/row)")
            for name, fn in STAGES:
                t, out = timed(lambda fn=fn: fn(path, inst), repeat)
                extra = ""
                if hasattr(out, "responses"):
                    extra = f"  kept={len(out.responses):,} rejected={len(out.rejected):,}"
                print(f"    {name:<8} {t:7.3f} s  ratio {t / bare:5.2f}x  {t / n * 1e6:6.2f} us/row{extra}")
            print(f"    peak RSS so far: {peak_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]] or [10_000, 100_000, 1_000_000]
    main(args)
