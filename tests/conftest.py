"""Fixtures shared by every test folder.

``browser``: one headless Chromium for the session, driven by Playwright. Browser
downloads are not available, so Playwright launches Debian's ``chromium`` (installed by
``make test`` through ``scripts/system-deps.sh test``). Tests that use it carry the
``browser`` marker. ``open_page(url_or_path, width=...)`` opens a page at a viewport width.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def chromium_path() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError(
        "no chromium on PATH: run `make test` (it installs Debian's chromium) "
        "or `apt-get install chromium`"
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Open a file path or URL in a fresh page at ``width`` × ``height`` CSS pixels."""
    contexts: list[Any] = []

    def _open(target: str | Path, width: int = 1280, height: int = 900) -> Any:
        ctx = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(ctx)
        page = ctx.new_page()
        url = target.as_uri() if isinstance(target, Path) else str(target)
        page.goto(url)
        return page

    yield _open
    for ctx in contexts:
        ctx.close()
