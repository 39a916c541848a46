"""validate() on an instrument whose items cannot all be analysed, and the keyed matrix
it reads (moved from the removed twin test, test_validation_speedpaths.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kemitraan_assess.instrument.loader import parse_instrument
from kemitraan_assess.scoring.scales import reverse_key, scale_scores
from kemitraan_assess.stats import icc_nested
from kemitraan_assess.validation.analyse import validate


def _whole(n: int, p: int, blank: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 1))
    x = np.clip(np.rint(3 + f + rng.normal(size=(n, p))), 1, 5)
    x[rng.random((n, p)) < blank] = np.nan
    return x


def _instrument():  # type: ignore[no-untyped-def]
    return parse_instrument(
        {
            "id": "tiny",
            "version": "1.0.0",
            "languages": ["en"],
            "response_scales": {"a5": {"min": 1, "max": 5}},
            "scales": [
                {
                    "id": s,
                    "name": {"en": s},
                    "items": [
                        {
                            "id": f"{s}{j}",
                            "text": {"en": "t"},
                            "response": "a5",
                            "reverse": s == "A" and j == 1,
                        }
                        for j in range(k)
                    ],
                }
                for s, k in (("A", 4), ("B", 3), ("C", 2))
            ],
        }
    )


def test_items_left_out_and_a_scale_that_cannot_be_computed() -> None:
    inst = _instrument()
    x = _whole(120, 9, 0.05, 5)
    x[:, 4] = 2.0  # B0 has no variance: left out, B analysed on B1 and B2
    x[:, 7] = np.nan  # C0 has one answer: left out, C (one item left) not computed
    x[0, 7] = 3.0
    responses = pd.DataFrame(x, columns=list(inst.items))
    responses["partnership"] = [f"P{i % 12}" for i in range(120)]
    doc = validate(responses, inst).to_dict()
    assert doc["items_left_out"] == {"B0": "constant_item", "C0": "sparse_item"}
    assert doc["scales"]["B"]["n_items"] == 2 and doc["scales"]["B"]["items_left_out"] == ["B0"]
    assert list(doc["scales"]["B"]["items"]) == ["B1", "B2"]
    assert (
        doc["scales"]["C"]["not_computed"]
        == "a scale needs at least 2 items (1 left after leaving out C0)"
    )
    # the aggregation scores the whole scales, as `score` does (B0 and C0 included)
    scores = scale_scores(reverse_key(responses, inst), inst)
    for sid in ("A", "B"):
        icc = icc_nested(scores[sid].to_numpy(), responses["partnership"])
        assert doc["aggregation"][sid]["icc1"] == icc.icc1
    assert "1 observations in 1 groups" in doc["aggregation"]["C"]["not_computed"]  # one C score


def test_aggregation_scores_equal_scoring_under_both_missing_data_policies() -> None:
    inst = _instrument()
    x = _whole(240, 9, 0.15, 9)
    responses = pd.DataFrame(x, columns=list(inst.items))
    responses["partnership"] = [f"P{i % 20}" for i in range(240)]
    scores = scale_scores(reverse_key(responses, inst), inst)
    for missing in ("pairwise", "listwise"):
        doc = validate(responses, inst, missing=missing).to_dict()
        for sid in ("A", "B", "C"):
            icc = icc_nested(scores[sid].to_numpy(), responses["partnership"])
            assert doc["aggregation"][sid]["icc1"] == icc.icc1, (missing, sid)
