"""Fixtures of the report tests: the demo survey scored once per session, with one
partnership given a hostile name and hostile comments, and a survey with two waves
(``instrument``, the bundled one, comes from the root conftest)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kemitraan_assess.demo import demo_csv_bytes, make_demo_survey
from kemitraan_assess.io import ingest
from kemitraan_assess.scoring import score

HOSTILE_NAME = '=HYPERLINK("http://evil.example")<script>alert("x")</script> & \'Forum\''
HOSTILE_COMMENT = '<img src=x onerror=alert(1)> "kutipan" =1+1 </li></ul><h1>'
STRONG = "Gugus Tugas Imunisasi Kota Makassar"
WEAK = "Aliansi Pencegahan Demam Berdarah Kota Semarang"
DIVIDED = "Kemitraan Bidan dan Dukun Kab. Sumba Barat"
SUPPRESSED = "Paguyuban Kader Kesehatan Desa Wae Rebo"
BIG = "Kemitraan Sekolah Sehat Kota Bandung"


def _score_frame(frame: pd.DataFrame, instrument, path) -> object:
    path.write_bytes(demo_csv_bytes(frame))
    return score(ingest(path, instrument).responses, instrument)


@pytest.fixture(scope="session")
def demo_scores(instrument, tmp_path_factory):
    """The demo survey; 'Forum Kota Sehat Bantul' renamed to a hostile name."""
    s = make_demo_survey(instrument)
    m = s["partnership"].str.strip().str.lower() == "forum kota sehat bantul"
    s.loc[m, "partnership"] = HOSTILE_NAME
    first = np.flatnonzero(m.to_numpy())[0]
    s.loc[s.index[first], "comment"] = HOSTILE_COMMENT
    return _score_frame(s, instrument, tmp_path_factory.mktemp("demo") / "survey.csv")


@pytest.fixture(scope="session")
def wave_scores(instrument, tmp_path_factory):
    """The demo survey with a 'wave' column: 'Kemitraan Sekolah Sehat Kota Bandung' answered
    in rounds 1 and 2 (round 2 raised by one point on GOL items)."""
    s = make_demo_survey(instrument).drop(
        columns=["Putaran"]
    )  # the demo's own rounds, replaced here
    s["wave"] = "1"
    m = (s["partnership"].str.strip().str.lower() == BIG.lower()).to_numpy()
    rows = np.flatnonzero(m)
    second = rows[len(rows) // 2 :]
    s.loc[s.index[second], "wave"] = "2"
    for item in ("GOL1", "GOL2", "GOL3", "GOL4", "GOL5"):
        item = next(c for c in s.columns if str(c).split("/")[-1] == item)  # export-style names
        col = pd.to_numeric(s[item], errors="coerce")
        raised = (col.iloc[second] + 1).clip(upper=5)
        s.loc[s.index[second], item] = raised.astype("Int64").astype("string").fillna("")
    return _score_frame(s, instrument, tmp_path_factory.mktemp("waves") / "survey.csv")
