"""`kemitraan-assess serve`: the web app for evaluators who do not use a terminal."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ._common import CliError, handle_errors

PASSWORD_ENV = "KEMITRAAN_ASSESS_PASSWORD"


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Any address but loopback needs a password (asked at start, "
    f"or from ${PASSWORD_ENV}).",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--data",
    "data",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Data folder (projects, uploads, reports; default: your per-user data folder).",
)
@click.option(
    "--scheduler",
    default=None,
    help="Render report jobs on a dask.distributed cluster: ADDRESS or 'local'.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes for report jobs (default: all cores).",
)
@click.option(
    "--max-upload-mb",
    type=click.FloatRange(min=0.01),
    default=50,
    show_default=True,
    help="Largest upload accepted.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=200_000,
    show_default=True,
    help="Most rows accepted in one export.",
)
@handle_errors
def serve(
    host: str,
    port: int,
    data: Path | None,
    scheduler: str | None,
    workers: int | None,
    max_upload_mb: float,
    max_rows: int,
) -> None:
    """Open the web app: projects, uploads, checks, results and reports in a browser.

    Start it and open the address it prints (http://127.0.0.1:8000 by default).
    """
    import uvicorn

    from ..web import ServeConfig, create_app, default_data_dir
    from ..web.security import hash_password, is_loopback

    password_hash = None
    if not is_loopback(host):
        password = os.environ.get(PASSWORD_ENV, "")
        if not password:
            if not sys.stdin.isatty():
                raise CliError(
                    f"--host {host} is reachable from other computers: set a password in "
                    f"${PASSWORD_ENV} or start from a terminal to type one"
                )
            password = click.prompt(
                "Password for this server", hide_input=True, confirmation_prompt=True
            )
        if len(password) < 8:
            raise CliError("the password must have at least 8 characters")
        password_hash = hash_password(password)
    folder = Path(data) if data is not None else Path(default_data_dir())
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"{folder}: cannot create the data folder ({exc.strerror})") from None
    config = ServeConfig(
        data_dir=folder,
        host=host,
        port=port,
        password_hash=password_hash,
        max_upload_bytes=int(max_upload_mb * 1024 * 1024),
        max_rows=max_rows,
        workers=workers,
        scheduler=scheduler,
    )
    app = create_app(config)
    shown = f"[{host}]" if ":" in host else host
    click.echo(
        f"kemitraan-assess: open http://{shown}:{port} in your browser (data in {folder}); Ctrl+C "
        "stops."
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
