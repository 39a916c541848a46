"""The Starlette application: projects, uploads and the routes of every page.

Pages are rendered on the server from ``reports/templates/web/`` with the report's
stylesheet; forms work without JavaScript. Heavy work (ingest, scoring) runs in the
thread pool, report batches on the job runner.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from .._resources import reports_dir
from ..errors import KemitraanError
from ..io.preview import preview_export
from . import columns, pipeline, settings
from ._http import UI_LANGS, ServeConfig, Web, page, secure_headers, web_catalogue
from .analysis import Analyser
from .jobs import JobRunner
from .messages import CODES_NEEDING_COLUMNS, explain
from .security import check_password, is_loopback
from .store import Store, file_mode_private, new_id

__all__ = ["create_app", "ServeConfig"]

_STATIC = {
    "report.css": ("styles/report.css", "text/css"),
    "web.css": ("styles/web.css", "text/css"),
    "app.js": ("templates/web/app.js", "text/javascript"),
}


def _web(request: Request) -> Web:
    return request.app.state.web


def _t(request: Request) -> Any:
    return web_catalogue(_web(request).ui_lang(request))


def _too_large_text(t: Any, limit: int) -> str:
    return t("errors.too_large", mb=f"{limit / 1024 / 1024:g}")


def _body_too_large(request: Request, limit: int) -> bool:
    try:
        return int(request.headers.get("content-length", "0")) > limit + 64 * 1024
    except ValueError:
        return True


# ---------------------------------------------------------------------- home, projects
@page(_web)
async def home(request: Request) -> Response:
    web = _web(request)
    instruments = await run_in_threadpool(pipeline.bundled_instruments)
    return web.render(
        request,
        "home.html",
        projects=web.store.projects(),
        instruments=instruments,
        langs=list(UI_LANGS),
    )


@page(_web, parse_form=False)
async def create_project(request: Request, _form: FormData | None) -> Response:
    web = _web(request)
    t = _t(request)
    if _body_too_large(request, web.config.max_upload_bytes):
        return web.error(request, _too_large_text(t, web.config.max_upload_bytes), status=413)
    form = await request.form(max_files=2, max_fields=20)
    if not request.state.session.csrf_ok(form.get("csrf")):
        return web.error(request, t("errors.csrf"), status=403)
    checked = settings.read_project_form(form, t)
    if isinstance(checked, str):
        return web.error(request, checked)
    pid = new_id()
    folder = web.store.project_dir(pid)
    staged = web.store.tmp_dir() / f"project-{pid}"
    staged.mkdir()
    try:
        instrument = await settings.stage_instrument(web, form, staged)
        if instrument is None:
            _remove_tree(staged)
            return web.error(request, t("errors.no_instrument"))
        if instrument.startswith("file:"):
            instrument = "file"
        logo = await settings.stage_logo(web, form, staged)
        await run_in_threadpool(
            pipeline.make_brand,
            staged,
            organisation=checked.organisation,
            primary_color=checked.primary_color,
            footer=checked.footer,
            logo=logo or "",
        )
    except settings.TooLarge:
        _remove_tree(staged)
        return web.error(request, _too_large_text(t, web.config.max_upload_bytes), status=413)
    except KemitraanError as exc:
        _remove_tree(staged)
        return web.error(
            request,
            explain(exc, t, rename={str(staged) + "/": ""}),
            lead=t("errors.instrument_lead"),
            hint=t("errors.instrument_hint"),
        )
    os.replace(staged, folder)
    web.store.create_project(
        project_id=pid,
        name=checked.name,
        instrument=instrument,
        lang=checked.lang,
        min_group_size=checked.min_group_size,
        organisation=checked.organisation,
        primary_color=checked.primary_color,
        footer=checked.footer,
        logo=logo or "",
    )
    return RedirectResponse(f"/p/{pid}", status_code=303)


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def _project_or_404(request: Request) -> Any:
    try:
        return _web(request).store.project(request.path_params["pid"])
    except KeyError:
        return None


@page(_web)
async def project_page(request: Request) -> Response:
    web = _web(request)
    project = _project_or_404(request)
    if project is None:
        return web.error(request, _t(request)("errors.not_found"), status=404)
    inst = await run_in_threadpool(web.analyser.instrument, project)
    uploads = web.store.uploads(project.id)
    jobs = {u.id: web.store.jobs_for(u.id) for u in uploads}
    pending = web.store.pending_uploads(project.id)
    return web.render(
        request,
        "project.html",
        project=project,
        instrument=inst,
        uploads=uploads,
        jobs=jobs,
        pending=pending,
        max_mb=f"{web.config.max_upload_bytes / 1024 / 1024:g}",
        max_rows=_t(request).integer(web.config.max_rows),
    )


@page(_web)
async def xlsform(request: Request) -> Response:
    web = _web(request)
    project = _project_or_404(request)
    if project is None:
        return web.error(request, _t(request)("errors.not_found"), status=404)
    inst = await run_in_threadpool(web.analyser.instrument, project)
    data = await run_in_threadpool(pipeline.xlsform_bytes, inst)
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{inst.id}-xlsform.xlsx"'},
    )


@page(_web)
async def mapping_yaml(request: Request) -> Response:
    project = _project_or_404(request)
    if project is None:
        return _web(request).error(request, _t(request)("errors.not_found"), status=404)
    return Response(
        project.mapping or "{}\n",
        media_type="text/yaml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="mapping.yaml"'},
    )


# ---------------------------------------------------------------------- upload
@page(_web, parse_form=False)
async def upload(request: Request, _form: FormData | None) -> Response:
    web = _web(request)
    t = _t(request)
    project = _project_or_404(request)
    back = f"/p/{request.path_params['pid']}"
    if project is None:
        return web.error(request, t("errors.not_found"), status=404)
    limit = web.config.max_upload_bytes
    if _body_too_large(request, limit):
        return web.error(request, _too_large_text(t, limit), status=413, back=back)
    form = await request.form(max_files=1, max_fields=5)
    if not request.state.session.csrf_ok(form.get("csrf")):
        return web.error(request, t("errors.csrf"), status=403, back=back)
    file = form.get("export")
    if not isinstance(file, UploadFile) or not file.filename:
        return web.error(request, t("errors.no_file"), back=back)
    display = _display_name(file.filename)
    try:
        got = await settings.receive_file(web, file, limit=limit)
    except settings.TooLarge:
        return web.error(request, _too_large_text(t, limit), status=413, back=back)
    fid, tmp, size, digest = got.id, got.path, got.size, got.sha256
    final = web.store.upload_path(fid)
    try:
        result = await run_in_threadpool(
            pipeline.ingest_export,
            tmp,
            await run_in_threadpool(web.analyser.instrument, project),
            pipeline.mapping_from_yaml(project.mapping),
            display_name=display,
        )
    except KemitraanError as exc:
        if exc.code in CODES_NEEDING_COLUMNS:  # kept: the columns page says what they hold
            return await _keep_pending(request, project, fid, tmp, display, size, digest, exc)
        tmp.unlink(missing_ok=True)
        return web.error(
            request,
            explain(exc, t),
            back=back,
            lead=t("errors.upload_lead", name=display),
            hint=t("errors.upload_hint"),
        )
    rows = int(result.log.get("counts", {}).get("rows_read", len(result.responses)))
    if rows > web.config.max_rows:
        tmp.unlink(missing_ok=True)
        return web.error(
            request,
            t(
                "errors.too_many_rows",
                name=display,
                rows=t.integer(rows),
                max=t.integer(web.config.max_rows),
            ),
            back=back,
        )
    os.replace(tmp, final)
    file_mode_private(final)
    _fsync_dir(final.parent)
    up = web.store.add_upload(
        upload_id=fid,
        project_id=project.id,
        original_name=display,
        size=size,
        sha256=digest,
        unless_same_as_last=True,
    )
    if up.id != fid:  # the same file as the latest round (a form sent twice): no new round
        final.unlink(missing_ok=True)
        return RedirectResponse(f"/p/{project.id}/r/{up.round}/check?same=1", status_code=303)
    return RedirectResponse(f"/p/{project.id}/r/{up.round}/check", status_code=303)


async def _keep_pending(
    request: Request,
    project: Any,
    fid: str,
    tmp: Path,
    display: str,
    size: int,
    digest: str,
    exc: KemitraanError,
) -> Response:
    """Store an upload whose columns ingest could not match, as pending (not a round)."""
    web = _web(request)
    t = _t(request)
    back = f"/p/{project.id}"
    try:
        inst = await run_in_threadpool(web.analyser.instrument, project)
        pv = await run_in_threadpool(preview_export, tmp, inst)
    except KemitraanError as err:  # named by the user's file name, never the server's path
        tmp.unlink(missing_ok=True)
        rename = {str(tmp): display, tmp.name: display}
        return web.error(request, explain(err, t, rename=rename), back=back)
    if pv.n_records > web.config.max_rows:
        tmp.unlink(missing_ok=True)
        rows, most = t.integer(pv.n_records), t.integer(web.config.max_rows)
        return web.error(
            request, t("errors.too_many_rows", name=display, rows=rows, max=most), back=back
        )
    final = web.store.upload_path(fid)
    os.replace(tmp, final)
    file_mode_private(final)
    _fsync_dir(final.parent)
    web.store.add_pending(
        upload_id=fid,
        project_id=project.id,
        original_name=display,
        size=size,
        sha256=digest,
        reason=str(exc.code),
    )
    return RedirectResponse(f"/p/{project.id}/u/{fid}/columns", status_code=303)


def _display_name(name: str) -> str:
    """The user's file name as text to show (never used as a path): last part, printable."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in base if ch.isprintable())
    return base[:200] or "upload"


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---------------------------------------------------------------------- login, language, static
@page(_web, public=True)
async def login(request: Request, form: FormData | None = None) -> Response:
    web = _web(request)
    nxt = request.query_params.get("next", "/")
    if not nxt.startswith("/") or nxt.startswith("//"):
        nxt = "/"
    if request.method == "POST":
        form = form if form is not None else {}
        hashed = web.config.password_hash
        if hashed and check_password(str(form.get("password", "")), hashed):
            session = web.new_session(authenticated=True)
            response = RedirectResponse(nxt, status_code=303)
            response.set_cookie(
                "ka_session",
                session.token,
                httponly=True,
                samesite="lax",
                path="/",
                max_age=12 * 3600,
            )
            return response
        time.sleep(0.5)  # slows guessing
        return web.render(request, "login.html", status=401, failed=True, next=nxt)
    return web.render(request, "login.html", failed=False, next=nxt)


async def set_lang(request: Request) -> Response:
    lang = request.path_params["lang"]
    nxt = request.query_params.get("next", "/")
    if not nxt.startswith("/") or nxt.startswith("//"):
        nxt = "/"
    response = RedirectResponse(nxt, status_code=303)
    if lang in UI_LANGS:
        response.set_cookie("ka_lang", lang, max_age=365 * 24 * 3600, samesite="lax", path="/")
    return secure_headers(response)


async def static(request: Request) -> Response:
    entry = _STATIC.get(request.path_params["name"])
    if entry is None:
        return Response("not found", status_code=404)
    path = Path(str(reports_dir() / entry[0]))
    response = FileResponse(path, media_type=entry[1])
    response.headers["Cache-Control"] = "max-age=300"
    return secure_headers(response)


# ---------------------------------------------------------------------- the app
def create_app(config: ServeConfig) -> Starlette:
    """The web app over the data folder of ``config`` (created when missing)."""
    from . import rounds

    store = Store(config.data_dir)
    store.clean_tmp()
    analyser = Analyser(store)

    def brand_for(project: Any) -> Any:
        return pipeline.project_brand(store.project_dir(project.id))

    runner = JobRunner(
        store, analyser, workers=config.workers, scheduler=config.scheduler, brand_for=brand_for
    )
    web = Web(config, store, analyser, runner)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runner.start()
        yield
        runner.stop()

    routes = [
        Route("/", home),
        Route("/projects", create_project, methods=["POST"]),
        Route("/p/{pid:str}", project_page),
        Route("/p/{pid:str}/xlsform.xlsx", xlsform),
        Route("/p/{pid:str}/mapping.yaml", mapping_yaml),
        Route("/p/{pid:str}/upload", upload, methods=["POST"]),
        *settings.routes(_web),
        *columns.routes(_web),
        *rounds.routes(_web),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/lang/{lang:str}", set_lang),
        Route("/static/{name:str}", static),
    ]
    hosts = ["127.0.0.1", "localhost", "::1", "[::1]"] if is_loopback(config.host) else ["*"]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)],
    )
    app.state.web = web
    return app
