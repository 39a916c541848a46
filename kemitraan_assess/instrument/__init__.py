"""Instruments: the typed model, loading and validation, XLSForm in and out."""

from .loader import instrument_schema, list_instruments, load_instrument, parse_instrument
from .model import (
    Band,
    Choice,
    Composite,
    Defaults,
    Instrument,
    Item,
    PartnershipModel,
    PartnershipType,
    RespondentField,
    ResponseScale,
    Scale,
)

__all__ = [
    "Band",
    "Choice",
    "Composite",
    "Defaults",
    "Instrument",
    "Item",
    "PartnershipModel",
    "PartnershipType",
    "RespondentField",
    "ResponseScale",
    "Scale",
    "instrument_schema",
    "list_instruments",
    "load_instrument",
    "parse_instrument",
]
