"""scores.json and the score CSVs written column by column are exactly the reference bytes.

References (exact byte equality, no tolerance):

* ``scores.json``: ``json.dumps(result.summary, ensure_ascii=False, indent=2,
  allow_nan=False) + "\\n"`` (Python 3.11 ``json``), the writer used before the columnar
  encoder;
* ``respondents.csv`` / ``partnerships.csv``: pandas 3.1 ``to_csv`` after
  ``neutralise_frame`` (``safecsv._pandas_csv_bytes``).

The survey is the demo survey of the bundled instrument (model scales, type, sector and
model-choice fields), scored with a confidentiality minimum that suppresses partnerships.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from kemitraan_assess.demo import demo_csv_bytes, make_demo_survey
from kemitraan_assess.instrument import load_instrument
from kemitraan_assess.io import ingest
from kemitraan_assess.output.safecsv import _pandas_csv_bytes, csv_bytes
from kemitraan_assess.scoring import scale_scores, score
from kemitraan_assess.scoring.output import scores_json

INST = load_instrument("kemitraan-readiness")


@pytest.fixture(scope="module")
def responses():
    survey = make_demo_survey(INST, seed=5)
    return ingest(demo_csv_bytes(survey), INST).responses


@pytest.mark.parametrize("k_min", [5, 12])
def test_scores_json_equals_json_dumps(responses, k_min):
    res = score(responses, INST, min_group_size=k_min)
    assert res.summary["n_suppressed"] > 0
    reference = json.dumps(res.summary, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    assert scores_json(res) == reference


@pytest.mark.parametrize("k_min", [5, 12])
def test_score_csvs_equal_pandas_writer(responses, k_min):
    res = score(responses, INST, min_group_size=k_min)
    for frame in (res.respondents, res.partnerships):
        assert csv_bytes(frame) == _pandas_csv_bytes(frame)


def test_all_partnerships_suppressed_and_special_names(responses):
    df = responses.copy()
    df["partnership"] = np.where(np.arange(len(df)) % 2, '=Mitra "A", Kab.\tX', "Mitra B ü")
    res = score(df, INST, min_group_size=len(df))
    assert res.summary["n_suppressed"] == 2
    assert (
        scores_json(res)
        == json.dumps(res.summary, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    )
    assert csv_bytes(res.partnerships) == _pandas_csv_bytes(res.partnerships)


def test_respondent_columns_are_unique(responses):
    res = score(responses, INST)
    assert res.respondents.columns.is_unique


def test_scale_scores_are_exact_means():
    # whole-number answers: each score is the correctly rounded mean of the answered items
    rng = np.random.default_rng(3)
    ids = list(INST.items)
    x = rng.integers(1, 6, (2000, len(ids))).astype(float)
    x[rng.random(x.shape) < 0.2] = np.nan
    keyed = pd.DataFrame(x, columns=ids)
    sc = scale_scores(keyed, INST)
    for scale in INST.scales:
        block = keyed[[i.id for i in scale.items]].to_numpy()
        k = (~np.isnan(block)).sum(axis=1)
        expected = np.where(
            k >= INST.min_answered_count(scale), np.nansum(block, axis=1) / np.maximum(k, 1), np.nan
        )
        np.testing.assert_array_equal(sc[scale.id].to_numpy(), expected)
