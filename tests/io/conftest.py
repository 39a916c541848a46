from pathlib import Path

import pytest

from kemitraan_assess.instrument import load_instrument

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXPORTS = FIXTURES / "exports"


@pytest.fixture(scope="session")
def inst():
    """The bilingual test instrument of the io tests (tests/fixtures/io-instrument.yaml);
    the bundled one is the root conftest's ``instrument``."""
    return load_instrument(FIXTURES / "io-instrument.yaml")


@pytest.fixture
def export():
    return lambda name: EXPORTS / name


def strip_note(data: bytes) -> bytes:
    """An export fixture without its leading '#' lines (the note citing its source)."""
    lines = data.splitlines(keepends=True)
    k = 0
    while k < len(lines) and lines[k].startswith(b"#"):
        k += 1
    return b"".join(lines[k:])


@pytest.fixture
def cited(tmp_path):
    """Path to a copy of a cited fixture, as the platform wrote it (note stripped)."""

    def make(name: str) -> Path:
        out = tmp_path / name
        out.write_bytes(strip_note((EXPORTS / name).read_bytes()))
        return out

    return make
