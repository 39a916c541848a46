"""The notebook's entry point :func:`kemitraan_assess.reliability`, and the result type.

:class:`ValidationResult` (defined with its parts in :mod:`.sections`) is what
``validate()`` returns and ``kemitraan-assess reliability`` writes: ``result.to_dict()`` is
the JSON of ``--format json``, byte for byte; ``to_frame()`` and ``items_frame()`` tabulate
the scales and items.
"""

from __future__ import annotations

import os
import warnings
from typing import IO, Any

import pandas as pd

from ..errors import DataError
from ..instrument.model import Instrument
from ._plan import ValidationWarning
from .analyse import validate
from .sections import ScaleResult, ValidationResult

__all__ = [
    "ScaleResult",
    "ScaleSummary",
    "ValidationResult",
    "ValidationWarning",
    "ReliabilityWarning",
    "reliability",
    "validation_result",
]


class ReliabilityWarning(UserWarning):
    """A warning of :func:`reliability` (an item left out, an item correlating negatively
    with its scale, partnerships left out of the aggregation): the same text as in the
    result's ``warnings`` and the command's stderr."""


ScaleSummary = ScaleResult
"""Former name of :class:`~kemitraan_assess.validation.sections.ScaleResult`."""


def _responses(responses: Any, instrument: Instrument) -> pd.DataFrame:
    if isinstance(responses, pd.DataFrame):
        return responses
    if hasattr(responses, "responses") and isinstance(
        responses.responses, pd.DataFrame
    ):  # an IngestResult
        return responses.responses
    if isinstance(responses, (str, os.PathLike, bytes)) or hasattr(responses, "read"):
        from ..io import ingest

        return ingest(responses, instrument, require_group=False).responses
    raise DataError(
        f"responses must be a DataFrame (ingest(...).responses), an IngestResult or a survey file, "
        f"not {type(responses).__name__}"
    )


def validation_result(
    responses: pd.DataFrame,
    instrument: Instrument,
    *,
    missing: str = "pairwise",
    seed: int = 0,
    n_iter: int = 100,
    min_group_size: int | None = None,
) -> ValidationResult:
    """:func:`reliability` without Python warnings (the command prints its own)."""
    return validate(
        responses,
        instrument,
        missing=missing,
        seed=seed,
        n_iter=n_iter,
        min_group_size=min_group_size,
    )


def reliability(
    responses: pd.DataFrame | Any | str | os.PathLike[str] | IO[Any],
    instrument: Instrument | str | os.PathLike[str],
    *,
    missing: str = "pairwise",
    seed: int = 0,
    n_iter: int = 100,
    min_group_size: int | None = None,
) -> ValidationResult:
    """The psychometric validation of ``instrument`` on ``responses``, as
    ``kemitraan-assess reliability``: items reverse-keyed as the instrument says.

    Parameters
    ----------
    responses
        ``ingest(...).responses`` (raw answer codes), an ``IngestResult``, or a survey file
        (read by :func:`kemitraan_assess.ingest` without requiring a partnership column).
    instrument
        An :class:`~kemitraan_assess.instrument.Instrument`, a bundled id or a YAML file.
    missing
        ``"pairwise"`` (psych's default) or ``"listwise"``.
    seed, n_iter
        Seed and iterations of parallel analysis (and of sampled split-halves).
    min_group_size
        Leave partnerships with fewer respondents out of rwg(j) and ICC (None: keep all).

    Returns
    -------
    ValidationResult
        ``to_dict()`` equals the command's JSON; ``to_frame()`` has one row per scale.

    Warns
    -----
    ReliabilityWarning
        For each of the result's ``warnings``: an item without variance left out, an item
        correlating negatively with the rest of its scale after keying, partnerships left
        out of the aggregation.

    Examples
    --------
    >>> import pandas as pd
    >>> from kemitraan_assess import reliability
    >>> bfi = pd.read_csv("tests/reference/data/bfi.csv")  # psych::bfi, no partnership column
    >>> res = reliability(bfi, "tests/fixtures/bfi.yaml")
    >>> round(res.scales["A"].alpha, 2)  # In R: psych::alpha(bfi[1:5], keys = "A1")$total$raw_alpha
    0.7
    >>> res.has_groups
    False
    """
    from ..instrument.loader import load_instrument

    inst = (
        instrument if isinstance(instrument, Instrument) else load_instrument(os.fspath(instrument))
    )
    result = validation_result(
        _responses(responses, inst),
        inst,
        missing=missing,
        seed=seed,
        n_iter=n_iter,
        min_group_size=min_group_size,
    )
    for w in result.warnings:
        warnings.warn(w.message, ReliabilityWarning, stacklevel=2)
    return result
