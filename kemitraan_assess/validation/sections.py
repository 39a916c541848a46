"""The typed parts of a :class:`~kemitraan_assess.validation.ValidationResult`: the sample,
each scale (with its items), the structure (factorability, parallel analysis, EFA, omega,
CFA) and the aggregation across partnerships.

Values are held as the JSON of ``kemitraan-assess reliability --format json`` holds them
(full-precision floats, None where a number is undefined), and each part's ``to_dict()``
writes its piece of that document, keys in the contract's order (DESIGN.md). A part that
could not be computed is a :class:`NotComputed` with the reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ._plan import ValidationWarning

__all__ = [
    "ValidationResult",
    "AggregationExcluded",
    "AlphaSummary",
    "Bartlett",
    "CFASummary",
    "EFAFit",
    "EFASummary",
    "Factorability",
    "GroupSize",
    "ItemStats",
    "NotComputed",
    "OmegaSummary",
    "ParallelSummary",
    "RwgSummary",
    "Sample",
    "ScaleAggregation",
    "ScaleResult",
    "SplitHalfSummary",
    "Structure",
]

Num = float | None
_OMIT = {"omit_none": True}  # a field left out of to_dict() when None (else written as null)


def _json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return value.to_dict()  # type: ignore[attr-defined]
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    return value


class _Part:
    """``to_dict()``: the fields in order, nested parts and tuples as JSON objects and lists."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is None and f.metadata.get("omit_none"):
                continue
            out[f.metadata.get("key", f.name)] = _json(value)
        return out


@dataclasses.dataclass(frozen=True)
class NotComputed(_Part):
    """A part the data could not support, and why."""

    not_computed: str


@dataclasses.dataclass(frozen=True)
class GroupSize(_Part):
    min: int
    median: float
    max: int


@dataclasses.dataclass(frozen=True)
class AggregationExcluded(_Part):
    min_group_size: int | None
    partnerships: int
    respondents: int


@dataclasses.dataclass(frozen=True)
class Sample(_Part):
    """Partnerships, their sizes, complete cases and each item's share of blanks."""

    n_partnerships: int | None
    group_size: GroupSize | None
    complete_cases: int
    missing_share: Mapping[str, Num]
    aggregation_excluded: AggregationExcluded | None = dataclasses.field(
        default=None, metadata=_OMIT
    )


@dataclasses.dataclass(frozen=True)
class AlphaSummary(_Part):
    raw: Num
    standardized: Num
    ci95: tuple[Num, Num]
    ci_method: str
    ci95_duhachek: tuple[Num, Num]


@dataclasses.dataclass(frozen=True)
class SplitHalfSummary(_Part):
    max: Num
    min: Num
    mean: Num
    method: str


@dataclasses.dataclass(frozen=True)
class ItemStats(_Part):
    """One item of a scale: psych::alpha's item statistics, alpha if dropped, the flags
    and the share of each answer (``response_freq``; ``miss``: blank)."""

    n: int
    mean: Num
    sd: Num
    raw_r: Num
    std_r: Num
    r_cor: Num
    r_drop: Num
    alpha_if_dropped: Num
    std_alpha_if_dropped: Num
    g6_if_dropped: Num
    average_r_if_dropped: Num
    signal_noise_if_dropped: Num
    ase_if_dropped: Num
    var_r_if_dropped: Num
    median_r_if_dropped: Num
    low_r_drop: bool
    alpha_increases: bool
    weakens: bool
    response_freq: Mapping[str, Num] | None = dataclasses.field(default=None, metadata=_OMIT)


@dataclasses.dataclass(frozen=True)
class ScaleResult:
    """One scale's reliability and item analysis (``not_computed`` says why there is none).

    ``alpha`` is raw alpha; ``alpha_std`` standardised alpha; ``alpha_ci95`` Feldt's and
    ``alpha_ci95_duhachek`` Duhachek's 95 % interval; ``split_half`` the min / mean / max
    of psych's splits (or why they are missing); ``omega_total`` the one-factor omega (None
    with ``omega_method`` saying why when it could not be fitted).
    """

    scale: str
    kind: str | None
    n_items: int
    n: int | None = None
    alpha_summary: AlphaSummary | None = None
    guttman_lambda6: Num = None
    average_r: Num = None
    split_half: SplitHalfSummary | NotComputed | None = None
    omega_total: Num = None
    omega_method: str | None = None
    items: Mapping[str, ItemStats] = dataclasses.field(default_factory=dict)
    items_left_out: tuple[str, ...] = ()
    not_computed: str | None = None

    @property
    def alpha(self) -> Num:
        return None if self.alpha_summary is None else self.alpha_summary.raw

    @property
    def alpha_std(self) -> Num:
        return None if self.alpha_summary is None else self.alpha_summary.standardized

    @property
    def alpha_ci95(self) -> tuple[Num, Num]:
        return (None, None) if self.alpha_summary is None else self.alpha_summary.ci95

    def _split(self, field: str) -> Num:
        return (
            getattr(self.split_half, field)
            if isinstance(self.split_half, SplitHalfSummary)
            else None
        )

    @property
    def split_half_min(self) -> Num:
        return self._split("min")

    @property
    def split_half_mean(self) -> Num:
        return self._split("mean")

    @property
    def split_half_max(self) -> Num:
        return self._split("max")

    @property
    def weak_items(self) -> tuple[str, ...]:
        """Items flagged as weakening the scale (r.drop < .30 or alpha higher without them)."""
        return tuple(item for item, st in self.items.items() if st.weakens)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"n_items": self.n_items}
        if self.not_computed is not None:
            out["not_computed"] = self.not_computed
        else:
            out.update(
                {
                    "n": self.n,
                    "alpha": _json(self.alpha_summary),
                    "guttman_lambda6": self.guttman_lambda6,
                    "average_r": self.average_r,
                    "split_half": _json(self.split_half),
                    "omega_total": self.omega_total,
                    "omega_method": self.omega_method,
                    "items": _json(self.items),
                }
            )
        if self.items_left_out:
            out["items_left_out"] = list(self.items_left_out)
        out["kind"] = self.kind
        return out


@dataclasses.dataclass(frozen=True)
class Bartlett(_Part):
    chi2: Num
    df: int
    p: Num


@dataclasses.dataclass(frozen=True)
class Factorability(_Part):
    kmo: Num
    kmo_items: Mapping[str, Num]
    bartlett: Bartlett
    n: int | None


@dataclasses.dataclass(frozen=True)
class ParallelSummary(_Part):
    n_factors: int
    n_components: int
    fa_values: tuple[Num, ...]
    fa_sim_quantile: tuple[Num, ...]
    pc_values: tuple[Num, ...]
    pc_sim_quantile: tuple[Num, ...]
    n_iter: int
    method: str


@dataclasses.dataclass(frozen=True)
class EFAFit(_Part):
    rmsea: Num
    tli: Num
    bic: Num
    rms: Num


@dataclasses.dataclass(frozen=True)
class EFASummary(_Part):
    n_factors: int
    method: str
    loadings: Mapping[str, Mapping[str, Num]]
    phi: Any  # factor correlations (nested lists), None for orthogonal / one factor
    communalities: Mapping[str, Num]
    fit: EFAFit


@dataclasses.dataclass(frozen=True)
class OmegaSummary(_Part):
    omega_h: Num
    omega_total: Num
    n_factors: int
    heywood: bool
    method: str


@dataclasses.dataclass(frozen=True)
class CFASummary(_Part):
    factors: tuple[str, ...]
    n: int
    n_dropped: int
    missing: str
    chi2: Num
    df: int
    p: Num
    cfi: Num
    tli: Num
    rmsea: Num
    rmsea_ci90: tuple[Num, Num]
    srmr: Num
    aic: Num
    bic: Num
    converged: bool
    heywood: bool
    warnings: tuple[str, ...]
    method: str
    std_loadings: Mapping[str, Mapping[str, Num]]


@dataclasses.dataclass(frozen=True)
class Structure(_Part):
    """The factor analyses of the structure items. A part is None when an earlier one
    failed (``factorability`` then says why)."""

    structure_items: tuple[str, ...]
    factorability: Factorability | NotComputed | None = dataclasses.field(
        default=None, metadata=_OMIT
    )
    parallel_analysis: ParallelSummary | None = dataclasses.field(default=None, metadata=_OMIT)
    efa: EFASummary | None = dataclasses.field(default=None, metadata=_OMIT)
    omega: OmegaSummary | None = dataclasses.field(default=None, metadata=_OMIT)
    cfa: Mapping[str, CFASummary | NotComputed] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class RwgSummary(_Part):
    """The distribution of rwg(j) across partnerships."""

    n_partnerships: int
    median: Num
    quartiles: tuple[Num, Num] | None
    share_strong: Num
    share_weak: Num
    histogram: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class ScaleAggregation:
    """ICC(1), ICC(2) (``not_computed`` says why they are missing) and rwg(j) of one scale."""

    icc1: Num
    icc2: Num
    F: Num
    p: Num
    mean_group_size: Num
    respondents_needed: Num
    rwg_j: RwgSummary
    not_computed: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any]
        if self.not_computed is not None:
            out = {"not_computed": self.not_computed}
        else:
            out = {
                k: getattr(self, k)
                for k in ("icc1", "icc2", "F", "p", "mean_group_size", "respondents_needed")
            }
        out["rwg_j"] = self.rwg_j.to_dict()
        return out


@dataclasses.dataclass(frozen=True)
class ValidationResult:
    """The psychometric validation of an instrument on a sample.

    ``to_dict()`` is the JSON of ``kemitraan-assess reliability --format json`` (DESIGN.md),
    key for key; the fields hold the same numbers, typed.

    Attributes
    ----------
    instrument_id, instrument_version : str
    n_respondents : int
    missing : str
        ``"pairwise"`` or ``"listwise"``.
    seed : int
    thresholds : mapping
        The rule-of-thumb thresholds the report uses, each with its source.
    sample : Sample
    items_left_out : mapping of str to str
        Items left out of the sample-level analyses, and why.
    scales : mapping of str to ScaleResult
        Each scale's reliability, with its items (``ScaleResult.items``).
    structure : Structure
        Factorability, parallel analysis, EFA, omega (Schmid-Leiman) and the CFA blocks.
    aggregation : mapping of str to ScaleAggregation, or NotComputed
        ICC and rwg(j) per scale; NotComputed without a partnership column.
    warnings : tuple of ValidationWarning
    """

    instrument_id: str
    instrument_version: str
    n_respondents: int
    missing: str
    seed: int
    thresholds: Mapping[str, Mapping[str, Any]]
    sample: Sample
    items_left_out: Mapping[str, str]
    scales: Mapping[str, ScaleResult]
    structure: Structure
    aggregation: Mapping[str, ScaleAggregation] | NotComputed
    warnings: tuple[ValidationWarning, ...]

    @property
    def has_groups(self) -> bool:
        """Whether the data have a partnership column (else rwg(j) and ICC were not computed)."""
        return not isinstance(self.aggregation, NotComputed)

    @property
    def kmo(self) -> Num:
        """Overall KMO of the structure items (None when not computed)."""
        fac = self.structure.factorability
        return fac.kmo if isinstance(fac, Factorability) else None

    @property
    def omega_h(self) -> Num:
        """Omega hierarchical of the structure items (None when not computed)."""
        return None if self.structure.omega is None else self.structure.omega.omega_h

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``kemitraan-assess reliability --format json`` (a new dict)."""
        return {
            "instrument": {"id": self.instrument_id, "version": self.instrument_version},
            "n_respondents": self.n_respondents,
            "missing": self.missing,
            "seed": self.seed,
            "thresholds": _json(self.thresholds),
            "sample": self.sample.to_dict(),
            "items_left_out": dict(self.items_left_out),
            "scales": {sid: s.to_dict() for sid, s in self.scales.items()},
            **self.structure.to_dict(),
            "aggregation": _json(self.aggregation),
            "warnings": [w.to_dict() for w in self.warnings],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per scale: items, n, alpha (raw, standardised, Feldt 95 % CI), omega
        total, lambda 6, average r, split-half min / mean / max, weak items."""
        rows = {
            s.scale: {
                "kind": s.kind,
                "n_items": s.n_items,
                "n": s.n,
                "alpha": s.alpha,
                "alpha_std": s.alpha_std,
                "alpha_ci_lower": s.alpha_ci95[0],
                "alpha_ci_upper": s.alpha_ci95[1],
                "omega_total": s.omega_total,
                "guttman_lambda6": s.guttman_lambda6,
                "average_r": s.average_r,
                "split_half_min": s.split_half_min,
                "split_half_mean": s.split_half_mean,
                "split_half_max": s.split_half_max,
                "weak_items": ", ".join(s.weak_items),
                "not_computed": s.not_computed,
            }
            for s in self.scales.values()
        }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scale")

    def items_frame(self) -> pd.DataFrame:
        """One row per analysed item: its scale and psych::alpha's item statistics."""
        rows = []
        for sid, block in self.scales.items():
            for item, st in block.items.items():
                stats = {k: v for k, v in st.to_dict().items() if k != "response_freq"}
                rows.append({"scale": sid, "item": item, **stats})
        return pd.DataFrame(rows).set_index(["scale", "item"]) if rows else pd.DataFrame()

    def __repr__(self) -> str:
        alphas = [s.alpha for s in self.scales.values() if s.alpha is not None]
        span = f", alpha {min(alphas):.2f} to {max(alphas):.2f}" if alphas else ""
        kmo = f", KMO {self.kmo:.2f}" if self.kmo is not None else ""
        groups = "" if self.has_groups else ", no partnership column"
        return (
            f"<ValidationResult {self.instrument_id} {self.instrument_version}: "
            f"n = {self.n_respondents}, "
            f"{len(self.scales)} scales{span}{kmo}{groups}, {len(self.warnings)} warning(s)>"
        )
