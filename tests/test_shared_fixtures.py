"""The guard on the root conftest's shared fixtures sees a change, and only a change."""

from __future__ import annotations

import dataclasses

import pandas as pd

from tests.conftest import fingerprint


def test_the_guard_sees_a_changed_cell_column_or_dtype(bfi25):
    mine = bfi25.copy()
    before = fingerprint(mine)
    assert fingerprint(bfi25.copy()) == before
    mine.loc[0, "A1"] = 6 if mine.loc[0, "A1"] != 6 else 5
    assert fingerprint(mine) != before
    assert fingerprint(bfi25.rename(columns={"A1": "a1"})) != before
    assert fingerprint(bfi25.astype({"A2": "Float64"})) != before


def test_the_guard_sees_a_changed_result_but_not_its_cache(demo_scored):
    @dataclasses.dataclass(frozen=True)
    class Result:
        table: pd.DataFrame
        summary: dict
        _cache: dict = dataclasses.field(compare=False, default_factory=dict)

    r = Result(pd.DataFrame({"x": [1.0, 2.0]}), {"n": 2})
    before = fingerprint(r)
    r._cache["filled"] = True  # a result's private cache may fill in
    assert fingerprint(r) == before
    r.summary["n"] = 3
    assert fingerprint(r) != before
    assert fingerprint(demo_scored) == fingerprint(demo_scored)


def test_gold_gives_a_fresh_copy_each_time(gold):
    a = gold("factor/parallel.json")
    a["nfact"] = -1
    assert gold("factor/parallel.json")["nfact"] == 6
