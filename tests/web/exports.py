"""Survey exports for the web tests, made from the bundled demo survey.

Not an imitation of a platform's export: a plain spreadsheet CSV as an evaluator might
save one, with two question columns renamed and one answer typed as a word, so that it
needs a mapping (the check page's job).
"""

from __future__ import annotations

import pandas as pd

from kemitraan_assess.demo import demo_csv_bytes, make_demo_survey
from kemitraan_assess.instrument import load_instrument

RENAMED = {"gol/GOL1": "Q1 Tujuan bersama jelas", "lead/LEAD2": "Q8 Pimpinan hadir"}
UNKNOWN_LABEL = "Setuju banget"


def demo_frame(partnerships: int, seed: int = 20250101) -> pd.DataFrame:
    survey = make_demo_survey(load_instrument("kemitraan-readiness"), seed=seed)
    key = (
        survey["partnership"].str.casefold().str.split().str.join(" ")
    )  # the demo varies spellings
    sizes = key.value_counts()
    smallest = sizes.index[-1]  # below the confidentiality minimum: shown blank
    names = [n for n in sorted(sizes.index) if n != smallest][: partnerships - 1] + [smallest]
    return survey[key.isin(names)].reset_index(drop=True)


def export_needing_mapping(partnerships: int = 4, seed: int = 20250101) -> bytes:
    """A CSV with two renamed item columns and an answer label no catalogue knows."""
    survey = demo_frame(partnerships, seed)
    col = "comm/COMM1"
    survey[col] = survey[col].astype("object")
    survey.loc[survey[col].astype(str) == "5", col] = UNKNOWN_LABEL
    survey = survey.rename(columns=RENAMED)
    return demo_csv_bytes(survey)


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    import re

    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)
