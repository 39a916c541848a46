"""Change since the previous wave: Welch CI of the difference.

Expected values from R 4.x stats::t.test (var.equal = FALSE), printed with digits = 12:
  x <- c(3.2,4.1,2.8,3.9,3.5,4.4,2.9); y <- c(3.9,4.6,4.2,3.1,4.8,4.4)
  t.test(y, x)$conf.int  -> -0.12664094015  1.37425998777 ; $parameter df -> 10.7215919337
Closed form, so rel = 1e-6.
"""

import numpy as np
import pandas as pd
import pytest

from kemitraan_assess.errors import InsufficientDataError
from kemitraan_assess.scoring.stats import (
    order_waves,
    rating_split,
    wave_change,
    welch_difference,
)

X = np.array([3.2, 4.1, 2.8, 3.9, 3.5, 4.4, 2.9])
Y = np.array([3.9, 4.6, 4.2, 3.1, 4.8, 4.4])


def test_welch_matches_r_t_test():
    d = welch_difference(X, Y)
    assert d.difference == pytest.approx(Y.mean() - X.mean(), rel=1e-12)
    assert d.ci_low == pytest.approx(-0.12664094015, rel=1e-6)
    assert d.ci_high == pytest.approx(1.37425998777, rel=1e-6)
    assert d.df == pytest.approx(10.7215919337, rel=1e-6)


def test_too_few_scores_raise():
    with pytest.raises(InsufficientDataError):
        welch_difference(np.array([3.0]), Y)


def test_waves_are_ordered_in_time():
    assert order_waves(pd.Series(["10", "9", "2"])) == ["2", "9", "10"]
    assert order_waves(pd.Series(["2026-01", "2025-07"])) == ["2025-07", "2026-01"]


def test_wave_change_needs_the_minimum_in_both_waves():
    rows = pd.DataFrame({"wave": ["1"] * 6 + ["2"] * 3, "GOL": np.linspace(2, 4, 9)})
    res = wave_change(rows, "wave", ["GOL"], min_group_size=5)
    assert res.comparable is False and res.differences == ()
    assert wave_change(rows.assign(wave="1"), "wave", ["GOL"], min_group_size=5) is None


def test_wave_change_compares_the_last_two_waves():
    rows = pd.DataFrame({"wave": ["1"] * 7 + ["2"] * 6 + ["0"] * 5, "GOL": [*X, *Y, *[1.0] * 5]})
    res = wave_change(rows, "wave", ["GOL"], min_group_size=5)
    assert (res.previous, res.current) == ("1", "2")
    assert dict(res.differences)["GOL"].ci_low == pytest.approx(-0.12664094015, rel=1e-6)


def test_item_distribution_counts_reverse_keyed_answers_as_favourable():
    from kemitraan_assess.scoring.stats import item_distribution

    # five members all 'strongly disagree' with a negative statement: 100 % favourable
    d = item_distribution("CONF3", np.array([1.0, 1, 1, 1, 1, np.nan]), 1, 5, reverse=True)
    assert d.counts == (5, 0, 0, 0, 0) and d.keyed_counts == (0, 0, 0, 0, 5)
    assert d.favourable == 1.0 and d.unfavourable == 0.0
    plain = item_distribution("GOL1", np.array([1.0, 2, 3, 4, 5]), 1, 5, reverse=False)
    assert (plain.unfavourable, plain.neutral, plain.favourable) == (0.4, 0.2, 0.4)


def test_sector_means_pool_without_raw_scores():
    from kemitraan_assess.scoring.stats import pooled_mean, sector_means

    m = sector_means(
        np.array([4.0, 5.0, 2.0, np.nan, 3.0]),
        np.array(["health", "health", "ngo", "ngo", "media"], dtype=object),
    )
    assert [(x.sector, x.n, x.mean) for x in m] == [
        ("health", 2, 4.5),
        ("media", 1, 3.0),
        ("ngo", 1, 2.0),
    ]
    assert pooled_mean([m[1], m[2]]) == 2.5


def test_rating_split_counts_members_in_the_lowest_and_the_top_band():
    scores = np.array([1.0, 2.4, 2.996, 3.0, 3.6, 3.996, 4.0, 5.0, np.nan])
    s = rating_split(scores, 3.0, 4.0, 0.005)
    # 2.996 is printed 3,00 and is not low; 3.996 is printed 4,00 and is high; NaN left out
    assert (s.n, s.low, s.high) == (8, 2, 3)
    assert (s.low_below, s.high_from) == (3.0, 4.0)
