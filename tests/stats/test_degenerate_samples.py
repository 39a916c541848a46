"""Degenerate samples that real exports produce (found by attacking the readers): the
statistics give psych's answer (Inf, NaN) instead of raising or printing numpy warnings,
and the JSON says null.

psych::alpha on items that correlate perfectly gives alpha 1 and ``S/N = Inf``
(``n.var * av.r / (1 - av.r)`` with ``av.r = 1``).
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from kemitraan_assess.cli import cli
from kemitraan_assess.stats import NegativeItemWarning, cronbach_alpha, item_analysis


def test_perfectly_correlated_items_give_alpha_one_and_infinite_signal_noise():
    x = pd.DataFrame(
        {"a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 4, 5], "c": [1, 2, 3, 4, 5]}, dtype=float
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        res = cronbach_alpha(x)
    # av.r is 1 up to rounding: S/N is Inf, or as large as 1 / machine epsilon
    assert res.raw == pytest.approx(1.0, rel=1e-12)
    assert math.isinf(res.signal_noise) or res.signal_noise > 1e12


def test_a_scale_whose_correlations_sum_below_zero_has_nan_std_r_without_a_warning():
    # pairwise on three rows: the pairs disagree so much that the correlations sum below 0
    x = pd.DataFrame(
        {"a": [1, 5, 1, np.nan], "b": [5, 1, np.nan, 1], "c": [np.nan, 1, 5, 5]}, dtype=float
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.warns(NegativeItemWarning):  # the wild pairs also read as a reversed item
            ia = item_analysis(x)
    assert np.isnan(ia.std_r).all()


def test_reliability_json_holds_null_not_infinity(tmp_path):
    inst = tmp_path / "i.yaml"
    inst.write_text(
        "id: tiny\nversion: 1.0.0\nlanguages: [en]\nresponse_scales:\n  a5: {min: 1, max: 5}\n"
        "scales:\n  - id: S\n    name: {en: S}\n    items:\n"
        + "".join(f"      - {{id: Q{i}, text: {{en: q{i}}}, response: a5}}\n" for i in (1, 2, 3))
    )
    rows = "".join(f"{v},{v},{v}\n" for v in (1, 2, 3, 4, 5, 2, 3))
    survey = tmp_path / "s.csv"
    survey.write_text("Q1,Q2,Q3\n" + rows)
    res = CliRunner().invoke(
        cli, ["reliability", str(survey), "--instrument", str(inst), "--format", "json"]
    )
    assert res.exit_code in (0, 1), res.output
    assert "Traceback" not in res.output and "RuntimeWarning" not in res.output
    doc = json.loads(res.stdout)
    assert doc["scales"]["S"]["alpha"]["raw"] == pytest.approx(1.0)
