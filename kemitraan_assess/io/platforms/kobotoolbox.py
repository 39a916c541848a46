"""KoboToolbox CSV/XLSX exports ("XML values and headers" or labels).

Source: KoboToolbox's own export tests, kobotoolbox/kpi
kpi/tests/test_mock_data_exports.py (header ``start;end;...;_id;_uuid;
_submission_time;_validation_status;_notes;_status;_submitted_by;_tags;_index``,
semicolons, every field quoted, ``group/question`` headers).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._base import Platform, Records, Rejection, RuleOutcome

_META = (
    "start",
    "end",
    "today",
    "deviceid",
    "username",
    "simserial",
    "subscriberid",
    "phonenumber",
    "audit",
    "audit_URL",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
    "meta/instanceID",
    "meta/rootUuid",
    "meta/deprecatedID",
    "formhub/uuid",
    "_attachments",
    "_geolocation",
    "_xform_id_string",
)
_SIGNATURE = {"_uuid", "_submission_time", "_index", "__version__", "_validation_status"}
_NOT_APPROVED = {"validation_status_not_approved", "not approved", "tidak disetujui"}
_ON_HOLD = {"validation_status_on_hold", "on hold"}


class KoboToolbox(Platform):
    def detect(self, header: Sequence[str], below: Sequence[Sequence[str]]) -> bool:
        return bool({h.strip() for h in header} & _SIGNATURE)

    def rules(self, records: Records) -> RuleOutcome:
        status = records.lower("_validation_status")
        if status is None:
            return RuleOutcome()
        bad = np.isin(status, list(_NOT_APPROVED))
        on_hold = int(np.isin(status, list(_ON_HOLD)).sum())
        warnings = (
            (f"{on_hold} submission(s) have validation status 'On hold'; they were kept",)
            if on_hold
            else ()
        )
        return RuleOutcome(
            rejections=(
                Rejection(bad, "not_approved", "KoboToolbox validation status 'Not approved'"),
            ),
            warnings=warnings,
        )


KOBOTOOLBOX = KoboToolbox(
    "kobotoolbox",
    id_columns=("_uuid", "meta/instanceID", "_id"),
    time_columns=("_submission_time", "end"),
    meta_columns=frozenset(_META),
)
