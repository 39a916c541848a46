from pathlib import Path

import pytest

from kemitraan_assess.instrument import load_instrument

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXPORTS = FIXTURES / "exports"


@pytest.fixture(scope="session")
def inst():
    """The bilingual test instrument (tests/fixtures/io-instrument.yaml)."""
    return load_instrument(FIXTURES / "io-instrument.yaml")


@pytest.fixture
def export():
    return lambda name: EXPORTS / name
