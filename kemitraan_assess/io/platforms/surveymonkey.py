"""SurveyMonkey "All responses data" exports (CSV or XLSX, expanded columns).

Two header rows (sources: bdoremus/gvca_survey_analytics 02_data_ingest.py, which
reads real exports; the layout quoted in tests/fixtures/exports/surveymonkey_real.csv):

- row 1 names the metadata columns (``Respondent ID``, ``Collector ID``, ``Start Date``,
  ``End Date``, ``IP Address``, ``Email Address``, ``First Name``, ``Last Name``,
  ``Custom Data 1``) and holds each question's text above the *first* of its columns
  only; the cells to its right are empty;
- row 2 is empty above the metadata and holds ``Response``, ``Open-Ended Response``,
  ``Other (please specify)`` or a matrix row's text.

A column is named ``Question`` (single-column questions) or ``Question [row 2]``; both
the question text and the row-2 text are matched against the instrument, and the
question text is accepted by ``--group-col``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..mapping import normalise_text
from ._base import HeaderLayout, Platform, one_row_layout

_META = (
    "Respondent ID",
    "Collector ID",
    "Start Date",
    "End Date",
    "IP Address",
    "Email Address",
    "First Name",
    "Last Name",
    "Custom Data 1",
    "Custom Data",
)
_RESPONSE = {"response", "open-ended response", "respons", "jawaban", "tanggapan"}


class SurveyMonkey(Platform):
    def detect(self, header: Sequence[str], below: Sequence[Sequence[str]]) -> bool:
        cols = {h.strip() for h in header}
        return "Respondent ID" in cols and "Collector ID" in cols

    def layout(self, header: Sequence[str], below: Sequence[Sequence[str]]) -> HeaderLayout:
        sub = list(below[0]) if below else []
        meta = [j for j, h in enumerate(header) if h.strip() in _META]
        # the second header row is empty above the metadata (a data row has the ids there)
        if not sub or not meta or any(j < len(sub) and sub[j].strip() for j in meta):
            return one_row_layout(header)
        names, candidates, labels = [], [], []
        question = ""
        for j, cell in enumerate(header):
            q = cell.strip()
            if q:
                question = q
            else:
                q = question
            s = sub[j].strip() if j < len(sub) else ""
            if s and normalise_text(s) not in _RESPONSE:
                names.append(f"{q} [{s}]" if q else s)
                candidates.append([s, f"{q} [{s}]"] if q else [s])
            else:
                names.append(q)
                candidates.append([q])
            labels.append([q] if q and q != names[-1] else [])
        return HeaderLayout(2, names, candidates, labels)


SURVEYMONKEY = SurveyMonkey(
    "surveymonkey",
    id_columns=("Respondent ID",),
    time_columns=("End Date", "Start Date"),
    meta_columns=frozenset(_META),
)
