"""Render every partnership's report, on a local process pool or a dask cluster.

The parent process builds each report's plain-data context (cheap) and hands it to an
executor; workers render HTML and PDF (WeasyPrint is > 99 % of the time) and write the
files atomically. Both executors share one small interface, :class:`ReportExecutor`:

* :class:`LocalPoolExecutor` — a :class:`concurrent.futures.ProcessPoolExecutor`
  (default: one worker per core; workers start from a clean ``forkserver`` and are
  replaced after ``max_tasks_per_child`` reports, so memory stays flat);
* :class:`DaskExecutor` — a ``dask.distributed`` client to a cluster address, or a
  ``LocalCluster`` for ``"local"`` (optional ``dask`` extra).

At most ``2 × workers`` reports are in flight, so the parent holds a bounded number of
contexts however large the batch. A failed report is recorded with its reason and the
batch goes on. Each report's inputs (context, templates and catalogues, version,
formats) are hashed and the hash is stored beside the outputs (``.<slug>.key``); a
re-run skips reports whose hash and files are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .. import __version__
from ..errors import KemitraanError, OutputError
from ..output.atomic import (
    atomic_write_many,
    atomic_write_text,
    check_writable_dir,
    remove_stale_temporaries,
)
from ._worker import ReportTimeout, describe_exit, init_worker, limits
from .brand import Brand
from .context import PartnershipIndex, build_context
from .html import assets_digest, render_html, render_index
from .locale import load_catalogue
from .slug import unique_slugs

__all__ = [
    "BatchResult",
    "Failure",
    "ReportExecutor",
    "LocalPoolExecutor",
    "DaskExecutor",
    "render_reports",
    "index_context",
    "render_job",
]

Job = dict[str, Any]
JobResult = dict[str, Any]

DEFAULT_TIME_LIMIT = 300.0
"""Seconds one report may take (a 4-page report takes about one)."""
DEFAULT_MEMORY_LIMIT = 2 * 2**30
"""Bytes of memory one report may use in a worker on top of the worker's own."""


@dataclass(frozen=True)
class Failure:
    """A report that could not be made, and why."""

    partnership: str
    reason: str

    def __str__(self) -> str:
        return f"{self.partnership}: {self.reason}"


@dataclass(frozen=True)
class BatchResult:
    """What a batch did: files written, reports skipped as unchanged, failures."""

    written: tuple[Path, ...] = ()
    skipped: tuple[str, ...] = ()
    failures: tuple[Failure, ...] = ()
    index: Path | None = None
    slugs: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures


# ---------------------------------------------------------------------- worker side
def render_job(job: Job) -> JobResult:
    """Render one report and write its files atomically (runs in a worker).

    Never raises: an error is returned as ``{"error": "..."}`` so the batch goes on. The
    report is bounded by ``job["time_limit"]`` seconds (see :func:`._worker.limits`; the
    CPU-time backstop only where ``job["in_worker"]``).
    """
    name = job["name"]
    try:
        with limits(job.get("time_limit"), hard=bool(job.get("in_worker"))):
            return _render_and_write(job)
    except ReportTimeout as exc:
        return {"name": name, "written": [], "error": str(exc)}
    except MemoryError:
        limit = job.get("memory_limit")
        within = f" of {limit / 2**20:g} MB" if limit else ""
        return {
            "name": name,
            "written": [],
            "error": f"ran out of memory (the memory limit{within} per report)",
        }


def _render_and_write(job: Job) -> JobResult:
    name = job["name"]
    try:
        html = render_html(job["context"], template_dir=job.get("template_dir"))
        out = Path(job["out_dir"])
        files: list[tuple[Path, bytes]] = []
        if "html" in job["formats"]:
            files.append((out / f"{job['slug']}.html", html.encode("utf-8")))
        if "pdf" in job["formats"]:
            from .pdf import render_pdf

            csv = job["context"].get("scores_csv")
            attach = [(f"{job['slug']}-scores.csv", csv.encode("utf-8"))] if csv else []
            files.append((out / f"{job['slug']}.pdf", render_pdf(html, attachments=attach)))
        files.append((out / f".{job['slug']}.key", job["key"].encode("ascii")))
        written = atomic_write_many(files)
        return {"name": name, "written": [str(p) for p in written[:-1]], "error": None}
    except OutputError as exc:  # the output folder, not the report: the batch stops
        return {
            "name": name,
            "written": [],
            "error": str(exc),
            "output_error": [exc.path, exc.reason, exc.hint],
        }
    except KemitraanError as exc:
        return {"name": name, "written": [], "error": str(exc)}
    except (ReportTimeout, MemoryError):
        raise
    except Exception as exc:  # a report must never stop the batch
        last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        where = f" (at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno})" if last else ""
        return {"name": name, "written": [], "error": f"{type(exc).__name__}: {exc}{where}"}


# ---------------------------------------------------------------------- executors
class ReportExecutor(Protocol):
    """Runs :func:`render_job` over jobs; yields results as they complete."""

    workers: int

    def run(self, jobs: Iterable[Job]) -> Iterator[JobResult]: ...

    def close(self) -> None: ...


class LocalPoolExecutor:
    """A local process pool.

    Parameters
    ----------
    workers
        Processes (default: all cores, ``os.cpu_count()``).
    max_tasks_per_child
        Reports a worker renders before it is replaced (keeps memory flat).
    memory_limit
        Bytes of memory (address space) one report may use on top of a fresh worker
        (default :data:`DEFAULT_MEMORY_LIMIT`; 0: no limit). Past it the report fails
        with "ran out of memory"; the batch goes on.

    Notes
    -----
    Workers die with the batch (see :mod:`kemitraan_assess.reporting._worker`). A worker
    that dies (the OOM killer, a report past its CPU-time limit) costs only the report
    it was rendering: the pool is replaced, and the reports that were in flight with it
    are rendered again one at a time, so the one that kills its worker is found and
    failed with the reason, and the others are made.
    """

    def __init__(
        self,
        workers: int | None = None,
        *,
        max_tasks_per_child: int = 100,
        memory_limit: int | None = None,
    ):
        if workers is not None and workers < 1:
            raise KemitraanError(f"workers must be at least 1 (got {workers})")
        self.workers = int(workers or os.cpu_count() or 1)
        self.max_tasks_per_child = max_tasks_per_child
        self.memory_limit = DEFAULT_MEMORY_LIMIT if memory_limit is None else (memory_limit or None)
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(
            ["kemitraan_assess.reporting._forkserver", "kemitraan_assess.reporting.batch"]
        )
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=ctx,
            initializer=init_worker,
            initargs=(os.getpid(), self.memory_limit),
            max_tasks_per_child=self.max_tasks_per_child,
        )

    def _pool_now(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = self._new_pool()
        return self._pool

    def _discard_pool(self) -> dict[int, int | None]:
        """Shut a broken pool down; the exit codes of its processes by pid."""
        pool, self._pool = self._pool, None
        if pool is None:
            return {}
        procs = dict(getattr(pool, "_processes", None) or {})  # shutdown() forgets them
        pool.shutdown(wait=True, cancel_futures=True)
        return {pid: p.exitcode for pid, p in procs.items()}

    def _prepare(self, job: Job) -> Job:
        return {**job, "in_worker": True, "memory_limit": self.memory_limit}

    def run(self, jobs: Iterable[Job]) -> Iterator[JobResult]:
        if self.workers == 1:  # no pool: simplest, and what a debugger wants
            for job in jobs:
                yield render_job(job)
            return
        it = iter(jobs)
        inflight: dict[Any, Job] = {}
        window = 2 * self.workers
        exhausted = False
        while True:
            pool = self._pool_now()
            suspects: list[Job] = []
            while not exhausted and len(inflight) < window:
                nxt: Job | None = next(it, None)
                if nxt is None:
                    exhausted = True
                    break
                try:
                    inflight[pool.submit(render_job, self._prepare(nxt))] = nxt
                except BrokenProcessPool:  # a worker died since the last wait
                    suspects.append(nxt)
                    break
            if not inflight and not suspects:
                return
            if not suspects:
                done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
                for fut in done:
                    job = inflight.pop(fut)
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        suspects.append(job)
                        continue
                    yield result
            if not suspects:
                continue
            # a worker died and took the pool with it: every report in flight is a
            # suspect; render them again one at a time on a fresh pool, so that only the
            # one that kills its worker fails
            suspects += list(inflight.values())
            inflight = {}
            self._discard_pool()
            suspects.sort(key=lambda j: j["name"])
            for k, job in enumerate(suspects):
                result, fatal = self._run_alone(job)
                yield result
                if fatal:  # workers cannot start at all: the rest cannot be made either
                    for rest in [*suspects[k + 1 :], *it]:
                        yield {"name": rest["name"], "written": [], "error": result["error"]}
                    return

    def _run_alone(self, job: Job) -> tuple[JobResult, bool]:
        """Render ``job`` with nothing else in flight: (result, workers cannot start)."""
        fut = self._pool_now().submit(render_job, self._prepare(job))
        try:
            return fut.result(), False
        except BrokenProcessPool:
            codes = [
                c for c in self._discard_pool().values() if c not in (0, None, -signal.SIGTERM)
            ]
            code = codes[0] if codes else None
            if code is not None and code > 0:  # a Python error at start-up, not a signal
                return {
                    "name": job["name"],
                    "written": [],
                    "error": (
                        f"worker processes could not start (exit code {code}; a script that calls "
                        "render_reports must guard it with: if __name__ == '__main__':)"
                    ),
                }, True
            return {
                "name": job["name"],
                "written": [],
                "error": describe_exit(code, job.get("time_limit")),
            }, False

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor:
    """Render on a ``dask.distributed`` cluster.

    Needs the optional extra: ``pip install kemitraan-assess[dask]``.

    Parameters
    ----------
    address
        A scheduler address (``tcp://host:8786``) or ``"local"`` for a ``LocalCluster``
        of ``workers`` single-threaded processes on this machine.
    workers
        Processes of the local cluster (default: all cores); for a remote cluster, only
        the number of reports kept in flight (2 × workers).

    Notes
    -----
    Cluster workers must have ``kemitraan-assess`` installed and see ``out_dir`` (a
    shared file system), since they write the files.
    """

    def __init__(self, address: str = "local", workers: int | None = None):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise KemitraanError(
                "rendering on dask needs the optional extra: pip install 'kemitraan-assess[dask]'"
            ) from None
        self._cluster = None
        if address == "local":
            n = int(workers or os.cpu_count() or 1)
            self._cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=40,
            )
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(address, timeout="20s")
            except OSError as exc:
                raise KemitraanError(
                    f"cannot reach the dask scheduler at {address}: {exc}"
                ) from None
        self.workers = int(workers or max(1, len(self._client.scheduler_info().get("workers", {}))))

    def run(self, jobs: Iterable[Job]) -> Iterator[JobResult]:
        from dask.distributed import as_completed

        it = iter(jobs)
        window = 2 * self.workers
        names: dict[Any, str] = {}  # future key -> partnership

        def submit(job: Job) -> Any:
            fut = self._client.submit(render_job, job, pure=False)
            names[fut.key] = job["name"]
            return fut

        ac = as_completed([submit(j) for _, j in zip(range(window), it, strict=False)])
        for fut in ac:
            name = names.pop(fut.key, "?")
            try:
                result = fut.result()
            except Exception as exc:  # the task or its worker died
                result = {
                    "name": name,
                    "written": [],
                    "error": f"dask task failed: {type(exc).__name__}: {exc}",
                }
            fut.release()
            yield result
            nxt = next(it, None)
            if nxt is not None:
                ac.add(submit(nxt))

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


# ---------------------------------------------------------------------- the batch
def _job_key(context: dict[str, Any], digest: str, formats: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    h.update(
        json.dumps(context, sort_keys=True, ensure_ascii=False, allow_nan=True).encode("utf-8")
    )
    h.update(f"\0{digest}\0{__version__}\0{','.join(formats)}".encode())
    return h.hexdigest()


def _is_unchanged(out: Path, slug: str, key: str, formats: tuple[str, ...]) -> bool:
    keyfile = out / f".{slug}.key"
    try:
        if keyfile.read_text(encoding="ascii") != key:
            return False
    except OSError:
        return False
    return all((out / f"{slug}.{fmt}").is_file() for fmt in formats)


def index_context(
    scores: Any,
    slugs: dict[str, str],
    out_dir: Path,
    *,
    lang: str,
    brand: Brand | None,
    formats: tuple[str, ...],
    failed: set[str],
) -> dict[str, Any]:
    """Plain-data context of the portfolio index (``index.html``)."""
    cat = load_catalogue(lang)
    inst = scores.instrument
    summary = scores.summary
    k = summary.get("settings", {}).get("min_group_size", inst.defaults.min_group_size)
    bands = {b.id: inst.text(b.label, lang) for b in inst.bands}
    rows = []
    for name in sorted(summary["partnerships"]):
        p = summary["partnerships"][name]
        slug = slugs[name]
        links = [
            {"href": f"{slug}.{fmt}", "label": cat(f"index.{fmt}")}
            for fmt in formats
            if (out_dir / f"{slug}.{fmt}").is_file()
        ]
        row: dict[str, Any] = {
            "name": name,
            "slug": slug,
            "links": links,
            "suppressed": bool(p.get("suppressed")),
        }
        if p.get("suppressed"):
            row["why"] = cat("index.suppressed_why", k=k)
        else:
            r = p.get("readiness") or {}
            row.update(
                {
                    "band": r.get("band"),
                    "band_label": bands.get(r.get("band"), ""),
                    "uncertain": bool(r.get("band_uncertain")),
                    "index": r.get("index"),
                    "index_text": cat.number(r.get("index")),
                    "n_text": cat.integer(p["n"]),
                }
            )
        if name in failed:
            row["links"] = []
            if row["suppressed"]:
                row["why"] = cat("index.failed")
        rows.append(row)
    med = ((summary.get("portfolio") or {}).get("readiness") or {}).get("median")
    from .portfolio import index_extras  # issue 11: heat-map, counts per band, filters

    return {
        **index_extras(scores, rows, cat, lang),
        "lang": lang,
        "generator": f"kemitraan-assess {__version__}",
        "brand": (brand or Brand()).to_dict(),
        "instrument": {
            "id": inst.id,
            "version": inst.version,
            "title": inst.text(inst.title, lang) if inst.title else inst.id,
        },
        "rows": rows,
        "sentence": cat(
            "index.sentence",
            g=cat.integer(summary.get("n_partnerships", len(rows))),
            n=cat.integer(summary.get("n_respondents")),
            s=cat.integer(sum(1 for r in rows if r["suppressed"])),
        ),
        "median_sentence": cat("index.median", median=cat.number(med)),
    }


def render_reports(
    scores: Any,
    out_dir: str | Path,
    *,
    lang: str = "id",
    formats: Iterable[str] = ("html", "pdf"),
    brand: Brand | None = None,
    include_comments: bool = True,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], Any] | None = None,
    template_dir: str | Path | None = None,
    only: Iterable[str] | None = None,
    executor: ReportExecutor | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    memory_limit: int | None = None,
) -> BatchResult:
    """Render one report per partnership and the portfolio index.

    Parameters
    ----------
    scores
        A :class:`~kemitraan_assess.scoring.ScoreResult`.
    out_dir
        Folder for ``<slug>.html``, ``<slug>.pdf`` and ``index.html`` (created).
    lang
        Report language (a catalogue in ``reports/locales/``).
    formats
        ``"html"`` and/or ``"pdf"``.
    brand
        From :func:`load_brand`.
    include_comments
        Include open-ended comments.
    workers
        Processes (default: all cores); 1 renders in this process.
    scheduler
        ``None`` for the local pool, or a dask scheduler address / ``"local"``.
    progress
        Called with 1 after each report (rendered, skipped or failed).
    template_dir
        Templates overriding the bundled ones.
    only
        Render only these partnerships (the index still lists all).
    executor
        A ready :class:`ReportExecutor` (overrides ``workers``/``scheduler``; not closed).
    time_limit
        Seconds one report may take (default :data:`DEFAULT_TIME_LIMIT`; None: no
        limit). A report past it fails alone, with the reason; the batch goes on.
    memory_limit
        Bytes one report may use in a worker of the local pool (default
        :data:`DEFAULT_MEMORY_LIMIT`; 0: no limit).

    Returns
    -------
    BatchResult
        Written paths, skipped partnership names, failures with reasons, the index path.

    Raises
    ------
    OutputError
        ``out_dir`` cannot be written (checked before any rendering), or a write failed
        (a full disk): the batch stops. Reports already written are whole files.
    """
    fmts = tuple(f for f in ("html", "pdf") if f in {str(x).lower() for x in formats})
    if not fmts:
        raise KemitraanError(f"formats must include html and/or pdf (got {list(formats)!r})")
    load_catalogue(lang)  # fail early on an unknown language
    names = sorted(scores.summary["partnerships"])
    if only is not None:
        wanted = {str(n) for n in only}
        unknown = sorted(wanted - set(names))
        if unknown:
            raise KemitraanError(f"unknown partnership(s): {', '.join(map(repr, unknown))}")
        todo = [n for n in names if n in wanted]
    else:
        todo = names
    out = check_writable_dir(out_dir)  # before any rendering: a read-only folder fails here
    remove_stale_temporaries(out)  # left by a killed run
    slugs = unique_slugs(names)  # never one of RESERVED_SLUGS: "Index" cannot overwrite index.html
    digest = assets_digest(template_dir)
    tdir = None if template_dir is None else str(template_dir)
    index = PartnershipIndex(scores)
    skipped: list[str] = []
    failures: list[Failure] = []
    written: list[Path] = []

    def tick() -> None:
        if progress is not None:
            progress(1)

    def jobs() -> Iterator[Job]:
        for name in todo:
            try:
                ctx = build_context(
                    scores,
                    name,
                    lang=lang,
                    brand=brand,
                    include_comments=include_comments,
                    slug=slugs[name],
                    index=index,
                )
            except Exception as exc:
                failures.append(Failure(name, f"{type(exc).__name__}: {exc}"))
                tick()
                continue
            key = _job_key(ctx, digest, fmts)
            if _is_unchanged(out, slugs[name], key, fmts):
                skipped.append(name)
                tick()
                continue
            yield {
                "name": name,
                "slug": slugs[name],
                "context": ctx,
                "formats": fmts,
                "out_dir": str(out),
                "template_dir": tdir,
                "key": key,
                "time_limit": time_limit,
            }

    own = executor is None
    if executor is None:
        executor = (
            DaskExecutor(scheduler, workers)
            if scheduler
            else LocalPoolExecutor(workers, memory_limit=memory_limit)
        )
    try:
        for res in executor.run(jobs()):
            if res.get("output_error"):
                raise OutputError(*res["output_error"])
            if res["error"]:
                failures.append(Failure(res["name"], res["error"]))
            written.extend(Path(p) for p in res["written"])
            tick()
    finally:
        if own:
            executor.close()
    failed = {f.partnership for f in failures}
    ictx = index_context(scores, slugs, out, lang=lang, brand=brand, formats=fmts, failed=failed)
    index_path = atomic_write_text(
        out / "index.html", render_index(ictx, template_dir=template_dir)
    )
    written.append(index_path)
    return BatchResult(
        written=tuple(written),
        skipped=tuple(skipped),
        failures=tuple(sorted(failures, key=lambda f: f.partnership)),
        index=index_path,
        slugs=slugs,
    )
