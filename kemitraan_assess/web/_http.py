"""Shared plumbing of the pages: configuration, sessions, CSRF, templates, error pages."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .._resources import reports_dir
from ..reporting.locale import Catalogue, catalogue_languages, read_catalogue
from .analysis import Analyser
from .security import Session, new_token, token_hash
from .store import Store

__all__ = ["ServeConfig", "Web", "page", "UI_LANGS"]

SESSION_COOKIE = "ka_session"
SESSION_TTL = 12 * 3600.0
UI_LANGS = ("id", "en")
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)


@dataclass(frozen=True)
class ServeConfig:
    """How ``serve`` was started."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    password_hash: str | None = None
    max_upload_bytes: int = 50 * 1024 * 1024
    max_rows: int = 200_000
    workers: int | None = None
    scheduler: str | None = None


@functools.lru_cache(maxsize=4)
def web_catalogue(lang: str) -> Catalogue:
    """The web app's words, with the library's error texts (``errors.<code>`` of the
    report catalogue) that :func:`~kemitraan_assess.web.messages.explain` uses."""
    library = {k: v for k, v in read_catalogue("locales", lang).items() if k.startswith("errors.")}
    return Catalogue(lang, {**library, **read_catalogue("locales/web", lang, "web app")})


def web_languages() -> list[str]:
    return catalogue_languages("locales/web")


class Web:
    """Everything a page needs: configuration, store, analyser, job runner, templates."""

    def __init__(self, config: ServeConfig, store: Store, analyser: Analyser, runner: Any):
        self.config = config
        self.store = store
        self.analyser = analyser
        self.runner = runner
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(reports_dir() / "templates")),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.filters["q"] = lambda s: quote(str(s), safe="")

    # ------------------------------------------------------------------ sessions
    def session_of(self, request: Request) -> Session:
        token = request.cookies.get(SESSION_COOKIE, "")
        if token:
            found = self.store.session(token_hash(token))
            if found is not None:
                return Session(token, found[0], found[1])
        return self.new_session(authenticated=False)

    def new_session(self, *, authenticated: bool) -> Session:
        token, csrf = new_token(), new_token()
        self.store.add_session(
            token_hash(token), csrf, authenticated=authenticated, ttl=SESSION_TTL
        )
        return Session(token, csrf, authenticated, new=True)

    @property
    def gated(self) -> bool:
        return self.config.password_hash is not None

    # ------------------------------------------------------------------ pages
    def ui_lang(self, request: Request) -> str:
        lang = request.cookies.get("ka_lang", "")
        return lang if lang in UI_LANGS else "id"

    def render(
        self, request: Request, template: str, *, status: int = 200, **ctx: Any
    ) -> HTMLResponse:
        lang = self.ui_lang(request)
        session: Session = request.state.session
        html = self.env.get_template(f"web/{template}").render(
            t=web_catalogue(lang),
            lang=lang,
            csrf=session.csrf,
            path=request.url.path,
            gated=self.gated,
            signed_in=session.authenticated,
            **ctx,
        )
        return HTMLResponse(html, status_code=status)

    def error(
        self,
        request: Request,
        message: str | BaseException,
        *,
        status: int = 400,
        back: str = "/",
        lead: str = "",
        hint: str = "",
    ) -> HTMLResponse:
        """An error page. ``message`` is shown as given; a library error is shown in the
        page's language (:func:`~kemitraan_assess.web.messages.explain`), with ``lead``
        and ``hint`` in the page's language around it."""
        if isinstance(message, BaseException):
            from .messages import explain

            message = explain(message, web_catalogue(self.ui_lang(request)))
        return self.render(
            request, "error.html", status=status, message=message, back=back, lead=lead, hint=hint
        )


def secure_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


Handler = Callable[..., Awaitable[Response]]


def page(
    web_of: Callable[[Request], Web], *, parse_form: bool = True, public: bool = False
) -> Callable[[Handler], Handler]:
    """Session, password gate and CSRF for one endpoint.

    POST bodies are parsed (unless ``parse_form`` is false: the endpoint parses its own
    upload after its size check) and must carry the session's CSRF token as ``csrf``.
    """

    def deco(func: Handler) -> Handler:
        @functools.wraps(func)
        async def wrapper(request: Request) -> Response:
            web = web_of(request)
            session = web.session_of(request)
            request.state.session = session
            form: FormData | None = None
            if web.gated and not session.authenticated and not public:
                response: Response = RedirectResponse(
                    f"/login?next={quote(request.url.path)}", status_code=303
                )
            elif request.method == "POST" and parse_form:
                form = await request.form()
                if not session.csrf_ok(form.get("csrf")):
                    response = web.error(
                        request, web_catalogue(web.ui_lang(request))("errors.csrf"), status=403
                    )
                else:
                    response = await func(request, form)
            elif request.method == "POST":
                response = await func(request, None)
            else:
                response = await func(request)
            if session.new:
                response.set_cookie(
                    SESSION_COOKIE,
                    session.token,
                    max_age=int(SESSION_TTL),
                    httponly=True,
                    samesite="lax",
                    path="/",
                )
            return secure_headers(response)

        return wrapper

    return deco
