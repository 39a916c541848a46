"""The base of every statistical result: a frozen dataclass with ``to_dict``."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

__all__ = ["StatResult", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays, tuples and nested results to plain JSON types.

    Non-finite floats become ``None`` (JSON has no NaN).
    """
    if isinstance(value, StatResult):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, np.bool_):
        return bool(value)
    return value


@dataclasses.dataclass(frozen=True)
class StatResult:
    """Base class: results are immutable and serialise with :meth:`to_dict`."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: to_jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}
