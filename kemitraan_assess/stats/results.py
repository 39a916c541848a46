"""The base of every statistical result: a frozen dataclass with ``to_dict``."""

from __future__ import annotations

import dataclasses
import math
import numbers
from typing import Any

import numpy as np

__all__ = ["StatResult", "finite_or_none", "to_jsonable"]


def finite_or_none(x: Any) -> float | None:
    """A finite real number as a plain ``float``, anything else as ``None``.

    Parameters
    ----------
    x : Any
        A Python or numpy real number, or anything else.

    Returns
    -------
    float or None
        ``float(x)`` when ``x`` is a real number (``int``, ``float``, numpy integer or
        floating scalar) with a finite value; ``None`` for ``None``, booleans (Python or
        numpy), non-numbers (strings, arrays, complex numbers, ...), NaN and infinities.

    Notes
    -----
    This is how statistics are written to JSON, which has no NaN or infinity.

    Examples
    --------
    >>> import numpy as np
    >>> finite_or_none(np.float64(0.5)), finite_or_none(3)
    (0.5, 3.0)
    >>> [finite_or_none(v) for v in (None, True, "0.5", float("nan"), -np.inf)]
    [None, None, None, None, None]
    """
    if x is None or isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        return None
    f = float(x)
    return f if math.isfinite(f) else None


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
