"""A CSV or sheet from no known platform (hand-made, Excel, an unknown tool)."""

from __future__ import annotations

from ._base import Platform

GENERIC = Platform("generic", id_columns=("respondent_id", "id"))
SPREADSHEET = Platform("spreadsheet", id_columns=("respondent_id", "id"))
