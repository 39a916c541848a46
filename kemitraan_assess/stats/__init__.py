"""Pure statistics: reliability, agreement and aggregation, factor analysis.

Every function takes arrays or DataFrames (the reliability and factor statistics also
:func:`item_moments`, the sufficient statistics read once) and returns a frozen, typed
result with ``to_dict()``; nothing is rounded. Conventions follow R's psych, multilevel and
lavaan, and each function's docstring names the R call it matches.

:data:`PUBLIC` is the one list of public names, each with its module. Modules are
imported on first use (PEP 562): scoring needs only agreement and icc, and importing every
module (scipy.optimize, scipy.stats) would add about a second to each command. No module
is named like a function, so ``from kemitraan_assess.stats import cfa, omega`` gives the
functions whatever was imported before.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the module (of this package) defining it.
PUBLIC: dict[str, str] = {
    # sufficient statistics
    "ItemMoments": "moments",
    "RowSummary": "moments",
    "item_moments": "moments",
    "smc": "moments",
    "NegativeItemWarning": "keys",
    # reliability
    "AlphaResult": "reliability",
    "ReliabilityTable": "reliability",
    "cronbach_alpha": "reliability",
    "reliability_table": "reliability",
    "reverse": "reliability",
    "ItemAnalysis": "items",
    "item_analysis": "items",
    "SplitHalfResult": "splithalf",
    "split_half": "splithalf",
    "OmegaResult": "omegas",
    "OmegaTotalResult": "omegas",
    "omega": "omegas",
    "omega_total_1f": "omegas",
    # agreement and aggregation
    "GroupAgreement": "agreement",
    "RwgResult": "agreement",
    "ad_by_group": "agreement",
    "awg_by_group": "agreement",
    "null_variance": "agreement",
    "rwg": "agreement",
    "rwg_by_group": "agreement",
    "rwg_j": "agreement",
    "rwg_j_by_group": "agreement",
    "ICCResult": "icc",
    "ShroutFleissResult": "icc",
    "icc_nested": "icc",
    "respondents_needed": "icc",
    "shrout_fleiss_icc": "icc",
    "spearman_brown": "icc",
    # factor analysis
    "BartlettResult": "factor",
    "CorrelationInput": "factor",
    "KMOResult": "factor",
    "ParallelResult": "factor",
    "bartlett_sphericity": "factor",
    "correlation_input": "factor",
    "kmo": "factor",
    "parallel_analysis": "factor",
    "EFAResult": "exploratory",
    "efa": "exploratory",
    "oblimin": "exploratory",
    "varimax": "exploratory",
    "CFAParameter": "confirmatory",
    "CFAResult": "confirmatory",
    "cfa": "confirmatory",
}

__all__ = sorted(PUBLIC)


def __getattr__(name: str) -> Any:
    module = PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'kemitraan_assess.stats' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
