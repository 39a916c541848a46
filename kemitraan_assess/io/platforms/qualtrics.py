"""Qualtrics CSV exports: three header rows (ids; question texts; ``{"ImportId": ...}``),
or two in older/legacy exports. ``Status`` marks previews, tests and spam;
``Finished`` = 0 marks an unfinished response.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._base import HeaderLayout, Platform, Records, Rejection, RuleOutcome, one_row_layout

_META = (
    "StartDate",
    "EndDate",
    "Status",
    "IPAddress",
    "Progress",
    "Duration (in seconds)",
    "Finished",
    "RecordedDate",
    "ResponseId",
    "ResponseID",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "ExternalReference",
    "ExternalDataReference",
    "LocationLatitude",
    "LocationLongitude",
    "DistributionChannel",
    "UserLanguage",
    "Q_RecaptchaScore",
    "Q_RelevantIDDuplicate",
    "Q_RelevantIDDuplicateScore",
    "Q_RelevantIDFraudScore",
    "Q_RelevantIDLastStartDate",
)
_IMPORT_ID = re.compile(r'^\{\s*"ImportId"\s*:')
_TEST = {
    "1": "Survey Preview",
    "2": "Survey Test",
    "8": "Spam",
    "9": "Preview Spam",
    "12": "Imported Spam",
    "17": "Offline Survey Preview",
    "survey preview": "Survey Preview",
    "survey test": "Survey Test",
    "spam": "Spam",
    "preview spam": "Preview Spam",
    "imported spam": "Imported Spam",
    "offline survey preview": "Offline Survey Preview",
    "preview": "Survey Preview",
}
_FALSE = {"0", "false", "no", "tidak", "f"}


def _candidates(
    ids: Sequence[str], texts: Sequence[str] | None, imports: Sequence[str] | None
) -> list[list[str]]:
    out = []
    for j, name in enumerate(ids):
        cands = [name]
        if texts is not None and j < len(texts) and texts[j].strip():
            text = texts[j].strip()
            cands.append(text)
            parts = text.split(" - ")
            cands.extend(" - ".join(parts[i:]) for i in range(1, len(parts)))
        if imports is not None and j < len(imports):
            try:
                value = json.loads(imports[j]).get("ImportId")
                if value:
                    cands.append(str(value))
            except (ValueError, AttributeError):
                pass
        out.append(cands)
    return out


class Qualtrics(Platform):
    def detect(self, header: Sequence[str], below: Sequence[Sequence[str]]) -> bool:
        low = {h.strip().lower() for h in header}
        text = " ".join(" ".join(str(c) for c in row) for row in below[:2])
        return '{"ImportId"' in text or (
            {"startdate", "enddate"} <= low and bool({"responseid", "finished"} & low)
        )

    def layout(self, header: Sequence[str], below: Sequence[Sequence[str]]) -> HeaderLayout:
        r1 = list(below[0]) if below else []
        r2 = list(below[1]) if len(below) > 1 else []
        names = [str(h) for h in header]
        if r2 and any(_IMPORT_ID.match(c) for c in r2):
            rows, cands, texts = 3, _candidates(names, r1, r2), r1
        elif r1 and any(_IMPORT_ID.match(c) for c in r1):
            rows, cands, texts = 2, _candidates(names, None, r1), []
        elif r1 and any(c.strip() in ("Response ID", "Start Date") for c in r1):
            rows, cands, texts = 2, _candidates(names, r1, None), r1
        else:
            return one_row_layout(header)
        labels = [
            [texts[j].strip()] if j < len(texts) and texts[j].strip() else []
            for j in range(len(names))
        ]
        return HeaderLayout(rows, names, cands, labels)

    def rules(self, records: Records) -> RuleOutcome:
        rejections = []
        status = records.lower("Status")
        if status is not None:
            lab = pd.Series(status, dtype=object).map(_TEST).to_numpy(dtype=object)
            bad = np.asarray(pd.notna(lab), dtype=bool)
            detail = np.array([f"Qualtrics Status = {x}" for x in lab], dtype=object)
            rejections.append(Rejection(bad, "test_submission", detail))
        finished = records.lower("Finished")
        unfinished = None
        if finished is not None:
            mask = np.isin(finished, list(_FALSE))
            unfinished = Rejection(
                mask, "incomplete", "Qualtrics Finished = 0 (response not finished)"
            )
        return RuleOutcome(rejections=tuple(rejections), unfinished=unfinished)


QUALTRICS = Qualtrics(
    "qualtrics",
    id_columns=("ResponseId", "ResponseID"),
    time_columns=("RecordedDate", "EndDate"),
    meta_columns=frozenset(_META),
)
