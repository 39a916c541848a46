"""A project's settings: the form shared by "new project" and the settings page.

Name, report language, confidentiality minimum and brand (organisation, colour, footer,
logo) can change at any time, with the same checks as at creation; the instrument only
while the project has no round (a round's scores are of its instrument). Nothing changes
on bad input. Reports made before a change keep what they were made with: the reports
page says they predate the change and offers to make them again.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..errors import KemitraanError
from . import pipeline
from ._http import UI_LANGS, Web, page, web_catalogue
from .messages import explain
from .store import new_id

__all__ = ["ProjectForm", "read_project_form", "stage_instrument", "stage_logo", "routes"]

_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
MAX_LOGO_BYTES = 1024 * 1024


class TooLarge(Exception):
    """An uploaded file beyond its limit (the page says which limit)."""


@dataclass(frozen=True)
class ProjectForm:
    """The checked text fields of a project form."""

    name: str
    lang: str
    min_group_size: int
    organisation: str
    primary_color: str
    footer: str


def read_project_form(form: FormData, t: Any) -> ProjectForm | str:
    """The form's settings, or the first problem with them (in the page's language)."""
    name = str(form.get("name", "")).strip()[:200]
    lang = str(form.get("lang", "id"))
    if not name:
        return str(t("errors.no_name"))
    if lang not in UI_LANGS:
        return str(t("errors.bad_lang"))
    try:
        k = int(str(form.get("min_group_size", "5")).strip())
    except ValueError:
        k = 0
    if k < 3 or k > 1000:
        return str(t("errors.min_group"))
    color = str(form.get("primary_color", "")).strip()
    if color and not _COLOR.match(color):
        return str(t("errors.color", color=color[:20]))
    return ProjectForm(
        name=name,
        lang=lang,
        min_group_size=k,
        organisation=str(form.get("organisation", "")).strip()[:300],
        primary_color=color,
        footer=str(form.get("footer", "")).strip()[:300],
    )


@dataclass(frozen=True)
class Received:
    """An uploaded file copied into the data folder's ``tmp/`` under a new id."""

    id: str
    path: Path
    size: int
    sha256: str


async def receive_file(web: Web, upload: UploadFile, *, limit: int) -> Received:
    """Copy an upload into ``tmp/`` under a new id, with its size and sha256, flushed to
    disk (TooLarge beyond ``limit``, and nothing left behind)."""
    fid = new_id()
    tmp = web.store.tmp_dir() / f"{fid}.part"
    h = hashlib.sha256()
    size = 0
    with open(tmp, "wb") as out:
        while chunk := await upload.read(1 << 20):
            size += len(chunk)
            if size > limit:
                out.close()
                tmp.unlink(missing_ok=True)
                raise TooLarge()
            h.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return Received(fid, tmp, size, h.hexdigest())


async def stage_instrument(web: Web, form: FormData, staged: Path) -> str | None:
    """The instrument the form chooses, checked and written into ``staged``.

    Returns ``bundled:<id>``, ``file:<sha256 prefix>`` for an uploaded one (its YAML in
    ``staged/instrument.yaml``), or None when the form chooses none.
    Raises KemitraanError (the place in the file) or TooLarge.
    """
    inst_file = form.get("instrument_file")
    if isinstance(inst_file, UploadFile) and inst_file.filename:
        kind = "xlsform" if inst_file.filename.lower().endswith((".xlsx", ".xls")) else "yaml"
        tmp = (await receive_file(web, inst_file, limit=web.config.max_upload_bytes)).path
        src = staged / ("instrument.xlsx" if kind == "xlsform" else "instrument-upload.yaml")
        os.replace(tmp, src)
        _, text = await run_in_threadpool(pipeline.instrument_from_upload, src, kind)
        (staged / "instrument.yaml").write_text(text, encoding="utf-8")
        return "file:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    spec = str(form.get("instrument", ""))
    if not spec.startswith("bundled:"):
        return None
    await run_in_threadpool(pipeline.load_project_instrument, spec, staged)
    return spec


async def stage_logo(web: Web, form: FormData, staged: Path) -> str | None:
    """A logo sent with the form, written into ``staged`` (its file name), or None."""
    logo_file = form.get("logo")
    if not (isinstance(logo_file, UploadFile) and logo_file.filename):
        return None
    tmp = (await receive_file(web, logo_file, limit=MAX_LOGO_BYTES + 1)).path
    with open(tmp, "rb") as fh:
        head = fh.read(8)
    name = "logo.png" if head.startswith(b"\x89PNG") else "logo.svg"
    os.replace(tmp, staged / name)
    return name


def routes(web_of: Callable[[Request], Web]) -> list[Route]:
    def t_of(request: Request) -> Any:
        return web_catalogue(web_of(request).ui_lang(request))

    async def render(
        request: Request, project: Any, *, error: str = "", values: Any = None, status: int = 200
    ) -> Response:
        web = web_of(request)
        inst = await run_in_threadpool(web.analyser.instrument, project)
        return web.render(
            request,
            "settings.html",
            status=status,
            project=project,
            values=values or project,
            instrument=inst,
            instruments=await run_in_threadpool(pipeline.bundled_instruments),
            has_rounds=bool(web.store.uploads(project.id)),
            langs=list(UI_LANGS),
            error=error,
            saved=request.query_params.get("saved") == "1",
        )

    @page(web_of)
    async def settings_page(request: Request) -> Response:
        web = web_of(request)
        try:
            project = web.store.project(request.path_params["pid"])
        except KeyError:
            return web.error(request, t_of(request)("errors.not_found"), status=404)
        return await render(request, project)

    @page(web_of, parse_form=False)
    async def save_settings(request: Request, _form: FormData | None) -> Response:
        web = web_of(request)
        t = t_of(request)
        try:
            project = web.store.project(request.path_params["pid"])
        except KeyError:
            return web.error(request, t("errors.not_found"), status=404)
        back = f"/p/{project.id}/settings"
        limit = web.config.max_upload_bytes
        try:
            too_big = int(request.headers.get("content-length", "0")) > limit + 64 * 1024
        except ValueError:
            too_big = True
        if too_big:
            mb = f"{limit / 1024 / 1024:g}"
            return web.error(request, t("errors.too_large", mb=mb), status=413, back=back)
        form = await request.form(max_files=2, max_fields=20)
        if not request.state.session.csrf_ok(form.get("csrf")):
            return web.error(request, t("errors.csrf"), status=403, back=back)
        checked = read_project_form(form, t)
        if isinstance(checked, str):
            return await render(request, project, error=checked, values=form, status=400)
        has_rounds = bool(web.store.uploads(project.id))
        folder = web.store.project_dir(project.id)
        staged = web.store.tmp_dir() / f"settings-{new_id()}"
        staged.mkdir()
        try:
            instrument = project.instrument
            if not has_rounds:
                instrument = await stage_instrument(web, form, staged) or project.instrument
            logo = await stage_logo(web, form, staged)
            if logo is None and form.get("remove_logo") != "1" and project.logo:
                if (folder / project.logo).is_file():
                    shutil.copyfile(folder / project.logo, staged / project.logo)
                logo = project.logo
            await run_in_threadpool(
                pipeline.make_brand,
                staged,
                organisation=checked.organisation,
                primary_color=checked.primary_color,
                footer=checked.footer,
                logo=logo or "",
            )
        except TooLarge:
            shutil.rmtree(staged, ignore_errors=True)
            mb = f"{limit / 1024 / 1024:g}"
            return await render(
                request, project, error=t("errors.too_large", mb=mb), values=form, status=413
            )
        except KemitraanError as exc:
            shutil.rmtree(staged, ignore_errors=True)
            return await render(request, project, error=explain(exc, t), values=form, status=400)
        # everything is checked: the files first (each replaced at once), then the record
        for name in ("instrument.yaml", "instrument.xlsx", "instrument-upload.yaml"):
            if instrument != project.instrument and (staged / name).is_file():
                os.replace(staged / name, folder / name)
        if logo and (staged / logo).is_file():
            os.replace(staged / logo, folder / logo)
        os.replace(staged / "brand.yaml", folder / "brand.yaml")
        shutil.rmtree(staged, ignore_errors=True)
        web.store.update_project(
            project.id,
            name=checked.name,
            instrument=instrument,
            lang=checked.lang,
            min_group_size=checked.min_group_size,
            organisation=checked.organisation,
            primary_color=checked.primary_color,
            footer=checked.footer,
            logo=logo or "",
        )
        if project.logo and project.logo != (logo or ""):
            (folder / project.logo).unlink(missing_ok=True)
        return RedirectResponse(f"/p/{project.id}/settings?saved=1", status_code=303)

    return [
        Route("/p/{pid:str}/settings", settings_page),
        Route("/p/{pid:str}/settings", save_settings, methods=["POST"]),
    ]
