"""kemitraan-assess: partnership readiness assessment for health promotion.

The stages have the names of the commands::

    from kemitraan_assess import ingest, score, reliability, report, load_instrument

    inst = load_instrument("kemitraan-readiness")
    ing = ingest("export.csv", inst)                 # IngestResult: responses, rejected, log
    scores = score(ing.responses, inst)              # ScoreResult
    report(scores, "reports/", formats=("html",))    # one report per partnership + index
    reliability(ing.responses, inst).to_frame()      # ValidationResult: alpha, omega, ... per scale

Every name is imported on first use (PEP 562), so ``import kemitraan_assess`` loads
nothing else and changes no global state. ``kemitraan_assess.report`` is both the
package of the report stage (``kemitraan_assess.report.render_reports``, ...) and, called,
the entry point :func:`kemitraan_assess._api.report`.
"""

from __future__ import annotations

import importlib
import sys
import types
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
}

if TYPE_CHECKING:
    from . import report
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


class _ReportPackage(types.ModuleType):
    """The :mod:`kemitraan_assess.report` package, callable as the ``report`` stage."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from ._api import report as run_report

        return run_report(*args, **kwargs)


class _Package(types.ModuleType):
    """Makes the ``report`` subpackage callable whenever it is imported (the import system
    sets it on this package with setattr)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "report" and type(value) is types.ModuleType:
            value.__class__ = _ReportPackage
            value.__doc__ = (value.__doc__ or "") + "\n\nCalled, the report stage: see kemitraan_assess._api.report."
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    if name == "report":
        return importlib.import_module(".report", __name__)
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
