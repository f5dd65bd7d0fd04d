"""Standards engine: scores one declaration's figures against a versioned standard.

Pure Python (no Django).  Entry point::

    from declarations.standards import get_standard
    result = get_standard("2022", "innovative").evaluate(InnovativeInput(...))
    result.verdict, result.total, result.to_dict()

See README.md in this directory for the input/output shape and how to add a version.
"""

from common.tiers import Tier  # defined once for the whole product
from declarations.standards.features import (
    FeatureBand,
    FeatureConfig,
    FeatureIndicator,
    FeatureKind,
)
from declarations.standards.inputs import (
    Award,
    AwardLevel,
    BasicEligibility,
    Financials,
    GiantInput,
    Honor,
    InnovativeInput,
    IpCounts,
    QualityItem,
    RdInstitutionLevel,
    SpecializedInput,
    SpecializedProductField,
    YearFigures,
)
from declarations.standards.registry import (
    Standard,
    UnknownStandard,
    available,
    evaluate,
    get_standard,
)
from declarations.standards.results import (
    ConditionResult,
    EvaluationResult,
    GroupResult,
    IndicatorResult,
    InputValue,
    Missing,
    Outcome,
    Verdict,
)
from declarations.standards.v2026.inputs import GiantInput2026, SpecializedInput2026
from declarations.standards.validation import InvalidInput, input_problems

__all__ = [
    "Award", "AwardLevel", "BasicEligibility", "ConditionResult", "EvaluationResult",
    "FeatureBand", "FeatureConfig", "FeatureIndicator", "FeatureKind", "Financials",
    "GiantInput", "GiantInput2026", "GroupResult", "Honor", "IndicatorResult", "InnovativeInput",
    "InputValue", "InvalidInput", "IpCounts", "Missing", "Outcome", "QualityItem", "RdInstitutionLevel",
    "SpecializedInput", "SpecializedInput2026", "SpecializedProductField", "Standard", "Tier",
    "UnknownStandard", "Verdict", "YearFigures", "available", "evaluate", "get_standard", "input_problems",
]
