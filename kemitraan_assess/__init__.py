"""kemitraan-assess: partnership readiness assessment for health promotion.

The stages have the names of the commands::

    from kemitraan_assess import ingest, score, reliability, report, load_instrument

    inst = load_instrument("kemitraan-readiness")
    ing = ingest("export.csv", inst)                 # IngestResult: responses, rejected, log
    scores = score(ing.responses, inst)              # ScoreResult
    report(scores, "reports/", formats=("html",))    # one report per partnership + index
    reliability(ing.responses, inst).to_frame()      # ValidationResult: alpha, omega, ... per scale

Every name is imported on first use (PEP 562), so ``import kemitraan_assess`` loads
nothing else and changes no global state. The stage functions live in their packages:
``kemitraan_assess.io``, ``.scoring``, ``.validation`` and ``.reporting`` (the report
stage's parts: ``build_context``, ``render_html``, ``render_reports``, ...); ``report`` is
the function :func:`kemitraan_assess._api.report`, and no subpackage shares its name.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_WHERE = {
    "BrandError": ".errors",
    "DataError": ".errors",
    "InstrumentError": ".errors",
    "InsufficientDataError": ".errors",
    "KemitraanError": ".errors",
    "Instrument": ".instrument",
    "list_instruments": ".instrument",
    "load_instrument": ".instrument",
    "ingest": ".io",
    "IngestResult": ".io",
    "score": ".scoring",
    "ScoreResult": ".scoring",
    "reliability": ".validation.result",
    "ValidationResult": ".validation.result",
    "report": "._api",
}

if TYPE_CHECKING:
    from ._api import report
    from .errors import (
        BrandError,
        DataError,
        InstrumentError,
        InsufficientDataError,
        KemitraanError,
    )
    from .instrument import Instrument, list_instruments, load_instrument
    from .io import IngestResult, ingest
    from .scoring import ScoreResult, score
    from .validation.result import ValidationResult, reliability


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'kemitraan_assess' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "__version__",
    "BrandError",
    "DataError",
    "IngestResult",
    "Instrument",
    "InstrumentError",
    "InsufficientDataError",
    "KemitraanError",
    "ScoreResult",
    "ValidationResult",
    "ingest",
    "list_instruments",
    "load_instrument",
    "reliability",
    "report",
    "score",
]
