"""LimeSurvey response exports (question codes, or "full question text" headings).

An empty ``submitdate`` marks a response that was not completed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._base import Platform, Records, Rejection, RuleOutcome

_META = (
    "id",
    "submitdate",
    "lastpage",
    "startlanguage",
    "seed",
    "token",
    "startdate",
    "datestamp",
    "ipaddr",
    "refurl",
    "interviewtime",
    "Response ID",
    "Date submitted",
    "Last page",
    "Start language",
    "Seed",
    "Date started",
    "Date last action",
    "IP address",
    "Referrer URL",
    "Total time",
)


class LimeSurvey(Platform):
    def detect(self, header: Sequence[str], below: Sequence[Sequence[str]]) -> bool:
        cols = {h.strip() for h in header}
        if "submitdate" in cols and {"lastpage", "startlanguage", "id"} & cols:
            return True
        return {"Date submitted", "Last page", "Start language"} <= cols

    def rules(self, records: Records) -> RuleOutcome:
        j = records.index("submitdate", "Date submitted")
        if j is None:
            return RuleOutcome()
        done = records.lower(records.header[j])
        empty = (
            np.ones(records.n, dtype=bool)
            if done is None
            else np.asarray([v is None for v in done], dtype=bool)
        )
        return RuleOutcome(
            unfinished=Rejection(
                empty, "incomplete", "LimeSurvey submitdate is empty (response not completed)"
            )
        )


LIMESURVEY = LimeSurvey(
    "limesurvey",
    id_columns=("id",),
    time_columns=("submitdate", "datestamp"),
    meta_columns=frozenset(_META),
)
