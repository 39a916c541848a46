"""Fixtures shared by every test folder (each built once per session).

Data, never to be changed by a test (a test that needs a changed copy makes one with
``.copy()``; at the end of the session each of these is compared with what it was when
made, and a change fails the run, naming the fixture):

``bfi`` / ``bfi25``: psych::bfi (tests/reference/data/bfi.csv, 2,800 × 28) and its 25
items. ``gold(path)``: a golden file under tests/reference/ (``"factor/efa.json"``),
parsed anew on each call. ``instrument``: the bundled ``kemitraan-readiness``.
``demo_csv`` / ``demo_ingested`` / ``demo_scored``: the demo survey
(:func:`kemitraan_assess.demo.make_demo_survey`, its default seed) as an export file,
ingested, and scored.

``browser``: one headless Chromium for the session, driven by Playwright. Browser
downloads are not available, so Playwright launches Debian's ``chromium`` (installed by
``make test`` through ``scripts/system-deps.sh test``). Every test that uses it (directly
or through ``open_page``) gets the ``browser`` marker here, so ``-m "not browser"`` leaves
out all of them. ``open_page(url_or_path, width=...)`` opens a page at a viewport width.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

REF = Path(__file__).resolve().parent / "reference"
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


def fingerprint(obj: Any) -> str:
    """A digest of a fixture's value: frames by their cells, names and dtypes, frozen
    results field by field (the fields their ``==`` compares), the rest by JSON or repr.
    Equal when nothing was changed."""
    h = hashlib.sha256()

    def feed(x: Any) -> None:
        if isinstance(x, pd.DataFrame):
            h.update(repr((x.shape, list(x.columns), list(x.dtypes))).encode())
            h.update(pd.util.hash_pandas_object(x, index=True).to_numpy().tobytes())
        elif isinstance(x, pd.Series):
            h.update(repr((x.shape, x.name, x.dtype)).encode())
            h.update(pd.util.hash_pandas_object(x, index=True).to_numpy().tobytes())
        elif dataclasses.is_dataclass(x) and not isinstance(x, type):
            for f in dataclasses.fields(x):
                if not f.compare:  # not part of the value (a result's private cache)
                    continue
                h.update(f.name.encode())
                feed(getattr(x, f.name))
        elif hasattr(x, "model_dump_json"):  # the instrument (pydantic)
            h.update(x.model_dump_json().encode())
        elif isinstance(x, Path):
            h.update(x.read_bytes())
        else:
            h.update(json.dumps(x, sort_keys=True, default=repr).encode())

    feed(obj)
    return h.hexdigest()


def _shared(name: str, value: Any) -> Iterator[Any]:
    """Yield ``value``; after the session, fail if a test changed it."""
    before = fingerprint(value)
    yield value
    if fingerprint(value) != before:
        raise AssertionError(
            f"a test changed the shared session fixture {name!r} (tests/conftest.py): "
            "make a copy (.copy()) before changing it"
        )


@pytest.fixture(scope="session")
def bfi() -> Iterator[pd.DataFrame]:
    """psych::bfi: 25 items A1..O5 (1-6, missing answers NaN), gender, education, age."""
    yield from _shared("bfi", pd.read_csv(REF / "data" / "bfi.csv"))


@pytest.fixture(scope="session")
def bfi25(bfi: pd.DataFrame) -> Iterator[pd.DataFrame]:
    """The 25 items of psych::bfi."""
    yield from _shared("bfi25", bfi.iloc[:, :25])


@pytest.fixture(scope="session")
def gold() -> Callable[[str], Any]:
    """``gold("factor/efa.json")``: a golden file of tests/reference/ (written by the R
    scripts there), parsed anew on each call, so a test may change what it gets."""
    texts: dict[str, str] = {}

    def load(name: str) -> Any:
        if name not in texts:
            texts[name] = (REF / name).read_text(encoding="utf-8")
        return json.loads(texts[name])

    return load


@pytest.fixture(scope="session")
def instrument() -> Iterator[Any]:
    """The bundled instrument ``kemitraan-readiness``."""
    from kemitraan_assess.instrument import load_instrument

    yield from _shared("instrument", load_instrument("kemitraan-readiness"))


@pytest.fixture(scope="session")
def demo_csv(instrument: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo survey as an export file (the KoboToolbox-like layout of the demo)."""
    from kemitraan_assess.demo import demo_csv_bytes, make_demo_survey

    path = tmp_path_factory.mktemp("demo") / "survey.csv"
    path.write_bytes(demo_csv_bytes(make_demo_survey(instrument)))
    yield from _shared("demo_csv", path)


@pytest.fixture(scope="session")
def demo_ingested(demo_csv: Path, instrument: Any) -> Iterator[Any]:
    """``ingest(demo_csv, instrument)``: an IngestResult."""
    from kemitraan_assess.io import ingest

    yield from _shared("demo_ingested", ingest(demo_csv, instrument))


@pytest.fixture(scope="session")
def demo_scored(demo_ingested: Any, instrument: Any) -> Iterator[Any]:
    """``score(demo_ingested.responses, instrument)``: a ScoreResult."""
    from kemitraan_assess.scoring import score

    yield from _shared("demo_scored", score(demo_ingested.responses, instrument))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that drives the browser carries the ``browser`` marker."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


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
