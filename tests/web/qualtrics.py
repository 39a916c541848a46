"""A Qualtrics-style CSV export whose columns match nothing in the bundled instrument.

Imitates the format of a Qualtrics "Download data" CSV as documented by Qualtrics
("Understanding your dataset", Basics: "CSV and TSV files come with 3 rows of headers. The
first header is the internal Qualtrics ID of the field (e.g., EndDate, Q1, Q2 ...). The
second header is the field's name or text ... The third header has import IDs."),
https://www.qualtrics.com/support/survey-platform/data-and-analysis-module/data/download-data/understanding-your-dataset/
and as seen in a real export quoted in a public repository: davemosk/FinSL-signbank,
docs/validation_result_model.md (commit 2adb9cb590ed9dd878d461a3fccbfc3da888b7ba): the 17
respondent-information columns (StartDate ... UserLanguage, their texts "Start Date",
"Response Type" ..., their ImportIds such as {"ImportId":"startDate","timeZone":...}),
then question columns named ``Q<n>`` / ``Q<n>_<row>`` with question texts
``Question - Row`` and ImportIds ``{"ImportId":"QID10_1"}``.

The answers are the bundled demo survey's ("choice text" export, English labels). The
question texts were edited by the survey's author, so neither the names (``Q3_1``), the
texts nor the ImportIds (``QID3_1``) match an item: ingest refuses the file and the web
app's columns page is where it gets matched. One answer text was edited too ("Agree
strongly"), which only the check page's label mapping can place.
"""

from __future__ import annotations

import csv
import io

from .exports import demo_frame

SCALES = ("gol", "lead", "comm", "conf", "eval")
EDITED_LABEL = "Agree strongly"
_LABELS = {
    "1": "Strongly disagree",
    "2": "Disagree",
    "3": "Neutral",
    "4": "Agree",
    "5": EDITED_LABEL,
}
_META = [
    ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"Asia/Jakarta"}'),
    ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"Asia/Jakarta"}'),
    ("Status", "Response Type", '{"ImportId":"status"}'),
    ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
    ("Progress", "Progress", '{"ImportId":"progress"}'),
    ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
    ("Finished", "Finished", '{"ImportId":"finished"}'),
    ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"Asia/Jakarta"}'),
    ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
    ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}'),
    ("RecipientFirstName", "Recipient First Name", '{"ImportId":"recipientFirstName"}'),
    ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
    ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
    ("LocationLatitude", "Location Latitude", '{"ImportId":"locationLatitude"}'),
    ("LocationLongitude", "Location Longitude", '{"ImportId":"locationLongitude"}'),
    ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
    ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
]


def question_columns() -> list[tuple[str, str, str]]:
    """``(column, what it holds)`` of the question columns: a field id or an item id."""
    out = [("Q1", "partnership"), ("Q2", "sector")]
    for k, scale in enumerate(SCALES, start=3):
        out += [(f"Q{k}_{r}", f"{scale.upper()}{r}") for r in range(1, 7)]
    return out


def qualtrics_export(partnerships: int = 4, seed: int = 20250101) -> bytes:
    """The CSV bytes (UTF-8 with BOM, CRLF, as Qualtrics writes them)."""
    survey = demo_frame(partnerships, seed)
    names = [m[0] for m in _META]
    texts = [m[1] for m in _META]
    imports = [m[2] for m in _META]
    for col, target in question_columns():
        names.append(col)
        if target == "partnership":
            texts.append("Which programme do you answer for?")
            imports.append('{"ImportId":"QID1_TEXT"}')
        elif target == "sector":
            texts.append("Field of work of your organisation")
            imports.append('{"ImportId":"QID2"}')
        else:
            q, r = col[1:].split("_")
            texts.append(f"Block {q}: rate each statement - Statement {r} (revised wording)")
            imports.append(f'{{"ImportId":"QID{q}_{r}"}}')
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerows([names, texts, imports])
    for i, row in survey.reset_index(drop=True).iterrows():
        stamp = f"2025-03-{1 + i % 28:02d} 09:{i % 60:02d}:00"
        meta = [stamp, stamp, "0", "", "100", "600", "1", stamp, f"R_{seed % 1000:03d}{i:06d}"]
        meta += ["", "", "", "", "", "", "anonymous", "EN"]
        answers = []
        for _col, target in question_columns():
            if target in ("partnership", "sector"):
                answers.append(str(row[target]))
            else:
                value = str(row[f"{target[:-1].lower()}/{target}"])
                answers.append(_LABELS.get(value, value))
        w.writerow(meta + answers)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
