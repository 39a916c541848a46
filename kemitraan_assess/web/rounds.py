"""Pages of a round: the check (row accounting and mapping), results, reports and jobs."""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..errors import KemitraanError
from ..io.detect import PLATFORMS
from . import pipeline
from ._http import Web, page, web_catalogue
from .analysis import RoundAnalysis, unknown_labels
from .jobs import build_zip, report_files

__all__ = ["routes", "heatmap_rows"]


class _Lru:
    """A small thread-safe LRU of rendered fragments."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict[Any, Markup] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> Markup | None:
        with self.lock:
            hit = self.items.get(key)
            if hit is not None:
                self.items.move_to_end(key)
            return hit

    def put(self, key: Any, value: Markup) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_heatmaps = _Lru(64)
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.(html|pdf)$")
_SORTS = ("name", "index", "n")
_ACCOUNT = {
    "rejected.csv": "text/csv; charset=utf-8",
    "cell_issues.csv": "text/csv; charset=utf-8",
    "ingest.json": "application/json",
}


def routes(web_of: Callable[[Request], Web]) -> list[Route]:
    def t(request: Request) -> Any:
        return web_catalogue(web_of(request).ui_lang(request))

    async def analysis_or_error(request: Request) -> RoundAnalysis | Response:
        web = web_of(request)
        pid = request.path_params["pid"]
        try:
            n = int(request.path_params["n"])
            return await run_in_threadpool(web.analyser.analyse, pid, n)
        except (KeyError, ValueError):
            return web.error(request, t(request)("errors.not_found"), status=404)
        except KemitraanError as exc:
            return web.error(request, exc, back=f"/p/{pid}")

    @page(web_of)
    async def check(request: Request) -> Response:
        web = web_of(request)
        a = await analysis_or_error(request)
        if isinstance(a, Response):
            return a
        ing = a.ingest
        counts = ing.log.get("counts", {})
        items = list(a.instrument.items)
        unmatched = list(ing.log.get("unmatched_items", []))
        fields = list(a.instrument.fields)
        labels = unknown_labels(ing.cell_issues)
        codes = _codes(a)
        rejected = ing.rejected.head(200).to_dict("records")
        issues = ing.cell_issues.head(200).to_dict("records")
        platform = str(ing.log.get("platform", ""))
        platform_name = t(request)(f"platforms.{platform}") if platform in PLATFORMS else platform
        return web.render(
            request,
            "check.html",
            a=a,
            counts=counts,
            platform=platform_name,
            rejected=rejected,
            n_rejected=len(ing.rejected),
            issues=issues,
            n_issues=len(ing.cell_issues),
            unmapped=list(ing.log.get("unmapped_columns", [])),
            unmatched=unmatched,
            items=items,
            fields=fields,
            labels=labels,
            codes=codes,
            warnings=ing.warnings,
            same=request.query_params.get("same") == "1",
        )

    @page(web_of)
    async def save_mapping(request: Request, form: FormData) -> Response:
        web = web_of(request)
        pid = request.path_params["pid"]
        try:
            project = web.store.project(pid)
            n = int(str(form.get("round", "1")))
        except (KeyError, ValueError):
            return web.error(request, t(request)("errors.not_found"), status=404)
        inst = await run_in_threadpool(web.analyser.instrument, project)
        targets = set(inst.items) | {f.id for f in inst.fields}
        current = pipeline.mapping_from_yaml(project.mapping)
        columns: dict[str, str] = dict(current["columns"])
        labels: dict[str, float] = dict(current["labels"])
        for key, value in form.multi_items():
            if key.startswith("colname_"):
                target = str(form.get("coltarget_" + key.removeprefix("colname_"), ""))
                if target in targets:
                    columns[str(value)] = target
            elif key.startswith("labelname_"):
                code = str(form.get("labelcode_" + key.removeprefix("labelname_"), ""))
                if code == "missing":
                    labels[str(value)] = math.nan
                elif code.lstrip("-").isdigit():
                    labels[str(value)] = float(code)
        text = pipeline.mapping_yaml(columns, labels)
        try:  # the saved mapping must read back as --mapping reads it
            await run_in_threadpool(pipeline.mapping_from_yaml, text)
        except KemitraanError as exc:
            return web.error(request, exc, back=f"/p/{pid}/r/{n}/check")
        web.store.set_mapping(pid, text)
        return RedirectResponse(f"/p/{pid}/r/{n}/check", status_code=303)

    @page(web_of)
    async def results(request: Request) -> Response:
        web = web_of(request)
        a = await analysis_or_error(request)
        if isinstance(a, Response):
            return a
        if a.scores is None:
            return web.error(
                request, a.score_error, back=f"/p/{a.project.id}/r/{a.upload.round}/check"
            )
        q = request.query_params
        sort = q.get("sort", "name")
        band = q.get("band", "")
        divided = q.get("divided", "") == "1"
        needle = q.get("q", "").strip().casefold()
        scale_ids = list(a.instrument.readiness_composite.scales)
        if sort not in (*_SORTS, *scale_ids):
            sort = "name"
        scales = [
            (sid, a.instrument.text(a.instrument.scale(sid).name, a.project.lang))
            for sid in scale_ids
        ]
        bands = [(b.id, a.instrument.text(b.label, a.project.lang)) for b in a.instrument.bands]
        order = q.get("order", "")
        lang = web.ui_lang(request)
        cache_key = (a.key, a.upload.id, sort, order, band, divided, needle, lang)
        table = _heatmaps.get(cache_key)
        if table is None:  # the table is most of the page's work and never changes for these inputs
            rows = heatmap_rows(a, a.project.lang)
            if band:
                rows = [r for r in rows if r["band"] == band]
            if divided:
                rows = [r for r in rows if r["divided"]]
            if needle:
                rows = [r for r in rows if needle in r["name"].casefold()]
            rows = _sorted(rows, sort, order)
            table = Markup(
                web.env.get_template("web/heatmap.html").render(
                    t=web_catalogue(lang),
                    rows=rows,
                    scales=scales,
                    p=a.project,
                    r=a.upload.round,
                    num=_number_format(a.project.lang),
                )
            )
            _heatmaps.put(cache_key, table)
        jobs = web.store.jobs_for(a.upload.id)
        return web.render(
            request,
            "results.html",
            a=a,
            heatmap=table,
            scales=scales,
            bands=bands,
            sort=sort,
            band=band,
            divided=divided,
            needle=q.get("q", ""),
            order=order,
            job=jobs[0] if jobs else None,
            total=len(a.summary.get("partnerships", {})),
        )

    async def named_partnership(request: Request) -> tuple[RoundAnalysis, str] | Response:
        """The round's analysis and the partnership named in ``?name=``, or the error page."""
        a = await analysis_or_error(request)
        if isinstance(a, Response):
            return a
        name = request.query_params.get("name", "")
        if a.scores is None or name not in a.summary.get("partnerships", {}):
            return web_of(request).error(request, t(request)("errors.not_found"), status=404)
        return a, name

    @page(web_of)
    async def partnership(request: Request) -> Response:
        found = await named_partnership(request)
        if isinstance(found, Response):
            return found
        a, name = found
        return web_of(request).render(request, "partnership.html", a=a, name=name)

    @page(web_of)
    async def report_html(request: Request) -> Response:
        web = web_of(request)
        found = await named_partnership(request)
        if isinstance(found, Response):
            return found
        a, name = found
        brand = pipeline.project_brand(web.store.project_dir(a.project.id))
        html = await run_in_threadpool(
            pipeline.partnership_html,
            a.scores,
            name,
            lang=a.project.lang,
            brand=brand,
        )
        return _sandboxed(HTMLResponse(html))

    @page(web_of)
    async def validation(request: Request) -> Response:
        web = web_of(request)
        a = await analysis_or_error(request)
        if isinstance(a, Response):
            return a
        path = a.folder / f"validation-{a.project.lang}.html"
        if not path.is_file():
            try:
                data = await run_in_threadpool(
                    pipeline.validation_html, a.ingest.responses, a.instrument, a.project.lang
                )
            except KemitraanError as exc:
                return web.error(request, exc, back=f"/p/{a.project.id}/r/{a.upload.round}/results")
            from ..output.safecsv import atomic_write_bytes

            atomic_write_bytes(path, data)
        return _sandboxed(FileResponse(path, media_type="text/html; charset=utf-8"))

    # ------------------------------------------------------------------ jobs
    @page(web_of)
    async def start_job(request: Request, form: FormData) -> Response:
        web = web_of(request)
        a = await analysis_or_error(request)
        if isinstance(a, Response):
            return a
        running = [j for j in web.store.jobs_for(a.upload.id) if j.active]
        job = running[0] if running else web.store.create_job(a.project.id, a.upload.id)
        if not running:
            web.runner.submit(job)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    def job_or_none(request: Request) -> Any:
        try:
            return web_of(request).store.job(request.path_params["jid"])
        except KeyError:
            return None

    @page(web_of)
    async def job_page(request: Request) -> Response:
        web = web_of(request)
        job = job_or_none(request)
        if job is None:
            return web.error(request, t(request)("errors.not_found"), status=404)
        upload = web.store.upload(job.upload_id)
        names = set()
        if job.status == "done":
            names = {p.name for p in report_files(web.store.report_dir(job.id))}
        rows = []
        if names:
            a = await run_in_threadpool(web.analyser.analyse, job.project_id, upload.round)
            slugs = pipeline.report_slugs(list(a.summary.get("partnerships", {})))
            rows = [
                (
                    name,
                    [(fmt, f"{slug}.{fmt}") for fmt in ("html", "pdf") if f"{slug}.{fmt}" in names],
                )
                for name, slug in sorted(slugs.items())
            ]
        return web.render(
            request,
            "job.html",
            job=job,
            upload=upload,
            project=web.store.project(job.project_id),
            rows=rows,
            index="index.html" in names,
        )

    @page(web_of)
    async def job_json(request: Request) -> Response:
        job = job_or_none(request)
        if job is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        return JSONResponse({"status": job.status, "done": job.done, "total": job.total})

    @page(web_of)
    async def resume(request: Request, form: FormData) -> Response:
        web = web_of(request)
        job = job_or_none(request)
        if job is None:
            return web.error(request, t(request)("errors.not_found"), status=404)
        if job.status in ("interrupted", "failed"):
            web.runner.resume(job.id)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @page(web_of)
    async def job_zip(request: Request) -> Response:
        web = web_of(request)
        job = job_or_none(request)
        if job is None or job.status != "done":
            return web.error(request, t(request)("errors.not_found"), status=404)
        path = await run_in_threadpool(build_zip, web.store, job)
        upload = web.store.upload(job.upload_id)
        return FileResponse(
            path,
            media_type="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="reports-round-{upload.round}.zip"'
            },
        )

    @page(web_of)
    async def job_file(request: Request) -> Response:
        web = web_of(request)
        job = job_or_none(request)
        name = request.path_params["name"]
        if job is None or not _FILE.match(name):
            return web.error(request, t(request)("errors.not_found"), status=404)
        path = web.store.report_dir(job.id) / name
        if path not in report_files(web.store.report_dir(job.id)):
            return web.error(request, t(request)("errors.not_found"), status=404)
        media = "application/pdf" if name.endswith(".pdf") else "text/html; charset=utf-8"
        return _sandboxed(FileResponse(path, media_type=media))

    @page(web_of)
    async def account(request: Request) -> Response:
        """The round's ingest account as the CLI writes it (rejected.csv, cell_issues.csv,
        ingest.json)."""
        web = web_of(request)
        a = await analysis_or_error(request)
        if isinstance(a, Response):
            return a
        name = request.path_params["name"]
        if name not in _ACCOUNT:
            return web.error(request, t(request)("errors.not_found"), status=404)
        return FileResponse(
            a.folder / name,
            media_type=_ACCOUNT[name],
            headers={
                "Content-Disposition": f'attachment; filename="round-{a.upload.round}-{name}"'
            },
        )

    @page(web_of)
    async def original(request: Request) -> Response:
        """The upload exactly as received (the name is ours: the user's is only shown as text)."""
        web = web_of(request)
        try:
            up = web.store.round_upload(request.path_params["pid"], int(request.path_params["n"]))
        except (KeyError, ValueError):
            return web.error(request, t(request)("errors.not_found"), status=404)
        ext = up.original_name.rsplit(".", 1)[-1].lower() if "." in up.original_name else ""
        ext = ext if ext in ("csv", "tsv", "txt", "xlsx", "xlsm") else "bin"
        return FileResponse(
            web.store.upload_path(up.id),
            media_type="application/octet-stream",
            headers={
                "Content-Disposition": f'attachment; filename="round-{up.round}-upload.{ext}"'
            },
        )

    base = "/p/{pid:str}/r/{n:str}"
    return [
        Route(f"{base}/check", check),
        Route(f"{base}/account/{{name:str}}", account),
        Route(f"{base}/original", original),
        Route("/p/{pid:str}/mapping", save_mapping, methods=["POST"]),
        Route(f"{base}/results", results),
        Route(f"{base}/partnership", partnership),
        Route(f"{base}/report", report_html),
        Route(f"{base}/validation/report", validation),
        Route(f"{base}/jobs", start_job, methods=["POST"]),
        Route("/jobs/{jid:str}", job_page),
        Route("/jobs/{jid:str}/progress.json", job_json),
        Route("/jobs/{jid:str}/resume", resume, methods=["POST"]),
        Route("/jobs/{jid:str}/reports.zip", job_zip),
        Route("/jobs/{jid:str}/files/{name:str}", job_file),
    ]


def _sandboxed(response: Response) -> Response:
    """Reports are documents: no script runs in them, whatever their text holds."""
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        "frame-ancestors 'self'; sandbox"
    )
    return response


def _codes(a: RoundAnalysis) -> list[tuple[int, str]]:
    """Answer codes of the instrument's first response scale, with their labels."""
    scale = next(iter(a.instrument.response_scales.values()))
    lang = a.project.lang
    out = []
    for code in range(int(scale.min), int(scale.max) + 1):
        label = scale.labels.get(code)
        out.append((code, f"{code} = {a.instrument.text(label, lang)}" if label else str(code)))
    return out


def _number_format(lang: str) -> Callable[[float | None], str]:
    """Two decimals as the reports print them (Babel, the report's rounding): a mean the
    report shows as 4,00 is never 3,99 here. The heat-map is rendered once per round."""
    return web_catalogue(lang).number


def heatmap_rows(a: RoundAnalysis, lang: str) -> list[dict[str, Any]]:
    """One row per partnership: readiness, band, divided flag and the factor means."""
    inst = a.instrument
    bands = {b.id: inst.text(b.label, lang) for b in inst.bands}
    scale_ids = list(inst.readiness_composite.scales)
    rows = []
    for name, p in a.summary.get("partnerships", {}).items():
        row: dict[str, Any] = {
            "name": name,
            "n": int(p.get("n", 0)),
            "suppressed": bool(p.get("suppressed")),
            "cells": [],
            "band": "",
            "band_label": "",
            "index": None,
            "uncertain": False,
            "divided": False,
        }
        if not row["suppressed"]:
            r = p.get("readiness") or {}
            row.update(
                band=r.get("band") or "",
                band_label=bands.get(r.get("band") or "", ""),
                index=r.get("index"),
                uncertain=bool(r.get("band_uncertain")),
            )
            scales = p.get("scales") or {}
            for sid in scale_ids:
                s = scales.get(sid) or {}
                weak = s.get("agreement") == "weak"
                row["divided"] = row["divided"] or weak
                row["cells"].append(
                    {
                        "id": sid,
                        "mean": s.get("mean"),
                        "band": s.get("band") or "",
                        "uncertain": bool(s.get("band_uncertain")),
                        "divided": weak,
                    }
                )
        rows.append(row)
    return rows


def _sorted(rows: list[dict[str, Any]], sort: str, order: str) -> list[dict[str, Any]]:
    desc = order == "desc"

    def key(r: dict[str, Any]) -> Any:
        if sort == "name":
            return (0, r["name"].casefold())
        if sort == "n":
            return (0, r["n"])
        if sort == "index":
            v = r["index"]
        else:
            v = next((c["mean"] for c in r["cells"] if c["id"] == sort), None)
        return (1, 0.0) if v is None else (0, v)  # suppressed / missing last

    shown = [r for r in rows if key(r)[0] == 0]
    rest = [r for r in rows if key(r)[0] != 0]
    return sorted(shown, key=key, reverse=desc) + sorted(rest, key=lambda r: r["name"].casefold())
