"""What the library makes of a round: the ingest account and the scores, computed once.

A round's analysis depends on its upload, the project's instrument, mapping and
confidentiality minimum, and on the previous round (the wave comparison). Those inputs
are hashed into a key; the written form (the CLI's ``ingest.json``, ``rejected.csv``,
``cell_issues.csv`` and ``scores.json``) is kept under ``rounds/<upload>/<key>/`` and the
objects in a small in-memory cache, so pages read results without recomputing them.

Rounds: a round's scores (results page, reports, portfolio index) are those of its own
upload only. When the instrument has a field with role ``wave``, every row is labelled
with its round number in that field, and round *n − 1*'s responses are passed to
``score(..., previous=...)``: the library scores them on their own, for one thing only,
each report's comparison with the previous round (``PartnershipResult.previous`` and
``.waves``).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import KemitraanError
from ..instrument import Instrument
from . import pipeline
from .store import Project, Store, Upload

__all__ = ["RoundAnalysis", "Analyser", "unknown_labels"]


@dataclass(frozen=True)
class RoundAnalysis:
    """One round: its ingest result, and the scores (or why there are none)."""

    project: Project
    upload: Upload
    instrument: Instrument
    key: str
    folder: Path
    ingest: Any
    scores: Any | None
    score_error: str = ""
    previous_round: int | None = None
    summary: dict[str, Any] = field(default_factory=dict, repr=False)


def unknown_labels(cell_issues: pd.DataFrame) -> list[tuple[str, str, int]]:
    """Distinct answer labels no code matched: ``(label, first column, count)``."""
    if cell_issues is None or not len(cell_issues):
        return []
    bad = cell_issues[cell_issues["problem"] == "unmapped_label"]
    out: dict[str, tuple[str, int]] = {}
    for col, value in zip(bad["column"].astype(str), bad["value"].astype(str), strict=True):
        first, n = out.get(value, (col, 0))
        out[value] = (first, n + 1)
    return sorted(((v, c, n) for v, (c, n) in out.items()), key=lambda t: (-t[2], t[0]))


class Analyser:
    """Computes and caches round analyses (thread-safe; one computation per key)."""

    def __init__(self, store: Store, *, cache_size: int = 4):
        self.store = store
        self._cache: OrderedDict[str, RoundAnalysis] = OrderedDict()
        self._size = cache_size
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._instruments: dict[tuple[str, str], Instrument] = {}

    def instrument(self, project: Project) -> Instrument:
        """The project's instrument (parsed once; a project's instrument never changes)."""
        key = (project.id, project.instrument)
        with self._lock:
            hit = self._instruments.get(key)
        if hit is None:
            hit = pipeline.load_project_instrument(
                project.instrument, self.store.project_dir(project.id)
            )
            with self._lock:
                self._instruments[key] = hit
        return hit

    def mapping(self, project: Project) -> dict[str, Any]:
        return pipeline.mapping_from_yaml(project.mapping)

    def _key(self, project: Project, upload: Upload, previous: Upload | None) -> str:
        h = hashlib.sha256()
        inst_file = self.store.project_dir(project.id) / "instrument.yaml"
        inst_sig = project.instrument
        if project.instrument == "file" and inst_file.is_file():
            inst_sig += hashlib.sha256(inst_file.read_bytes()).hexdigest()
        from .. import __version__

        # "round-labelled": a round's scores are its own answers, its rows labelled with its
        # round, the previous round scored by the library for the comparison (keys of older
        # data folders, whose scores.json had no rounds, no longer match)
        # the project and the upload are part of the key: two projects given the same file
        # (and the same mapping) must never share an analysis, which carries its project
        for part in (
            "round-labelled",
            project.id,
            upload.id,
            __version__,
            upload.sha256,
            inst_sig,
            project.mapping,
            str(project.min_group_size),
            project.lang,  # the comparison with the previous round is in the report language
            previous.sha256 if previous else "",
            str(upload.round),
        ):
            h.update(part.encode("utf-8") + b"\0")
        return h.hexdigest()[:24]

    def check(self, project: Project, upload: Upload, mapping: dict[str, Any] | None = None) -> Any:
        """Ingest one stored upload with the project's (or the given) mapping."""
        inst = self.instrument(project)
        return pipeline.ingest_export(
            self.store.upload_path(upload.id),
            inst,
            self.mapping(project) if mapping is None else mapping,
            display_name=upload.original_name,
        )

    def analyse(self, project_id: str, round_no: int) -> RoundAnalysis:
        project = self.store.project(project_id)
        upload = self.store.round_upload(project_id, round_no)
        previous = None
        if round_no > 1:
            try:
                previous = self.store.round_upload(project_id, round_no - 1)
            except KeyError:
                previous = None
        key = self._key(project, upload, previous)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
            lock = self._key_locks.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                hit = self._cache.get(key)
            if hit is not None:
                return hit
            result = self._compute(project, upload, previous, key)
            with self._lock:
                self._cache[key] = result
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
            return result

    def _compute(
        self, project: Project, upload: Upload, previous: Upload | None, key: str
    ) -> RoundAnalysis:
        from ..io import write_ingest_outputs
        from ..output.safecsv import atomic_write_bytes

        inst = self.instrument(project)
        ing = self.check(project, upload)
        folder = self.store.round_dir(upload.id) / key
        wave = inst.field_by_role("wave")
        responses, prev_responses, prev_round = ing.responses, None, None
        if wave is not None:  # rows are labelled with their round, as in a file with a wave column
            responses = responses.assign(**{wave.id: str(upload.round)})
            if previous is not None:
                try:
                    prev = self.check(project, previous)
                except KemitraanError:
                    prev = None
                if prev is not None and len(prev.responses):
                    prev_round = previous.round
                    prev_responses = prev.responses.assign(**{wave.id: str(previous.round)})
        scores = None
        error = ""
        summary: dict[str, Any] = {}
        try:
            scores = pipeline.score_responses(
                responses, inst, project.min_group_size, previous=prev_responses
            )
        except KemitraanError as exc:
            error = str(exc)
        if scores is None and prev_responses is not None:
            # the previous round cannot be compared; this round is still scored on its own
            prev_round = None
            try:
                scores = pipeline.score_responses(responses, inst, project.min_group_size)
                error = ""
            except KemitraanError as exc:
                error = str(exc)
        if not (folder / "ingest.json").is_file():
            write_ingest_outputs(ing, folder, responses=False)
        if scores is not None:
            path = folder / "scores.json"
            if not path.is_file():
                atomic_write_bytes(path, scores.summary_json_bytes())
            summary = json.loads(path.read_bytes())
        return RoundAnalysis(
            project, upload, inst, key, folder, ing, scores, error, prev_round, summary
        )
