"""The columns page: an upload that ingest refused for lack of matches, matched by hand.

When no column of an export matches the instrument (Qualtrics' ``QID12_3`` names, edited
question texts) or none holds the partnership names, the upload is kept as *pending*
(stored, not yet a round). This page lists every column of it
(:func:`kemitraan_assess.io.preview_export`) with its sample values and distinct answers
and a choice of question, partnership, sector, type, wave or "leave out". The choices are
checked (each question and field at most once, a partnership column), written as the
project's mapping (the YAML of ``--mapping``), and ingest runs again with it; when it
succeeds the upload becomes the next round, and later uploads use the same mapping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..errors import KemitraanError
from ..instrument import Instrument
from . import pipeline
from ._http import Web, page, web_catalogue
from .messages import explain

__all__ = ["routes", "ROLE_ORDER"]

ROLE_ORDER = ("partnership", "respondent_id", "sector", "type", "wave")
"""Field roles offered first in a column's choice (partnership first: it is required)."""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class ChoiceGroup:
    label: str
    choices: tuple[Choice, ...]


def choice_groups(inst: Instrument, t: Any, lang: str) -> list[ChoiceGroup]:
    """What a column may be: the instrument's role fields, its questions by scale, other fields."""
    by_role = {f.role: f for f in inst.fields}
    roles = tuple(
        Choice(by_role[r].id, f"{t('columns.role.' + r)} ({inst.text(by_role[r].text, lang)})")
        for r in ROLE_ORDER
        if r in by_role
    )
    groups = [ChoiceGroup(t("columns.roles"), roles)] if roles else []
    for scale in inst.scales:
        items = tuple(
            Choice(i.id, f"{i.id} · {_cut(inst.text(i.text, lang), 70)}") for i in scale.items
        )
        groups.append(ChoiceGroup(f"{scale.id} · {inst.text(scale.name, lang)}", items))
    others = tuple(
        Choice(f.id, f"{inst.text(f.text, lang)} ({f.id})")
        for f in inst.fields
        if f.role not in ROLE_ORDER
    )
    if others:
        groups.append(ChoiceGroup(t("columns.other_fields"), others))
    return groups


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def check_choices(
    chosen: list[str], names: list[str], inst: Instrument, t: Any
) -> tuple[list[str], set[int]]:
    """Problems with the choices (in the page's language) and the columns concerned."""
    problems: list[str] = []
    bad: set[int] = set()
    valid = set(inst.items) | {f.id for f in inst.fields}
    where: dict[str, list[int]] = {}
    for j, value in enumerate(chosen):
        if value and value not in valid:
            problems.append(t("columns.err.unknown", column=names[j]))
            bad.add(j)
        elif value:
            where.setdefault(value, []).append(j)
    for target, cols in where.items():
        if len(cols) > 1:
            shown = ", ".join(f"“{names[j]}”" for j in cols)
            problems.append(t("columns.err.twice", target=target, columns=shown))
            bad.update(cols)
    p_field = inst.field_by_role("partnership")
    if p_field is not None and p_field.id not in where:
        problems.append(t("columns.err.no_partnership"))
    elif p_field is None:
        problems.append(t("columns.err.no_partnership_field"))
    if not any(v in inst.items for v in where):
        problems.append(t("columns.err.no_item"))
    return problems, bad


def routes(web_of: Callable[[Request], Web]) -> list[Route]:
    def t_of(request: Request) -> Any:
        return web_catalogue(web_of(request).ui_lang(request))

    async def load(request: Request) -> tuple[Any, Any, Instrument] | Response:
        web = web_of(request)
        try:
            project = web.store.project(request.path_params["pid"])
            pending = web.store.pending(request.path_params["uid"])
        except KeyError:
            project = pending = None
        if project is None or pending is None or pending.project_id != project.id:
            return web.error(request, t_of(request)("errors.not_found"), status=404)
        inst = await run_in_threadpool(web.analyser.instrument, project)
        return project, pending, inst

    async def preview(request: Request, project: Any, pending: Any, inst: Instrument) -> Any:
        """The pending upload's columns, or the error page naming the user's file."""
        from ..io import preview_export

        web = web_of(request)
        path = web.store.upload_path(pending.id)
        try:
            return await run_in_threadpool(
                preview_export, path, inst, mapping=pipeline.mapping_from_yaml(project.mapping)
            )
        except KemitraanError as exc:
            rename = {str(path): pending.original_name, path.name: pending.original_name}
            shown = explain(exc, t_of(request), rename=rename)
            return web.error(request, shown, back=f"/p/{project.id}")

    def render(
        request: Request,
        project: Any,
        pending: Any,
        inst: Instrument,
        pv: Any,
        *,
        chosen: list[str] | None = None,
        problems: list[str] | None = None,
        bad: set[int] | None = None,
        failure: str = "",
        status: int = 200,
    ) -> Response:
        web = web_of(request)
        lang = web.ui_lang(request)
        t = t_of(request)
        if chosen is None:
            chosen = [c.target or "" for c in pv.columns]
        return web.render(
            request,
            "columns.html",
            status=status,
            project=project,
            pending=pending,
            preview=pv,
            chosen=chosen,
            groups=choice_groups(inst, t, project.lang if project.lang in ("id", "en") else lang),
            problems=problems or [],
            bad=bad or set(),
            failure=failure,
            platform=t(f"platforms.{pv.platform}") if t.has(f"platforms.{pv.platform}") else "",
            reason=t(f"columns.reason.{pending.reason}")
            if t.has(f"columns.reason.{pending.reason}")
            else "",
        )

    @page(web_of)
    async def columns_page(request: Request) -> Response:
        found = await load(request)
        if isinstance(found, Response):
            return found
        project, pending, inst = found
        pv = await preview(request, project, pending, inst)
        if isinstance(pv, Response):
            return pv
        return render(request, project, pending, inst, pv)

    @page(web_of)
    async def save_columns(request: Request, form: FormData) -> Response:
        web = web_of(request)
        t = t_of(request)
        found = await load(request)
        if isinstance(found, Response):
            return found
        project, pending, inst = found
        pv = await preview(request, project, pending, inst)
        if isinstance(pv, Response):
            return pv
        names = [c.name for c in pv.columns]
        chosen = [str(form.get(f"col_{j}", "")).strip() for j in range(len(names))]
        problems, bad = check_choices(chosen, names, inst, t)
        if problems:
            return render(
                request,
                project,
                pending,
                inst,
                pv,
                chosen=chosen,
                problems=problems,
                bad=bad,
                status=400,
            )
        current = pipeline.mapping_from_yaml(project.mapping)
        columns: dict[str, str] = dict(current["columns"])
        for col, value in zip(pv.columns, chosen, strict=True):
            if value:
                columns[col.name] = value
            elif col.target is not None or col.name in columns:
                columns[col.name] = ""  # matched by its header (or before), left out now
        text = pipeline.mapping_yaml(columns, dict(current["labels"]))
        path = web.store.upload_path(pending.id)
        try:
            result = await run_in_threadpool(
                pipeline.ingest_export,
                path,
                inst,
                pipeline.mapping_from_yaml(text),
                display_name=pending.original_name,
            )
        except KemitraanError as exc:  # nothing is saved: the project stays as it was
            return render(
                request,
                project,
                pending,
                inst,
                pv,
                chosen=chosen,
                failure=explain(exc, t),
                status=400,
            )
        rows = int(result.log.get("counts", {}).get("rows_read", len(result.responses)))
        if rows > web.config.max_rows:
            web.store.drop_pending(pending.id)
            return web.error(
                request,
                t(
                    "errors.too_many_rows",
                    name=pending.original_name,
                    rows=t.integer(rows),
                    max=t.integer(web.config.max_rows),
                ),
                back=f"/p/{project.id}",
            )
        up = web.store.promote_pending(pending.id, mapping_yaml=text)
        return RedirectResponse(f"/p/{project.id}/r/{up.round}/check", status_code=303)

    @page(web_of)
    async def discard(request: Request, form: FormData) -> Response:
        web = web_of(request)
        found = await load(request)
        if isinstance(found, Response):
            return found
        project, pending, _ = found
        web.store.drop_pending(pending.id)
        return RedirectResponse(f"/p/{project.id}", status_code=303)

    @page(web_of)
    async def validation_page(request: Request) -> Response:
        """The validation report framed in a page of the app (breadcrumbs back to it)."""
        web = web_of(request)
        try:
            project = web.store.project(request.path_params["pid"])
            up = web.store.round_upload(project.id, int(request.path_params["n"]))
        except (KeyError, ValueError):
            return web.error(request, t_of(request)("errors.not_found"), status=404)
        return web.render(request, "validation.html", project=project, round=up.round)

    return [
        Route("/p/{pid:str}/u/{uid:str}/columns", columns_page),
        Route("/p/{pid:str}/u/{uid:str}/columns", save_columns, methods=["POST"]),
        Route("/p/{pid:str}/u/{uid:str}/discard", discard, methods=["POST"]),
        Route("/p/{pid:str}/r/{n:str}/validation", validation_page),
    ]
