"""Sub-group suppression: no group below the minimum, and none recoverable by subtraction.

Rule (DESIGN.md, 'Confidentiality'; complementary suppression as in Hundepool et al. 2012,
Statistical Disclosure Control, ch. 5): hidden groups hold at least k respondents together.
"""

import numpy as np
import pytest

from kemitraan_assess.reporting.suppress import suppress_groups


def test_one_small_group_forces_a_second_one_out():
    r = suppress_groups({"health": 9, "ngo": 7, "education": 6, "private": 2}, 5)
    assert r.shown == ("health", "ngo")
    assert r.hidden == ("education", "private") and r.hidden_n == 8 and r.combined_ok


def test_all_large_groups_are_shown():
    r = suppress_groups({"a": 9, "b": 6, "c": 5}, 5)
    assert r.shown == ("a", "b", "c") and r.hidden == () and r.hidden_n == 0


def test_fewer_than_two_groups_left_shows_none():
    r = suppress_groups({"health": 7, "ngo": 6, "private": 2}, 5)
    assert r.shown == () and r.hidden_n == 15 and not r.combined_ok


def test_many_small_groups_together_reach_the_minimum():
    r = suppress_groups({"a": 8, "b": 7, "c": 2, "d": 2, "e": 1}, 5)
    assert r.shown == ("a", "b") and r.hidden_n == 5 and r.combined_ok


@pytest.mark.parametrize("seed", range(200))
def test_no_hidden_group_can_be_recovered(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(3, 8))
    counts = {f"g{i}": int(n) for i, n in enumerate(rng.integers(1, 12, size=rng.integers(1, 7)))}
    r = suppress_groups(counts, k)
    total = sum(counts.values())
    assert all(counts[g] >= k for g in r.shown)
    assert set(r.shown) | set(r.hidden) == set(counts)
    # what subtraction reveals: the hidden groups together, which must be >= k (or nothing shown)
    if r.shown:
        assert (
            total - sum(counts[g] for g in r.shown) in (0,)
            or total - sum(counts[g] for g in r.shown) >= k
        )
        assert len(r.shown) >= 2
