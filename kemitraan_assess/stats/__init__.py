"""Pure statistics: reliability, agreement and aggregation, factor analysis.

Every function takes arrays or DataFrames and returns a frozen, typed result with
``to_dict()``; nothing is rounded. Conventions follow R's psych, multilevel and lavaan,
and each function's docstring names the R call it matches.
"""

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

# Imported on first use (PEP 562): scoring needs only agreement and icc, and importing
# every module (scipy.optimize, scipy.stats) would add about a second to each command.
_WHERE = {
    "AlphaResult": "reliability",
    "BartlettResult": "factor",
    "CFAParameter": "cfa",
    "CFAResult": "cfa",
    "CorrelationInput": "factor",
    "EFAResult": "efa",
    "GroupAgreement": "agreement",
    "ICCResult": "icc",
    "ItemAnalysis": "items",
    "KMOResult": "factor",
    "NegativeItemWarning": "_keys",
    "OmegaResult": "omega",
    "OmegaTotalResult": "omega",
    "ParallelResult": "factor",
    "ReliabilityTable": "reliability",
    "RwgResult": "agreement",
    "ShroutFleissResult": "icc",
    "SplitHalfResult": "splithalf",
    "ad_by_group": "agreement",
    "awg_by_group": "agreement",
    "bartlett_sphericity": "factor",
    "cfa": "cfa",
    "correlation_input": "factor",
    "cronbach_alpha": "reliability",
    "efa": "efa",
    "icc_nested": "icc",
    "item_analysis": "items",
    "kmo": "factor",
    "null_variance": "agreement",
    "oblimin": "efa",
    "omega": "omega",
    "omega_total_1f": "omega",
    "parallel_analysis": "factor",
    "reliability_table": "reliability",
    "respondents_needed": "icc",
    "reverse": "reliability",
    "rwg": "agreement",
    "rwg_by_group": "agreement",
    "rwg_j": "agreement",
    "rwg_j_by_group": "agreement",
    "shrout_fleiss_icc": "icc",
    "smc": "efa",
    "spearman_brown": "icc",
    "split_half": "splithalf",
    "varimax": "efa",
}

if TYPE_CHECKING:
    from ._keys import NegativeItemWarning
    from .agreement import (
        GroupAgreement,
        RwgResult,
        ad_by_group,
        awg_by_group,
        null_variance,
        rwg,
        rwg_by_group,
        rwg_j,
        rwg_j_by_group,
    )
    from .cfa import CFAParameter, CFAResult, cfa
    from .efa import EFAResult, efa, oblimin, smc, varimax
    from .factor import (
        BartlettResult,
        CorrelationInput,
        KMOResult,
        ParallelResult,
        bartlett_sphericity,
        correlation_input,
        kmo,
        parallel_analysis,
    )
    from .icc import (
        ICCResult,
        ShroutFleissResult,
        icc_nested,
        respondents_needed,
        shrout_fleiss_icc,
        spearman_brown,
    )
    from .items import ItemAnalysis, item_analysis
    from .omega import OmegaResult, OmegaTotalResult, omega, omega_total_1f
    from .reliability import (
        AlphaResult,
        ReliabilityTable,
        cronbach_alpha,
        reliability_table,
        reverse,
    )
    from .splithalf import SplitHalfResult, split_half


class _StatsPackage(types.ModuleType):
    """Keeps ``stats.cfa`` and ``stats.omega`` the functions once their modules load.

    Importing the submodule ``kemitraan_assess.stats.cfa`` makes Python set the package
    attribute ``cfa`` to the module, which would shadow the function of the same name.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _WHERE.get(name) == name:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _StatsPackage


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'kemitraan_assess.stats' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "AlphaResult",
    "BartlettResult",
    "CFAParameter",
    "CFAResult",
    "CorrelationInput",
    "EFAResult",
    "GroupAgreement",
    "ICCResult",
    "ItemAnalysis",
    "KMOResult",
    "NegativeItemWarning",
    "OmegaResult",
    "OmegaTotalResult",
    "ParallelResult",
    "ReliabilityTable",
    "RwgResult",
    "ShroutFleissResult",
    "SplitHalfResult",
    "ad_by_group",
    "awg_by_group",
    "bartlett_sphericity",
    "cfa",
    "correlation_input",
    "cronbach_alpha",
    "efa",
    "icc_nested",
    "item_analysis",
    "kmo",
    "null_variance",
    "oblimin",
    "omega",
    "omega_total_1f",
    "parallel_analysis",
    "reliability_table",
    "respondents_needed",
    "reverse",
    "rwg",
    "rwg_by_group",
    "rwg_j",
    "rwg_j_by_group",
    "shrout_fleiss_icc",
    "smc",
    "spearman_brown",
    "split_half",
    "varimax",
]
