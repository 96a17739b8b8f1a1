"""MQM annotation and scoring: the typology (``typology``), how a score is computed (``score``) and the
confidence interval around a figure (``confidence``)."""

from __future__ import annotations

from lqa.mqm.confidence import (
    MIN_WORDS_FOR_VERDICT,
    ConfidenceInterval,
    confidence_interval,
    student_t_cdf,
    student_t_quantile,
)
from lqa.mqm.score import (
    DEFAULT_PASS_THRESHOLD,
    MQM2_WEIGHTS,
    PROFILES,
    Custom,
    LinearProfile,
    MQM2Linear,
    ProfileSignature,
    Score,
    ScoringProfile,
    WMTSegment,
    count_words,
)
from lqa.mqm.typology import (
    CATEGORIES,
    SEVERITIES,
    TYPOLOGY,
    Annotation,
    parent_category,
    validate_category,
    validate_severity,
)

__all__ = [
    "CATEGORIES", "DEFAULT_PASS_THRESHOLD", "MIN_WORDS_FOR_VERDICT", "MQM2_WEIGHTS", "PROFILES", "SEVERITIES",
    "TYPOLOGY",
    "Annotation", "ConfidenceInterval", "Custom", "LinearProfile", "MQM2Linear", "ProfileSignature", "Score",
    "ScoringProfile", "WMTSegment",
    "confidence_interval", "count_words", "parent_category", "student_t_cdf", "student_t_quantile",
    "validate_category", "validate_severity",
]
