"""One module per survey platform: detection, header rows, id/time/metadata columns and
reject rules. To add a platform, write a module with a :class:`Platform` instance and
list it in :data:`REGISTRY` (in detection order: most specific signature first)."""

from __future__ import annotations

from collections.abc import Sequence

from ._base import HeaderLayout, Platform, Records, Rejection, RuleOutcome
from .generic import GENERIC, SPREADSHEET
from .google_forms import GOOGLE_FORMS
from .kobotoolbox import KOBOTOOLBOX
from .limesurvey import LIMESURVEY
from .odk_central import ODK_CENTRAL
from .qualtrics import QUALTRICS
from .surveymonkey import SURVEYMONKEY

__all__ = [
    "REGISTRY",
    "HeaderLayout",
    "Platform",
    "Records",
    "Rejection",
    "RuleOutcome",
    "detect",
    "get_platform",
]

REGISTRY: tuple[Platform, ...] = (
    QUALTRICS,
    SURVEYMONKEY,
    KOBOTOOLBOX,
    ODK_CENTRAL,
    LIMESURVEY,
    GOOGLE_FORMS,
)
"""Platforms with a recognisable export, in detection order."""

_ALL = {p.name: p for p in (*REGISTRY, SPREADSHEET, GENERIC)}


def detect(header: Sequence[str], below: Sequence[Sequence[str]] = ()) -> Platform | None:
    """The platform whose header this is, or None."""
    for p in REGISTRY:
        if p.detect(header, below):
            return p
    return None


def get_platform(name: str) -> Platform:
    """A platform by its ``ingest.json`` name (an unknown name reads as generic)."""
    return _ALL.get(name, GENERIC)
