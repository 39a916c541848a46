"""The JSON of ``validate()`` is the contract: byte for byte what the code wrote before the
statistics core of issue 12 (golden files written by tests/validation/make_golden.py at
commit e57dbfb, with the per-scale and one-pass twins; rewritten once for the single SMC, see
make_golden.py). A changed number, key, key order
or float repr fails here.
"""

from __future__ import annotations

import pytest

from tests.validation.make_golden import HERE, cases, dumps


@pytest.fixture(scope="module")
def docs() -> dict[str, dict]:
    return cases()


@pytest.mark.parametrize("name", ["demo_pairwise", "demo_listwise", "bfi_pairwise"])
def test_validation_json_is_byte_identical_to_the_golden_file(
    docs: dict[str, dict], name: str
) -> None:
    golden = (HERE / f"{name}.json").read_bytes()
    got = dumps(docs[name])
    if got != golden:  # name the first difference, not a 100 kB diff
        a, b = got.decode().splitlines(), golden.decode().splitlines()
        line = next(
            (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
        )
        got_line = a[line] if line < len(a) else "<end>"
        want_line = b[line] if line < len(b) else "<end>"
        pytest.fail(f"{name}: line {line + 1} is {got_line!r}, golden {want_line!r}")
