"""Whole enterprises scored by hand (2022 standards), ten per tier.

Each ``work`` string is the arithmetic done by hand, independently of the engine:
money in 万元, percentages rounded half-up to two decimals, a value on a band edge takes
the higher band (§0.2).  The data is in ``worked_innovative.py``,
``worked_specialized.py`` and ``worked_giant.py``; ``test_worked_enterprises.py`` checks
the engine's points, outcomes, totals and verdicts against it, and checks that every
two-decimal percentage written there also appears in the engine's own explanation.
"""

from __future__ import annotations

from tests.declarations.standards.worked_base import Worked
from tests.declarations.standards.worked_giant import GIANT
from tests.declarations.standards.worked_innovative import INNOVATIVE
from tests.declarations.standards.worked_specialized import SPECIALIZED

ALL: list[Worked] = INNOVATIVE + SPECIALIZED + GIANT

__all__ = ["ALL", "GIANT", "INNOVATIVE", "SPECIALIZED", "Worked"]
