"""Benchmark: ingest and the whole ``score`` command on a large export, against a bare read.

Writes a synthetic export of N respondents x 40 items (20,000 partnerships at 1M rows,
~3 % blank answers, a free-text column) and the benchmark instrument (``bench.yaml``) to
a temporary folder and prints, for each size:

* the bare ``pyarrow.csv.read_csv`` of the file (in this process, best of the repeats);
* ``ingest`` in this process;
* the whole command ``kemitraan-assess score FILE --instrument bench.yaml --out DIR`` as
  a child process (interpreter start, imports, ingest, scoring and every file written),
  with the child's peak RSS from ``getrusage(RUSAGE_CHILDREN)``;

each with its ratio to the bare read and its cost per row. The goal of issue 4: the
command within 2.5x the bare read, peak memory <= 1.5 GiB, the same cost per row at
10k, 100k and 1M rows.

Usage::

    python benchmarks/bench_ingest_score.py            # 10k, 100k, 1M rows
    python benchmarks/bench_ingest_score.py 10000 100000

The machine is shared: the bare read and the command are timed in alternation, and the
best of ``--repeat`` runs (default 3 up to 100k rows, 2 at 1M) is reported for both.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv
import yaml

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
            {
                "id": f"S{s + 1}I{i + 1}",
                "text": {"en": f"Scale {s + 1} item {i + 1}"},
                "response": "agree5",
            }
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
    words = np.array(
        ["baik", "rapat rutin", "perlu dana", "komunikasi, lancar", "-", ""], dtype=object
    )
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(
            "respondent_id,partnership,"
            + ",".join(f"S{s + 1}I{i + 1}" for s in range(5) for i in range(8))
            + ",comment\n"
        )
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


def write_instrument(path: Path) -> Path:
    """The benchmark instrument as a YAML file, for the command line."""
    data = bench_instrument().model_dump(mode="json", exclude_defaults=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def time_bare_read(path: Path, instrument: Instrument) -> object:
    return pacsv.read_csv(path)


def time_ingest(path: Path, instrument: Instrument) -> object:
    return ingest(path, instrument)


STAGES: list[tuple[str, Callable[[Path, Instrument], object]]] = [
    ("ingest", time_ingest),
]
"""In-process stages timed against the bare read; each is called as ``fn(path, instrument)``."""


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_rss_mib() -> float:
    """Largest peak RSS of any child process waited for so far (Linux: KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_score_command(path: Path, instrument_file: Path, out: Path) -> float:
    """Wall time of the whole ``score`` command in a child process."""
    cmd = [
        sys.executable,
        "-m",
        "kemitraan_assess",
        "score",
        str(path),
        "--instrument",
        str(instrument_file),
        "--out",
        str(out),
        "--quiet",
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"score failed ({proc.returncode}): {proc.stderr.strip()}")
    return elapsed


def main(sizes: list[int], repeat: int | None = None) -> None:
    inst = bench_instrument()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        inst_file = write_instrument(Path(tmp) / "bench.yaml")
        # fixed cost of the command (interpreter start, imports, instrument): 100 rows
        tiny = Path(tmp) / "export_100.csv"
        write_export(tiny, 100)
        fixed = min(
            run_score_command(tiny, inst_file, Path(tmp) / f"out_tiny_{r}") for r in range(3)
        )
        print(f"fixed cost of the score command (100-row export, best of 3): {fixed:.3f} s")
        for n in sizes:
            path = Path(tmp) / f"export_{n}.csv"
            write_export(path, n)
            mb = path.stat().st_size / 1e6
            reps = repeat or (3 if n <= 100_000 else 2)
            bare, cmd = float("inf"), float("inf")
            for r in range(reps):
                bare = min(bare, timed(lambda path=path: time_bare_read(path, inst))[0])
                cmd = min(cmd, run_score_command(path, inst_file, Path(tmp) / f"out_{n}_{r}"))
            print(
                f"rows={n:>9,}  file={mb:7.1f} MB  bare pyarrow read: {bare:7.3f} s  "
                f"({bare / n * 1e6:6.2f} us/row)"
            )
            for name, fn in STAGES:
                t, out = min(
                    (timed(lambda fn=fn, path=path: fn(path, inst)) for _ in range(reps)),
                    key=lambda p: p[0],
                )
                extra = ""
                if hasattr(out, "responses"):
                    extra = f"  kept={len(out.responses):,} rejected={len(out.rejected):,}"
                del out
                print(
                    f"    {name:<8} {t:7.3f} s  ratio {t / bare:5.2f}x  {t / n * 1e6:6.2f} "
                    f"us/row{extra}"
                )
            rss = children_peak_rss_mib()
            print(
                f"    score    {cmd:7.3f} s  ratio {cmd / bare:5.2f}x  {cmd / n * 1e6:6.2f} us/row"
                f"  {(cmd - fixed) / n * 1e6:6.2f} us/row above the fixed cost"
                f"  (whole command, child peak RSS so far {rss:,.0f} MiB)"
            )
            print(f"    this process peak RSS so far: {peak_rss_mib():,.0f} MiB")
            rows.append((n, bare, cmd, rss))
            sys.stdout.flush()
    print(
        f"\nsummary (fixed cost {fixed:.3f} s): rows, bare read s, score command s, ratio, us/row,"
        " us/row above the fixed cost, child peak RSS MiB"
    )
    for n, bare, cmd, rss in rows:
        print(
            f"  {n:>9,}  {bare:6.3f}  {cmd:7.3f}  {cmd / bare:5.2f}x  {cmd / n * 1e6:7.2f}"
            f"  {(cmd - fixed) / n * 1e6:7.2f}  {rss:7,.0f}"
        )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=None, help="runs per size (best is reported)")
    args = ap.parse_args()
    main(args.sizes, args.repeat)
