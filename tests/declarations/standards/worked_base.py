"""Shared shape of the hand-worked enterprises (see ``worked_enterprises.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from declarations.standards import BasicEligibility, Verdict

OK = BasicEligibility.confirmed()
PASS, FAIL, REVIEW = "通过", "不通过", "需人工判断"


@dataclass(frozen=True)
class Worked:
    """One enterprise: ``lines`` maps an indicator key (scored tiers) to ``(points, work)``
    or a condition key (小巨人) to ``(outcome, work)``."""

    name: str
    tier: str
    inputs: object
    lines: dict[str, tuple[int | str, str]]
    verdict: Verdict
    total: int | None = None
    groups: dict[str, int | str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
