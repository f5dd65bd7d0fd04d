"""Explainable results: every number comes with its inputs, band and reason.

All result objects are frozen dataclasses with ``to_dict()`` returning JSON-able data
(``Decimal`` as strings, enums as their values) so a result can be frozen into a
declaration as a snapshot.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any


class Outcome(StrEnum):
    """Outcome of one condition."""

    PASS = "通过"
    FAIL = "不通过"
    REVIEW = "需人工判断"


class Verdict(StrEnum):
    """Verdict on a whole declaration."""

    MEETS = "符合"
    FAILS = "不符合"
    REVIEW = "需人工判断"


_PLAIN = (str, int, float, bool, type(None))
_FIELDS: dict[type, tuple[str, ...] | None] = {}  # per class: dataclass field names or None


def jsonable(value: Any) -> Any:
    """Turn results (dataclasses, Decimals, enums, tuples, sets) into JSON-able data."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is Decimal:
        return str(value)
    if kind not in _FIELDS:
        is_dc = dataclasses.is_dataclass(value) and not isinstance(value, type)
        _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value)) if is_dc else None
    names = _FIELDS[kind]
    if names is not None:
        return {name: jsonable(getattr(value, name)) for name in names}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (frozenset, set)):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Missing:
    """An input the rule needed but did not get: ``field`` is the input path."""

    field: str
    label: str

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)


@dataclass(frozen=True, slots=True)
class InputValue:
    """One input as it was read for a rule (``value`` is ``None`` when missing)."""

    field: str
    label: str
    value: Any

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    """One scored indicator.

    ``value`` is the computed figure (ratio/growth in percent, years, a level or a choice),
    ``band`` the band it fell in, ``reason`` the worked arithmetic in Chinese and
    ``parts`` the sub-indicators (only 特色化 has them).
    """

    key: str
    name: str
    group: str
    inputs: tuple[InputValue, ...]
    value: Decimal | int | str | None
    band: str
    points: int
    max_points: int
    reason: str
    missing: tuple[Missing, ...] = ()
    parts: tuple[IndicatorResult, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)


@dataclass(frozen=True, slots=True)
class GroupResult:
    """A group of indicators (创新能力 …) or a 小巨人 dimension (专、精 …).

    ``floor`` is the minimum the group must reach (创新型 only); ``outcome`` is set when the
    group has a pass/fail meaning (a floor, or a 小巨人 dimension).
    """

    name: str
    points: int | None
    max_points: int | None
    floor: int | None = None
    outcome: Outcome | None = None

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """One mandatory or direct condition with its outcome and the reason in Chinese.

    ``parts`` are the sub-conditions of a composite condition (e.g. 小巨人 新 一般性条件).
    """

    key: str
    name: str
    outcome: Outcome
    reason: str
    group: str = ""
    inputs: tuple[InputValue, ...] = ()
    missing: tuple[Missing, ...] = ()
    parts: tuple[ConditionResult, ...] = ()

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASS

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """The whole explainable result for one declaration.

    ``total``/``max_total`` are ``None`` for standards without a score (小巨人).
    ``missing_inputs`` lists every missing input once, across indicators and conditions.
    """

    version: str
    tier: str
    title: str
    basis: str
    indicators: tuple[IndicatorResult, ...]
    groups: tuple[GroupResult, ...]
    total: int | None
    max_total: int | None
    mandatory: tuple[ConditionResult, ...]
    direct: tuple[ConditionResult, ...]
    verdict: Verdict
    reasons: tuple[str, ...]
    missing_inputs: tuple[Missing, ...]

    def indicator(self, key: str) -> IndicatorResult:
        """The indicator with ``key`` (e.g. ``"3"``); ``KeyError`` if there is none."""
        for item in self.indicators:
            if item.key == key:
                return item
        raise KeyError(key)

    def condition(self, key: str) -> ConditionResult:
        """The mandatory or direct condition with ``key``, searching parts too."""
        stack = list(self.mandatory) + list(self.direct)
        while stack:
            item = stack.pop(0)
            if item.key == key:
                return item
            stack.extend(item.parts)
        raise KeyError(key)

    def group(self, name: str) -> GroupResult:
        for item in self.groups:
            if item.name == name:
                return item
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self)
