"""Pure statistics: reliability, agreement and aggregation, factor analysis.

Every function takes arrays or DataFrames and returns a frozen, typed result with
``to_dict()``; nothing is rounded. Conventions follow R's psych, multilevel and lavaan,
and each function's docstring names the R call it matches.
"""

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
from .icc import ICCResult, ShroutFleissResult, icc_nested, respondents_needed, shrout_fleiss_icc, spearman_brown
from .items import ItemAnalysis, item_analysis
from .omega import OmegaResult, OmegaTotalResult, omega, omega_total_1f
from .reliability import AlphaResult, ReliabilityTable, cronbach_alpha, reliability_table, reverse
from .splithalf import SplitHalfResult, split_half

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
