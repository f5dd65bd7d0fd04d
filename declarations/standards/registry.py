"""Which standard applies: ``get_standard(version="2022", tier="innovative")``.

A declaration window names its standard version (§0.1).  Each version is a package
(``v2022``, ``v2026``) of data plus evaluators; adding a version means adding a package
and its rows to ``_STANDARDS`` below — existing versions are never edited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from common.tiers import Tier
from declarations.standards.inputs import GiantInput, InnovativeInput, SpecializedInput
from declarations.standards.results import EvaluationResult
from declarations.standards.v2022 import data as d2022
from declarations.standards.v2022 import giant as giant2022
from declarations.standards.v2022 import innovative as innovative2022
from declarations.standards.v2022 import specialized as specialized2022
from declarations.standards.v2026 import data as d2026
from declarations.standards.v2026 import giant as giant2026
from declarations.standards.v2026 import specialized as specialized2026
from declarations.standards.v2026.inputs import GiantInput2026, SpecializedInput2026
from declarations.standards.validation import check_inputs


class UnknownStandard(LookupError):
    """No standard is registered for this version and tier."""


@dataclass(frozen=True, slots=True)
class Standard:
    """One (version, tier) standard: its input type and its evaluator.

    ``scope`` says honestly how much of the text is implemented (``"full"`` or
    ``"hard_conditions"`` for the 2026 rules, which have no points table).
    """

    version: str
    tier: Tier
    title: str
    basis: str
    input_type: type
    evaluator: Callable[..., EvaluationResult]
    scope: str = "full"

    def evaluate(self, inputs: Any) -> EvaluationResult:
        """Evaluate one declaration's inputs.

        ``TypeError`` if they are for another standard; ``InvalidInput`` (Chinese messages
        by input path) if a value cannot be true — a rank below 1, a negative count or
        number of years.  Missing figures are not errors: they are reported in the result.
        """
        if not isinstance(inputs, self.input_type):
            raise TypeError(
                f"{self.version}/{self.tier} expects {self.input_type.__name__}, "
                f"got {type(inputs).__name__}"
            )
        check_inputs(inputs)
        return self.evaluator(inputs, version=self.version)


_STANDARDS: tuple[Standard, ...] = (
    Standard("2022", Tier.INNOVATIVE, d2022.INNOVATIVE_TITLE, f"{d2022.BASIS} 附件1",
             InnovativeInput, innovative2022.evaluate),
    Standard("2022", Tier.SPECIALIZED, d2022.SPECIALIZED_TITLE, f"{d2022.BASIS} 附件2",
             SpecializedInput, specialized2022.evaluate),
    Standard("2022", Tier.GIANT, d2022.GIANT_TITLE, f"{d2022.BASIS} 附件3",
             GiantInput, giant2022.evaluate),
    # 2号文第三十条: 创新型 keeps being evaluated with 63号附件1 until a merged standard exists.
    Standard("2026", Tier.INNOVATIVE, d2022.INNOVATIVE_TITLE,
             f"{d2026.BASIS} 第三十条（沿用{d2022.BASIS} 附件1）",
             InnovativeInput, innovative2022.evaluate),
    Standard("2026", Tier.SPECIALIZED, d2026.SPECIALIZED_TITLE, d2026.BASIS,
             SpecializedInput2026, specialized2026.evaluate, scope="hard_conditions"),
    Standard("2026", Tier.GIANT, d2026.GIANT_TITLE, d2026.BASIS,
             GiantInput2026, giant2026.evaluate, scope="hard_conditions"),
)
_BY_KEY: dict[tuple[str, Tier], Standard] = {(s.version, s.tier): s for s in _STANDARDS}


def get_standard(version: str, tier: str | Tier) -> Standard:
    """The standard for ``version`` ("2022", "2026") and ``tier`` (innovative, specialized,
    giant); ``UnknownStandard`` if there is none."""
    try:
        return _BY_KEY[(version, Tier(tier))]
    except (KeyError, ValueError):
        raise UnknownStandard(f"没有{version}版{tier}认定标准") from None


def available() -> tuple[tuple[str, Tier], ...]:
    """Every registered (version, tier), oldest first."""
    return tuple((s.version, s.tier) for s in _STANDARDS)


def evaluate(version: str, tier: str | Tier, inputs: Any) -> EvaluationResult:
    """Shortcut: ``get_standard(version, tier).evaluate(inputs)``."""
    return get_standard(version, tier).evaluate(inputs)
