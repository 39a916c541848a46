"""Write the scoring outputs: respondents.csv, partnerships.csv, scores.json."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from ..output.safecsv import atomic_write_bytes, write_csv_safe
from .score import ScoreResult

__all__ = ["write_score_outputs", "scores_json", "respondents_table"]


def respondents_table(result: ScoreResult) -> pd.DataFrame:
    """The rows of ``respondents.csv``: every respondent scored, and what it was used for."""
    if result.rounds is None:
        return result.respondents
    parts = [result.respondents.assign(used_for="latest_round")]
    if result.previous is not None:
        parts.append(result.previous.respondents.assign(used_for="comparison"))
    return pd.concat(parts, ignore_index=True)


def scores_json(result: ScoreResult) -> str:
    """``scores.json`` as text: deterministic (key order as built, LF, UTF-8)."""
    return result.summary_json_bytes().decode("utf-8")


def write_score_outputs(result: ScoreResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``respondents.csv``, ``partnerships.csv`` and ``scores.json`` into ``out_dir``.

    Each file is written atomically; text cells that could be read as spreadsheet
    formulas are neutralised. ``respondents.csv`` (one line per respondent) is encoded
    on a second thread while the other two are written: its encoding runs in pyarrow
    kernels that release the interpreter lock, so both cores work.

    With survey rounds, ``respondents.csv`` also lists the previous round's respondents,
    and its column ``used_for`` says which rows give the numbers (``latest_round``) and
    which only the comparison (``comparison``).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "respondents": out / "respondents.csv",
        "partnerships": out / "partnerships.csv",
        "scores": out / "scores.json",
    }
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="respondents.csv") as pool:
        respondents = pool.submit(write_csv_safe, respondents_table(result), paths["respondents"])
        write_csv_safe(result.partnerships, paths["partnerships"])
        atomic_write_bytes(paths["scores"], result.summary_json_bytes())
        respondents.result()  # re-raises an error of the worker
    return paths
