"""Google Forms response sheets (CSV download or the linked sheet).

The first column is the submission time, named in the form's language
(``Timestamp``, ``Stempel waktu``, ...); grid questions are ``Question [Row]``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._base import Platform

_TIME = ("Timestamp", "Stempel waktu", "Marca temporal", "Horodateur", "Zeitstempel")
_META = (*_TIME, "Email Address", "Email address", "Alamat email", "Score", "Skor")


class GoogleForms(Platform):
    def detect(self, header: Sequence[str], below: Sequence[Sequence[str]]) -> bool:
        return bool(header) and str(header[0]).strip() in _TIME


GOOGLE_FORMS = GoogleForms("google_forms", time_columns=_TIME, meta_columns=frozenset(_META))
