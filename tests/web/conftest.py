"""Servers for the web tests: ``kemitraan-assess serve`` as a real process, or in a thread."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(
    port: int, proc: subprocess.Popen[bytes] | None = None, timeout: float = 30
) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(
                f"serve exited with {proc.returncode}: "
                f"{proc.stderr.read().decode() if proc.stderr else ''}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


class ServeProcess:
    """``kemitraan-assess serve`` in its own process (killable with SIGKILL)."""

    def __init__(self, data: Path, *args: str, env: dict[str, str] | None = None):
        self.data = data
        self.args = args
        self.env = env
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServeProcess:
        cmd = [
            sys.executable,
            "-m",
            "kemitraan_assess",
            "serve",
            "--port",
            str(self.port),
            "--data",
            str(self.data),
            *self.args,
        ]
        self.proc = subprocess.Popen(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(self.env or {})},
            start_new_session=True,
        )
        wait_for_port(self.port, self.proc)
        return self

    def kill(self) -> None:
        """SIGKILL to the server and every process it started (its session)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def serve_process(tmp_path: Path) -> Iterator[Callable[..., ServeProcess]]:
    started: list[ServeProcess] = []

    def _start(
        *args: str, data: Path | None = None, env: dict[str, str] | None = None
    ) -> ServeProcess:
        sp = ServeProcess(data or tmp_path / "data", *args, env=env).start()
        started.append(sp)
        return sp

    yield _start
    for sp in started:
        sp.stop()


class LiveApp:
    """The app on uvicorn in a thread of the test process, with an httpx client."""

    def __init__(self, config: Any):
        import uvicorn

        from kemitraan_assess.web import create_app

        self.app = create_app(config)
        self.port = config.port
        self.server = uvicorn.Server(
            uvicorn.Config(
                self.app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False
            )
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, follow_redirects=True, timeout=120, cookies={"ka_lang": "en"}
        )

    def __enter__(self) -> LiveApp:
        self.thread.start()
        wait_for_port(self.port)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(15)


@pytest.fixture
def live_app(tmp_path: Path) -> Iterator[Callable[..., LiveApp]]:
    from kemitraan_assess.web import ServeConfig

    apps: list[LiveApp] = []

    def _make(**kw: Any) -> LiveApp:
        kw.setdefault("data_dir", tmp_path / "data")
        kw.setdefault("workers", 1)
        app = LiveApp(ServeConfig(port=free_port(), **kw)).__enter__()
        apps.append(app)
        return app

    yield _make
    for app in apps:
        app.__exit__(None, None, None)
