"""kemitraan-assess: partnership readiness assessment for health promotion."""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import BrandError, DataError, InstrumentError, InsufficientDataError, KemitraanError
from .instrument import Instrument, list_instruments, load_instrument

__all__ = [
    "__version__",
    "BrandError",
    "DataError",
    "Instrument",
    "InstrumentError",
    "InsufficientDataError",
    "KemitraanError",
    "list_instruments",
    "load_instrument",
]
