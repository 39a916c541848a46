"""ODK Central CSV exports (``group-question`` headers; ``SubmissionDate`` first and
``KEY``, ``ReviewState``, ``FormVersion`` ... last)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._base import Platform, Records, Rejection, RuleOutcome

_META = (
    "SubmissionDate",
    "start",
    "end",
    "today",
    "deviceid",
    "meta-instanceID",
    "meta-instanceName",
    "meta-audit",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
)


class OdkCentral(Platform):
    def detect(self, header: Sequence[str], below: Sequence[Sequence[str]]) -> bool:
        cols = {h.strip() for h in header}
        return "SubmissionDate" in cols and bool({"KEY", "meta-instanceID", "ReviewState"} & cols)

    def rules(self, records: Records) -> RuleOutcome:
        state = records.lower("ReviewState")
        if state is None:
            return RuleOutcome()
        bad = np.asarray(state == "rejected", dtype=bool)
        return RuleOutcome(
            rejections=(Rejection(bad, "not_approved", "ODK Central review state 'rejected'"),)
        )


ODK_CENTRAL = OdkCentral(
    "odk_central",
    id_columns=("KEY", "meta-instanceID"),
    time_columns=("SubmissionDate", "end"),
    meta_columns=frozenset(_META),
)
