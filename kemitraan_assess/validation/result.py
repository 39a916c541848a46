"""The typed result of a validation, and the notebook's entry point
:func:`kemitraan_assess.reliability`.

:class:`ValidationResult` is what ``kemitraan-assess reliability`` writes:
``result.to_dict()`` is the JSON of ``--format json``, number for number. Its typed
fields hold what a reader looks at first (each scale's reliability, KMO, omega
hierarchical, the warnings); ``to_frame()`` and ``items_frame()`` tabulate them.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import warnings
from collections.abc import Mapping
from typing import IO, Any

import pandas as pd

from ..errors import DataError
from ..instrument.model import Instrument
from ._plan import ValidationWarning

__all__ = ["ScaleSummary", "ValidationResult", "ValidationWarning", "ReliabilityWarning", "reliability",
           "validation_result"]


class ReliabilityWarning(UserWarning):
    """A warning of :func:`reliability` (an item left out, an item correlating negatively
    with its scale, partnerships left out of the aggregation): the same text as in the
    result's ``warnings`` and the command's stderr."""


@dataclasses.dataclass(frozen=True)
class ScaleSummary:
    """One scale's reliability (``None`` where it could not be computed; ``not_computed``
    then says why)."""

    scale: str
    kind: str
    n_items: int
    n: int | None
    alpha: float | None
    alpha_std: float | None
    alpha_ci95: tuple[float | None, float | None]
    omega_total: float | None
    guttman_lambda6: float | None
    average_r: float | None
    split_half_min: float | None
    split_half_mean: float | None
    split_half_max: float | None
    weak_items: tuple[str, ...]
    items_left_out: tuple[str, ...]
    not_computed: str | None


def _scale_summary(sid: str, block: Mapping[str, Any]) -> ScaleSummary:
    left_out = tuple(block["items_left_out"]) if "items_left_out" in block else ()
    if "not_computed" in block:
        return ScaleSummary(sid, block["kind"], block["n_items"], None, None, None, (None, None), None, None, None,
                            None, None, None, (), left_out, str(block["not_computed"]))
    a, sh = block["alpha"], block["split_half"]
    split = (None, None, None) if "not_computed" in sh else (sh["min"], sh["mean"], sh["max"])
    weak = tuple(item for item, st in block["items"].items() if st["weakens"])
    return ScaleSummary(
        scale=sid, kind=block["kind"], n_items=block["n_items"], n=block["n"], alpha=a["raw"],
        alpha_std=a["standardized"], alpha_ci95=(a["ci95"][0], a["ci95"][1]), omega_total=block["omega_total"],
        guttman_lambda6=block["guttman_lambda6"], average_r=block["average_r"], split_half_min=split[0],
        split_half_mean=split[1], split_half_max=split[2], weak_items=weak, items_left_out=left_out,
        not_computed=None,
    )


@dataclasses.dataclass(frozen=True)
class ValidationResult:
    """The psychometric validation of an instrument on a sample.

    Attributes
    ----------
    instrument_id, instrument_version : str
    n_respondents : int
    missing : str
        ``"pairwise"`` or ``"listwise"``.
    has_groups : bool
        Whether the data have a partnership column (else rwg(j) and ICC were not computed).
    scales : mapping of str to ScaleSummary
    kmo : float or None
        Overall KMO of the structure items.
    omega_h : float or None
        Omega hierarchical of the structure items (Schmid-Leiman).
    items_left_out : mapping of str to str
        Items left out of the sample-level analyses, and why.
    warnings : tuple of ValidationWarning
    """

    instrument_id: str
    instrument_version: str
    n_respondents: int
    missing: str
    has_groups: bool
    scales: Mapping[str, ScaleSummary]
    kmo: float | None
    omega_h: float | None
    items_left_out: Mapping[str, str]
    warnings: tuple[ValidationWarning, ...]
    _doc: dict[str, Any] = dataclasses.field(repr=False, compare=False)

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> ValidationResult:
        """The result of a ``reliability --format json`` document (as read back)."""
        fac, om = doc["factorability"], doc["omega"] if "omega" in doc else {}
        return cls(
            instrument_id=doc["instrument"]["id"],
            instrument_version=doc["instrument"]["version"],
            n_respondents=doc["n_respondents"],
            missing=doc["missing"],
            has_groups="not_computed" not in doc["aggregation"],
            scales={sid: _scale_summary(sid, block) for sid, block in doc["scales"].items()},
            kmo=fac["kmo"] if "kmo" in fac else None,
            omega_h=om["omega_h"] if "omega_h" in om else None,
            items_left_out=dict(doc["items_left_out"]),
            warnings=tuple(ValidationWarning(**w) for w in doc["warnings"]),
            _doc=copy.deepcopy(dict(doc)),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``kemitraan-assess reliability --format json`` (a copy)."""
        return copy.deepcopy(self._doc)

    def to_frame(self) -> pd.DataFrame:
        """One row per scale: items, n, alpha (raw, standardised, Feldt 95 % CI), omega
        total, lambda 6, average r, split-half min / mean / max, weak items."""
        rows = {
            s.scale: {
                "kind": s.kind, "n_items": s.n_items, "n": s.n, "alpha": s.alpha, "alpha_std": s.alpha_std,
                "alpha_ci_lower": s.alpha_ci95[0], "alpha_ci_upper": s.alpha_ci95[1], "omega_total": s.omega_total,
                "guttman_lambda6": s.guttman_lambda6, "average_r": s.average_r,
                "split_half_min": s.split_half_min, "split_half_mean": s.split_half_mean,
                "split_half_max": s.split_half_max, "weak_items": ", ".join(s.weak_items),
                "not_computed": s.not_computed,
            }
            for s in self.scales.values()
        }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scale")

    def items_frame(self) -> pd.DataFrame:
        """One row per analysed item: its scale and psych::alpha's item statistics."""
        rows = []
        for sid, block in self._doc["scales"].items():
            for item, st in (block["items"] if "items" in block else {}).items():
                rows.append({"scale": sid, "item": item, **{k: v for k, v in st.items() if k != "response_freq"}})
        return pd.DataFrame(rows).set_index(["scale", "item"]) if rows else pd.DataFrame()

    def __repr__(self) -> str:
        alphas = [s.alpha for s in self.scales.values() if s.alpha is not None]
        span = f", alpha {min(alphas):.2f} to {max(alphas):.2f}" if alphas else ""
        kmo = f", KMO {self.kmo:.2f}" if self.kmo is not None else ""
        groups = "" if self.has_groups else ", no partnership column"
        return (f"<ValidationResult {self.instrument_id} {self.instrument_version}: n = {self.n_respondents}, "
                f"{len(self.scales)} scales{span}{kmo}{groups}, {len(self.warnings)} warning(s)>")


def _responses(responses: Any, instrument: Instrument) -> pd.DataFrame:
    if isinstance(responses, pd.DataFrame):
        return responses
    if hasattr(responses, "responses") and isinstance(responses.responses, pd.DataFrame):  # an IngestResult
        return responses.responses
    if isinstance(responses, (str, os.PathLike, bytes)) or hasattr(responses, "read"):
        from ..io import ingest

        return ingest(responses, instrument, require_group=False).responses
    raise DataError(
        f"responses must be a DataFrame (ingest(...).responses), an IngestResult or a survey file, "
        f"not {type(responses).__name__}"
    )


def validation_result(
    responses: pd.DataFrame, instrument: Instrument, *, missing: str = "pairwise", seed: int = 0,
    n_iter: int = 100, min_group_size: int | None = None,
) -> ValidationResult:
    """:func:`reliability` without Python warnings (the command prints its own)."""
    from .analyse import validate

    return ValidationResult.from_dict(
        validate(responses, instrument, missing=missing, seed=seed, n_iter=n_iter, min_group_size=min_group_size)
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

    inst = instrument if isinstance(instrument, Instrument) else load_instrument(os.fspath(instrument))
    result = validation_result(_responses(responses, inst), inst, missing=missing, seed=seed, n_iter=n_iter,
                               min_group_size=min_group_size)
    for w in result.warnings:
        warnings.warn(w.message, ReliabilityWarning, stacklevel=2)
    return result
