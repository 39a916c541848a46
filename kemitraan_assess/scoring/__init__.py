"""Scoring: reverse-keying, scale scores, partnership aggregates, bands, type and model."""

from .groups import GroupIndex, group_describe, group_index
from .profile import model_profile
from .results import ModelResult, PartnershipResult, Readiness, ScaleResult
from .scales import readiness_scores, reverse_key, scale_scores
from .score import ScoreResult, agreement_class, score

__all__ = [
    "GroupIndex",
    "ModelResult",
    "PartnershipResult",
    "Readiness",
    "ScaleResult",
    "ScoreResult",
    "agreement_class",
    "group_describe",
    "group_index",
    "model_profile",
    "readiness_scores",
    "reverse_key",
    "scale_scores",
    "score",
]
