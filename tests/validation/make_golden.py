"""Write the golden JSON of ``validate()`` that tests/validation/test_json_golden.py compares
byte for byte (``kemitraan-assess reliability --format json`` serialisation).

Run from the repository root::

    .venv/bin/python tests/validation/make_golden.py

History: first written by the code of commit e57dbfb (before the statistics core of
issue 12 replaced the per-scale / one-pass twins); the refactor reproduced them byte for byte
with the old SMC. Rewritten once when the two SMC functions became one (psych's SVD
``Pinv``, where the factor fits had used ``numpy.linalg.pinv(hermitian=True)``): the minres
start values moved by ~1e-16, and so did the iterative results, by at most 1.4e-10
relative (1e-14 absolute) in 807 numbers of the demo survey, 231 of bfi, 7 of the listwise
run; every R golden-file test passes at its stated tolerance.

Cases: the bundled demo survey (kemitraan-readiness, pairwise and listwise, 20 parallel-
analysis iterations) and psych::bfi as a researcher exports it (tests/fixtures/bfi.yaml,
no partnership column).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent / "golden"


def dumps(doc: dict) -> bytes:
    """As the command writes it (cli/pipeline.py)."""
    return (json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")


def demo_responses(inst: object) -> pd.DataFrame:
    """The ingested demo survey (partnership + items), kept as golden/demo_responses.csv so
    that the golden JSON depends on the statistics only, not on ingest."""
    path = HERE / "demo_responses.csv"
    if not path.exists():
        import io

        from kemitraan_assess.demo import demo_csv_bytes, make_demo_survey
        from kemitraan_assess.io import ingest

        ing = ingest(io.BytesIO(demo_csv_bytes(make_demo_survey(inst))), inst)  # type: ignore[arg-type]
        ing.responses[["partnership", *inst.items]].to_csv(path, index=False)  # type: ignore[attr-defined]
    return pd.read_csv(path, dtype={"partnership": str})


def cases() -> dict[str, dict]:
    """Name -> the document of validate() (to_dict() when validate returns a result)."""
    from kemitraan_assess.instrument import load_instrument
    from kemitraan_assess.instrument.loader import load_instrument as load_file
    from kemitraan_assess.validation import validate

    def doc(res: object) -> dict:
        return res.to_dict() if hasattr(res, "to_dict") else res  # type: ignore[return-value]

    inst = load_instrument("kemitraan-readiness")
    demo = demo_responses(inst)
    bfi_inst = load_file(str(ROOT / "tests" / "fixtures" / "bfi.yaml"))
    bfi = pd.read_csv(ROOT / "tests" / "reference" / "data" / "bfi.csv")
    return {
        "demo_pairwise": doc(validate(demo, inst, n_iter=20)),
        "demo_listwise": doc(validate(demo, inst, missing="listwise", n_iter=20)),
        "bfi_pairwise": doc(validate(bfi, bfi_inst, n_iter=20)),
    }


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    HERE.mkdir(exist_ok=True)
    for name, d in cases().items():
        (HERE / f"{name}.json").write_bytes(dumps(d))
        print("wrote", HERE / f"{name}.json")
