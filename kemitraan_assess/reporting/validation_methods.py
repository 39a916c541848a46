"""The validation report's "how each result was computed" block in the report's language.

The analysis writes an English ``method`` string into the JSON (kept as it is: the JSON is a
contract). The report composes its own sentences from the typed result and the instrument,
through the catalogue and its one number path (decimal comma, thousands groups, ×), so the
Indonesian report is Indonesian; R calls stay verbatim. Every sentence describes what the
code in ``kemitraan_assess/stats`` and ``kemitraan_assess/validation`` does:

* KMO and Bartlett: ``stats.factor.kmo`` / ``bartlett_sphericity`` on the structure items'
  correlations (``validation.analyse._structure``);
* ICC: ``stats.icc.icc_nested`` (one-way ANOVA, k = N / G) and ``respondents_needed``;
* rwg(j): ``stats.agreement.rwg_j_by_group`` with the uniform null (A² − 1) / 12, listwise
  within a scale, a mean variance above the null truncated so rwg(j) = 0;
* scale scores: ``validation.analyse._scale_scores`` (mean of the answered keyed items, at
  least ``min_answered`` of them);
* omega total: ``stats.omegas.omega_total_1f``'s ``omega_total`` (the first formula) is the
  printed value; omega hierarchical: ``stats.omegas.omega`` with as many group factors as
  the instrument has success-factor scales (at least 3, psych's default otherwise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..instrument.model import Instrument
from ..validation import THRESHOLDS, ValidationResult
from ..validation.sections import CFASummary, Factorability, NotComputed, SplitHalfSummary
from .locale import Catalogue

__all__ = ["MethodEntry", "method_entries", "omega_group_rule", "threshold_source"]

_SPLIT_RANDOM = re.compile(r"(?P<n>\d+) random splits \(numpy default_rng\((?P<seed>\d+)\)\)")


@dataclass(frozen=True)
class MethodEntry:
    """One term of the methods block and its description."""

    term: str
    text: str


def threshold_source(cat: Catalogue, key: str, source: str) -> tuple[str, bool]:
    """A threshold's source in the report's language (``methods.src_<key>``) when it is the
    analysis' default, else the source as given; the flag says whether it was translated."""
    default = THRESHOLDS.get(key, {}).get("source")
    if source == default and cat.has(f"methods.src_{key}"):
        return cat(f"methods.src_{key}"), True
    return source, False


def omega_group_rule(result: ValidationResult, instrument: Instrument) -> str:
    """Which rule gave omega's number of group factors, as ``validation.analyse`` chooses
    it: ``"success"`` when it is the number of success-factor scales among the structure
    scales (at least 3), else ``"default"`` (psych's 3)."""
    sids = {instrument.item_scale.get(i) for i in result.structure.structure_items}
    n_sf = sum(1 for s in instrument.scales if s.id in sids and s.kind == "success_factor")
    om = result.structure.omega
    return "success" if om is not None and n_sf >= 3 and n_sf == om.n_factors else "default"


def _policy(cat: Catalogue, result: ValidationResult) -> str:
    return cat("words.policy_listwise" if result.missing == "listwise" else "words.policy_pairwise")


def _split(cat: Catalogue, split: SplitHalfSummary) -> str:
    m = _SPLIT_RANDOM.search(split.method)
    if m:
        how = cat(
            "methods.split_random", n=cat.integer(int(m["n"])), seed=cat.integer(int(m["seed"]))
        )
    else:
        how = cat("methods.split_all")
    return cat("methods.split_method", how=how)


def _min_answered(cat: Catalogue, instrument: Instrument) -> str:
    rule = instrument.defaults.min_answered
    if rule >= 1:
        return cat("methods.least_items", k=cat.integer(int(rule)))
    if abs(rule - 2 / 3) < 1e-9:
        return cat("methods.least_two_thirds")
    return cat("methods.least_share", pct=cat.number(rule * 100, 0))


def method_entries(
    result: ValidationResult, instrument: Instrument, cat: Catalogue, cfa_labels: dict[str, str]
) -> list[MethodEntry]:
    """The methods block, in the order the report shows the results."""
    out = [MethodEntry(cat("methods.m_alpha"), cat("methods.alpha_method"))]
    policy = _policy(cat, result)
    out.append(
        MethodEntry(
            cat("methods.m_scores"),
            cat("methods.scores_method", least=_min_answered(cat, instrument)),
        )
    )
    first = next(
        (s for s in result.scales.values() if isinstance(s.split_half, SplitHalfSummary)), None
    )
    if first is not None:
        out.append(MethodEntry(cat("methods.m_split"), _split(cat, first.split_half)))
    if any(s.omega_total is not None for s in result.scales.values()):
        out.append(
            MethodEntry(cat("methods.m_omega1"), cat("methods.omega1_method", policy=policy))
        )
    st = result.structure
    p = len(st.structure_items)
    fa = st.factorability
    if isinstance(fa, Factorability):
        out.append(
            MethodEntry(
                cat("methods.m_kmo"),
                cat(
                    "methods.kmo_method",
                    n=cat.integer(fa.n) if fa.n is not None else "–",
                    p=cat.integer(p),
                    policy=policy,
                ),
            )
        )
    n = fa.n if isinstance(fa, Factorability) and fa.n is not None else result.n_respondents
    if st.parallel_analysis is not None:
        out.append(
            MethodEntry(
                cat("methods.m_parallel"),
                cat(
                    "methods.parallel_method",
                    n_iter=cat.integer(st.parallel_analysis.n_iter),
                    dims=cat("methods.dims", n=cat.integer(n), p=cat.integer(p)),
                    seed=cat.integer(result.seed),
                ),
            )
        )
    if st.efa is not None:
        out.append(
            MethodEntry(
                cat("methods.m_efa"),
                cat("methods.efa_method", k=cat.integer(st.efa.n_factors), policy=policy),
            )
        )
    if st.omega is not None:
        rule = omega_group_rule(result, instrument)
        out.append(
            MethodEntry(
                cat("methods.m_omega"),
                cat(
                    "methods.omega_method",
                    k=cat.integer(int(st.omega.n_factors)),
                    p=cat.integer(p),
                    rule=cat(f"methods.omega_rule_{rule}"),
                    policy=policy,
                ),
            )
        )
    for kind, block in st.cfa.items():
        if isinstance(block, CFASummary):
            out.append(
                MethodEntry(
                    cat("methods.m_cfa", block=cfa_labels.get(kind, kind)), _cfa(cat, block)
                )
            )
    if isinstance(result.aggregation, NotComputed):
        return out
    out.append(MethodEntry(cat("methods.m_icc"), cat("methods.icc_method")))
    a_opts = sorted(
        {instrument.response_scales[s.items[0].response].n_options for s in instrument.scales}
    )
    null = [cat.number((a * a - 1) / 12, 2) for a in a_opts]
    out.append(
        MethodEntry(
            cat("methods.m_rwg"),
            cat(
                "methods.rwg_method",
                a=" / ".join(cat.integer(a) for a in a_opts),
                null=" / ".join(null),
            ),
        )
    )
    return out


def _cfa(cat: Catalogue, block: CFASummary) -> str:
    ident = cat("methods.cfa_std_lv" if "std.lv" in block.method else "methods.cfa_marker")
    values: dict[str, Any] = {"n": cat.integer(block.n), "d": cat.integer(block.n_dropped)}
    missing = cat(f"methods.cfa_{block.missing}", **values)
    return cat("methods.cfa_method", ident=ident, missing=missing)
