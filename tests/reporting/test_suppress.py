"""Sub-group suppression: no group below the minimum, and none recoverable by subtraction.

Rule (DESIGN.md, 'Confidentiality'; complementary suppression as in Hundepool et al. 2012,
Statistical Disclosure Control, ch. 5): hidden groups hold at least k respondents together.
"""

import itertools

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


def _most_groups_safely_shown(counts: dict[str, int], k: int) -> int:
    """The most groups any choice could show such that what a reader can work out is at
    least k respondents: two or more shown groups of k or more each, and the rest (total
    minus the shown groups) 0 or k or more. By trying every subset."""
    total, best = sum(counts.values()), 0
    for r in range(2, len(counts) + 1):
        for shown in itertools.combinations(counts.values(), r):
            rest = total - sum(shown)
            if min(shown) >= k and (rest == 0 or rest >= k):
                best = r
    return best


def test_every_small_table_is_suppressed_safely_and_no_more_than_needed():
    """Every table of 1 to 5 groups of 1 to 9 respondents (group order does not matter,
    so each multiset once: 2,001 tables) for k = 2 to 7: no group below k is shown, the
    hidden ones cannot be recovered by subtraction, nothing is shown alone, and the
    report shows as many groups as any safe choice could (checked against every subset)."""
    checked = 0
    for n_groups in range(1, 6):
        for sizes in itertools.combinations_with_replacement(range(1, 10), n_groups):
            counts = {f"g{i}": n for i, n in enumerate(sizes)}
            for k in range(2, 8):
                r = suppress_groups(counts, k)
                shown = set(r.shown)
                assert shown | set(r.hidden) == set(counts) and not shown & set(r.hidden)
                assert r.hidden_n == sum(counts[g] for g in r.hidden)
                assert all(counts[g] >= k for g in shown), (counts, k)
                # subtraction reveals the hidden groups together: 0 or k or more
                assert not shown or r.hidden_n == 0 or r.hidden_n >= k, (counts, k)
                assert len(shown) != 1
                assert len(shown) == _most_groups_safely_shown(counts, k), (counts, k, r)
                assert r.combined_ok == (bool(shown) and bool(r.hidden) and r.hidden_n >= k)
                # largest first, then by name
                assert list(r.shown) == sorted(r.shown, key=lambda g: (-counts[g], g))
                checked += 1
    assert checked == 2001 * 6
