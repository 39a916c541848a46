"""``keys=`` on the item-level statistics (psych's ``keys`` / ``check.keys``) and the warning
for a reverse-worded item analysed raw (issue 10, section 5).

Reference: tests/reference/reliability/bfi_scales.json (ref_reliability.R):
``psych::alpha(bfi_keyed[, scale])`` with A1, C4, C5, E1, E2, O2, O5 reversed as 7 - x, which
is what ``psych::alpha(bfi[, scale], keys = ...)`` does (min 1 + max 6 of the answers).
Closed forms: rel 1e-9.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from kemitraan_assess.errors import DataError
from kemitraan_assess.stats import (
    NegativeItemWarning,
    cronbach_alpha,
    item_analysis,
    omega,
    omega_total_1f,
    split_half,
)

REVERSED = {"A": ["A1"], "C": ["C4", "C5"], "E": ["E1", "E2"], "O": ["O2", "O5"]}


SCALES_GOLD = "reliability/bfi_scales.json"


def _cols(scale: str) -> list[str]:
    return [f"{scale}{i}" for i in range(1, 6)]


def test_raw_reverse_worded_item_warns_and_names_it(bfi25):
    with pytest.warns(
        NegativeItemWarning, match=r"A1 \(r\.drop = -0\.\d\d\) correlates negatively"
    ) as rec:
        raw = cronbach_alpha(bfi25[_cols("A")])
    assert len(rec) == 1 and "keys=" in str(rec[0].message)
    assert raw.raw < 0.5  # what the notebook silently got before


@pytest.mark.parametrize("scale", sorted(REVERSED))
def test_keys_give_psych_alpha_with_keys(bfi25, gold, scale):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # keyed: no warning
        res = cronbach_alpha(bfi25[_cols(scale)], keys=REVERSED[scale])
    tot = gold(SCALES_GOLD)[scale]["alpha"]["total"]  # psych::alpha(bfi_keyed[, scale])
    assert res.raw == pytest.approx(tot["raw_alpha"], rel=1e-9)
    assert res.standardized == pytest.approx(tot["std.alpha"], rel=1e-9)


def test_every_form_of_keys_is_the_same(bfi25):
    x = bfi25[_cols("C")]
    forms = [
        ["C4", "C5"],
        ["C1", "C2", "C3", "-C4", "-C5"],
        [1, 1, 1, -1, -1],
        {"C4": -1, "C5": -1},
        "auto",
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NegativeItemWarning)  # "auto" says what it reversed
        values = [cronbach_alpha(x, keys=k).raw for k in forms]
    assert values == pytest.approx([values[0]] * len(values), rel=1e-15)


def test_auto_keys_say_what_they_reversed(bfi25):
    with pytest.warns(
        NegativeItemWarning,
        match="item A1 correlates negatively with the first principal component",
    ):
        cronbach_alpha(bfi25[_cols("A")], keys="auto")


def test_arrays_take_numeric_keys():
    rng = np.random.default_rng(3)
    f = rng.normal(size=(300, 1))
    x = np.round(3 + f + rng.normal(size=(300, 4)) * 0.8).clip(1, 5)
    y = x.copy()
    y[:, 2] = 6 - y[:, 2]
    with pytest.warns(NegativeItemWarning, match="V3"):
        cronbach_alpha(y)
    # psych's rule: min + max of all the answers (here 1 and 5, as the scale)
    assert cronbach_alpha(y, keys=[1, 1, -1, 1]).raw == pytest.approx(
        cronbach_alpha(x).raw, rel=1e-12
    )


def test_item_analysis_split_half_and_omega_take_keys(bfi25, gold):
    x, keys = bfi25[_cols("E")], REVERSED["E"]
    keyed = bfi25[_cols("E")].copy()
    keyed[keys] = 7 - keyed[keys]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ia = item_analysis(x, keys=keys)
        sh = split_half(x, keys=keys)
        om1 = omega_total_1f(x, keys=keys)
        om = omega(bfi25, 3, keys=["A1", "C4", "C5", "E1", "E2", "O2", "O5"])
    st = gold(SCALES_GOLD)["E"]["alpha"]["item_stats"]
    assert ia.r_drop == pytest.approx(st["r.drop"], rel=1e-9)
    assert ia.mean == pytest.approx(st["mean"], rel=1e-9)
    assert sh.max == pytest.approx(gold(SCALES_GOLD)["E"]["split_half"]["maxrb"], rel=1e-9)
    assert om1.omega_total == pytest.approx(omega_total_1f(keyed).omega_total, rel=1e-12)
    assert om.omega_h == pytest.approx(omega(bfi25, 3).omega_h, rel=1e-9)  # psych flips by g anyway
    with pytest.warns(NegativeItemWarning):
        item_analysis(x)
    with pytest.warns(NegativeItemWarning):
        split_half(x)


@pytest.mark.parametrize(
    "keys,message",
    [
        (["A9"], "keys name 'A9', which is not an item of the data"),
        ({"Z": -1}, "keys name 'Z'"),
        ([1, -1], "keys as numbers must be 5 values of +1 or -1"),
        ([1, 1, 1, 1, 2], "keys as numbers must be 5 values of +1 or -1"),
        ("reverse", "keys must be 'auto', item names"),
        ([1, "A1"], "keys must be 'auto', item names"),
    ],
)
def test_bad_keys_are_refused_with_the_reason(bfi25, keys, message):
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace("+", r"\+")):
        cronbach_alpha(bfi25[_cols("A")], keys=keys)


def test_keys_on_a_correlation_matrix_are_refused(bfi25):
    r = bfi25[_cols("N")].corr().to_numpy()
    with pytest.raises(DataError, match="reverse the items first"):
        omega_total_1f(r, keys=["V1"])
