"""Benchmark: within-group agreement and nested ICC on 1,000,000 respondents.

Generates N respondents x 5 items (1-5, ~3 % missing) in G partnerships (integer codes)
and prints the time of each grouped statistic of :mod:`kemitraan_assess.stats.agreement`
and of :func:`kemitraan_assess.stats.icc.icc_nested` on the scale score.

Usage::

    python benchmarks/bench_agreement.py                 # 1,000,000 rows, 20,000 groups
    python benchmarks/bench_agreement.py 200000 5000     # N rows, G groups
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kemitraan_assess.stats.agreement import (  # noqa: E402
    ad_by_group,
    awg_by_group,
    rwg_by_group,
    rwg_j_by_group,
)
from kemitraan_assess.stats.icc import icc_nested  # noqa: E402


def make_data(n: int, g: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Responses with a partnership effect, rounded to 1-5, 3 % of cells missing."""
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, g, n)
    effect = rng.normal(0, 0.5, g)[groups]
    latent = 3.4 + effect[:, None] + rng.normal(0, 0.9, (n, 1)) + rng.normal(0, 0.6, (n, 5))
    X = np.clip(np.round(latent), 1, 5)
    X[rng.random(X.shape) < 0.03] = np.nan
    return X, groups


def timed(label: str, fn: Callable[[], object], repeat: int = 3) -> None:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<46} {best:8.3f} s")


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 1_000_000
    g = int(argv[1]) if len(argv) > 1 else 20_000
    X, groups = make_data(n, g)
    labels = np.char.add("P", groups.astype(str))
    score = np.nanmean(X, axis=1)
    print(f"{n:,} respondents x {X.shape[1]} items in {g:,} groups (best of 3)")
    timed(
        "rwg_j_by_group (integer codes, n_groups)", lambda: rwg_j_by_group(X, groups, 5, n_groups=g)
    )
    timed("rwg_j_by_group (integer labels, factorised)", lambda: rwg_j_by_group(X, groups, 5))
    timed("rwg_j_by_group (string labels)", lambda: rwg_j_by_group(X, labels, 5), repeat=1)
    timed(
        "rwg_j_by_group (missing='available')",
        lambda: rwg_j_by_group(X, groups, 5, missing="available", n_groups=g),
    )
    timed("rwg_by_group (one item)", lambda: rwg_by_group(X[:, 0], groups, 5, n_groups=g))
    timed("awg_by_group", lambda: awg_by_group(X, groups, 5, n_groups=g))
    timed("ad_by_group (mean)", lambda: ad_by_group(X, groups, n_groups=g))
    timed(
        "ad_by_group (median)",
        lambda: ad_by_group(X, groups, center="median", n_groups=g),
        repeat=1,
    )
    timed("icc_nested (scale score)", lambda: icc_nested(score, groups))


if __name__ == "__main__":
    main(sys.argv[1:])
