"""scores.json and the score CSVs written column by column are exactly the reference bytes.

References (exact byte equality, no tolerance):

* ``scores.json``: ``json.dumps(result.summary, ensure_ascii=False, indent=2,
  allow_nan=False) + "\\n"`` (Python 3.11 ``json``), the writer used before the columnar
  encoder;
* ``respondents.csv`` / ``partnerships.csv``: the README's CSV format
  (:func:`tests.csvformat.readme_csv`).

The survey is the demo survey of the bundled instrument (model scales, type, sector and
model-choice fields), scored with a confidentiality minimum that suppresses partnerships.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from kemitraan_assess.output.safecsv import csv_bytes
from kemitraan_assess.scoring import scale_scores, score
from kemitraan_assess.scoring.output import scores_json
from tests.csvformat import readme_csv


@pytest.fixture(scope="module")
def responses(demo_ingested):
    return demo_ingested.responses


@pytest.mark.parametrize("k_min", [5, 12])
def test_scores_json_equals_json_dumps(responses, instrument, k_min):
    res = score(responses, instrument, min_group_size=k_min)
    assert res.summary["n_suppressed"] > 0
    reference = json.dumps(res.summary, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    assert scores_json(res) == reference


@pytest.mark.parametrize("k_min", [5, 12])
def test_score_csvs_are_the_readme_format(responses, instrument, k_min):
    res = score(responses, instrument, min_group_size=k_min)
    for frame in (res.respondents, res.partnerships):
        assert csv_bytes(frame) == readme_csv(frame)


def test_all_partnerships_suppressed_and_special_names(responses, instrument):
    df = responses.copy()
    df["partnership"] = np.where(np.arange(len(df)) % 2, '=Mitra "A", Kab.\tX', "Mitra B ü")
    res = score(df, instrument, min_group_size=len(df))
    assert res.summary["n_suppressed"] == 2
    assert (
        scores_json(res)
        == json.dumps(res.summary, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    )
    assert csv_bytes(res.partnerships) == readme_csv(res.partnerships)


def test_respondent_columns_are_unique(responses, instrument):
    res = score(responses, instrument)
    assert res.respondents.columns.is_unique


def test_scale_scores_are_exact_means(instrument):
    # whole-number answers: each score is the correctly rounded mean of the answered items
    rng = np.random.default_rng(3)
    ids = list(instrument.items)
    x = rng.integers(1, 6, (2000, len(ids))).astype(float)
    x[rng.random(x.shape) < 0.2] = np.nan
    keyed = pd.DataFrame(x, columns=ids)
    sc = scale_scores(keyed, instrument)
    for scale in instrument.scales:
        block = keyed[[i.id for i in scale.items]].to_numpy()
        k = (~np.isnan(block)).sum(axis=1)
        expected = np.where(
            k >= instrument.min_answered_count(scale),
            np.nansum(block, axis=1) / np.maximum(k, 1),
            np.nan,
        )
        np.testing.assert_array_equal(sc[scale.id].to_numpy(), expected)
