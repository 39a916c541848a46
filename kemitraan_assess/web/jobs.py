"""Report jobs in the background: one worker thread hands each job to the report batch.

A job's state lives in the store, so a page reload (or a restart) shows it. A job left
queued or running by a stop is marked ``interrupted`` at the next start; resuming it
runs the batch again into the same folder, where the batch skips every report already
made (its input hash and files are unchanged), so the result is the same files, byte
for byte, as an uninterrupted run.
"""

from __future__ import annotations

import queue
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

from ..errors import KemitraanError
from . import pipeline
from .analysis import Analyser
from .store import Job, Store

__all__ = ["JobRunner", "report_files", "zip_path"]


def report_files(folder: Path) -> list[Path]:
    """The files a job made, in a stable order (hidden files such as ``.<slug>.key`` left out)."""
    if not folder.is_dir():
        return []
    return sorted(
        (
            p
            for p in folder.iterdir()
            if p.is_file() and not p.name.startswith(".") and p.suffix in (".html", ".pdf")
        ),
        key=lambda p: p.name,
    )


def zip_path(store: Store, job_id: str) -> Path:
    return store.root / "reports" / f"{job_id}.zip"


def build_zip(store: Store, job: Job) -> Path:
    """All the job's reports in one zip, deterministic (sorted names, fixed dates)."""
    from ..output.safecsv import atomic_write_bytes

    target = zip_path(store, job.id)
    if target.is_file():
        return target
    tmp = store.tmp_dir() / f"{job.id}.zip.part"
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in report_files(store.report_dir(job.id)):
            info = zipfile.ZipInfo(path.name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    atomic_write_bytes(target, tmp.read_bytes())
    tmp.unlink(missing_ok=True)
    return target


class JobRunner:
    """Runs queued jobs one after another on a daemon thread."""

    def __init__(
        self,
        store: Store,
        analyser: Analyser,
        *,
        workers: int | None,
        scheduler: str | None,
        brand_for: Any,
    ):
        self.store = store
        self.analyser = analyser
        self.workers = workers
        self.scheduler = scheduler
        self.brand_for = brand_for
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.store.mark_interrupted()
        self._thread = threading.Thread(target=self._loop, name="report-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._queue.put(None)

    def submit(self, job: Job) -> None:
        self._queue.put(job.id)

    def resume(self, job_id: str) -> None:
        self.store.update_job(job_id, status="queued", error="", finished=None)
        self._queue.put(job_id)

    def _loop(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None:
                return
            try:
                self.run(job_id)
            except Exception as exc:  # never let one job stop the runner
                self.store.update_job(
                    job_id,
                    status="failed",
                    error=f"{type(exc).__name__}: {exc}",
                    finished=time.time(),
                )

    def run(self, job_id: str) -> None:
        job = self.store.job(job_id)
        if job.status != "queued":
            return
        upload = self.store.upload(job.upload_id)
        project = self.store.project(job.project_id)
        self.store.update_job(job_id, status="running", done=0)
        try:
            analysis = self.analyser.analyse(project.id, upload.round)
            if analysis.scores is None:
                raise KemitraanError(analysis.score_error or "nothing to score")
            total = len(analysis.summary.get("partnerships", {}))
            self.store.update_job(job_id, total=total)
            done = 0

            def progress(k: int) -> None:
                nonlocal done
                done += k
                self.store.update_job(job_id, done=done)

            batch = pipeline.render_batch(
                analysis.scores,
                self.store.report_dir(job_id),
                lang=project.lang,
                brand=self.brand_for(project),
                workers=self.workers,
                scheduler=self.scheduler,
                progress=progress,
            )
        except KemitraanError as exc:
            self.store.update_job(job_id, status="failed", error=str(exc), finished=time.time())
            return
        failures = [str(f) for f in batch.failures]
        self.store.update_job(
            job_id, status="done", done=total, failures=failures, finished=time.time()
        )
        build_zip(self.store, self.store.job(job_id))
