"""特色化指标 (§3.2 indicator 9): 1–3 indicators each province configures, 15 points in all.

This is plain data an official edits in the admin: ``FeatureConfig.from_dict`` /
``to_dict`` round-trip through JSON and ``problems()`` lists what is wrong with a
configuration (the admin form shows it before saving).  Scoring never raises: an absent
or invalid configuration scores 0 with the reason.

Example (one numeric and one choice indicator)::

    {"region": "示例省", "total_points": 15, "indicators": [
      {"key": "export", "name": "上年度出口额占营业收入比重", "kind": "number", "unit": "%",
       "max_points": 10, "higher_is_better": true,
       "bands": [{"threshold": "30", "points": 10}, {"threshold": "10", "points": 5}]},
      {"key": "chain", "name": "属于本省重点产业链", "kind": "choice", "max_points": 5,
       "choices": {"是": 5, "否": 0}}]}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from declarations.standards import rules
from declarations.standards.results import IndicatorResult, InputValue, Missing

FeatureValue = Decimal | int | str | bool | None

FEATURE_GROUP = "特色化"
MAX_FEATURE_INDICATORS = 3  # §3.2: 由省级主管部门自主设定1–3个指标


class FeatureKind(StrEnum):
    NUMBER = "number"  # a figure scored by threshold bands
    CHOICE = "choice"  # one option out of a list, each option with its points


@dataclass(frozen=True, slots=True)
class FeatureBand:
    """Reaching ``threshold`` (edge included, §0.2) earns ``points``."""

    threshold: Decimal
    points: int


@dataclass(frozen=True, slots=True)
class FeatureIndicator:
    """One province-defined indicator."""

    key: str
    name: str
    max_points: int
    kind: FeatureKind = FeatureKind.NUMBER
    unit: str = ""
    bands: tuple[FeatureBand, ...] = ()  # NUMBER: any order, the best band is found
    higher_is_better: bool = True  # NUMBER: False for "X以下" bands (e.g. 能耗)
    choices: Mapping[str, int] = field(default_factory=dict)  # CHOICE: option → points

    def table(self) -> rules.BandTable:
        """The band table, best band first, with a 0-point catch-all."""
        ordered = sorted(self.bands, key=lambda b: b.threshold, reverse=self.higher_is_better)
        edges: list[tuple[str | int, int]] = [(str(b.threshold), b.points) for b in ordered]
        return rules.make_table(edges, higher_is_better=self.higher_is_better, unit=self.unit)


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """A province's 特色化 configuration."""

    region: str
    indicators: tuple[FeatureIndicator, ...]
    total_points: int = 15

    def problems(self) -> list[str]:
        """What is wrong with this configuration, in Chinese (empty when valid)."""
        found: list[str] = []
        count = len(self.indicators)
        if not 1 <= count <= MAX_FEATURE_INDICATORS:
            found.append(f"特色化指标应为1–{MAX_FEATURE_INDICATORS}个，当前{count}个")
        total = sum(i.max_points for i in self.indicators)
        if total != self.total_points:
            found.append(f"各指标满分合计应为{self.total_points}分，当前{total}分")
        keys = [i.key for i in self.indicators]
        if len(set(keys)) != len(keys):
            found.append("指标标识不能重复")
        for item in self.indicators:
            if item.kind is FeatureKind.NUMBER:
                scores = [b.points for b in item.bands]
                if not scores:
                    found.append(f"「{item.name}」未设置分档")
            else:
                scores = list(item.choices.values())
                if not scores:
                    found.append(f"「{item.name}」未设置选项")
            if any(p < 0 or p > item.max_points for p in scores):
                found.append(f"「{item.name}」的分档分值应在0–{item.max_points}分之间")
        return found

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureConfig:
        """Build from the JSON shape in the module docstring (``ValueError`` if malformed)."""
        try:
            indicators = tuple(
                FeatureIndicator(
                    key=str(item["key"]), name=str(item["name"]),
                    max_points=int(item["max_points"]),
                    kind=FeatureKind(item.get("kind", FeatureKind.NUMBER)),
                    unit=str(item.get("unit", "")),
                    bands=tuple(
                        FeatureBand(Decimal(str(b["threshold"])), int(b["points"]))
                        for b in item.get("bands", ())
                    ),
                    higher_is_better=bool(item.get("higher_is_better", True)),
                    choices={str(k): int(v) for k, v in item.get("choices", {}).items()},
                )
                for item in data["indicators"]
            )
            return cls(str(data["region"]), indicators, int(data.get("total_points", 15)))
        except (KeyError, TypeError, ArithmeticError) as exc:
            raise ValueError(f"特色化指标配置格式错误：{exc!r}") from exc

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "total_points": self.total_points,
            "indicators": [
                {
                    "key": i.key, "name": i.name, "kind": i.kind.value, "unit": i.unit,
                    "max_points": i.max_points, "higher_is_better": i.higher_is_better,
                    "bands": [{"threshold": str(b.threshold), "points": b.points}
                              for b in i.bands],
                    "choices": dict(i.choices),
                }
                for i in self.indicators
            ],
        }


def _score_one(
    number: str, item: FeatureIndicator, raw: FeatureValue,
) -> IndicatorResult:
    path = f"feature_values.{item.key}"
    inputs = (InputValue(path, item.name, raw),)
    missing = (Missing(path, item.name),)

    def result(value: Decimal | str | None, band: str, points: int, reason: str,
               miss: tuple[Missing, ...] = ()) -> IndicatorResult:
        return IndicatorResult(
            key=number, name=item.name, group=FEATURE_GROUP, inputs=inputs, value=value,
            band=band, points=min(points, item.max_points), max_points=item.max_points,
            reason=reason, missing=miss,
        )

    if raw is None:
        return result(None, "未填报", 0, f"缺少{item.name}，本项记0分", missing)
    if item.kind is FeatureKind.CHOICE:
        option = str(raw)
        if option not in item.choices:
            return result(option, "无效选项", 0, f"「{option}」不是可选项，本项记0分", missing)
        points = item.choices[option]
        return result(option, option, points, f"{item.name}：{option}，得{points}分")
    value = rules.to_decimal(raw) if not isinstance(raw, bool) else None
    if value is None:
        return result(None, "无效数值", 0, f"{item.name}「{raw}」不是数值，本项记0分", missing)
    band = rules.pick_band(value, item.table())
    points = min(band.points, item.max_points)
    return result(value, band.label, points,
                  f"{item.name} {rules.fmt_num(value)}{item.unit}，落在「{band.label}」档，"
                  f"得{points}分")


def score_features(
    key: str, name: str, config: FeatureConfig | None, values: Mapping[str, FeatureValue],
    max_points: int,
) -> IndicatorResult:
    """Score indicator 9 from the province's configuration; the parts are the 1–3 items."""
    if config is None:
        return IndicatorResult(
            key=key, name=name, group=FEATURE_GROUP, inputs=(), value=None, band="未配置",
            points=0, max_points=max_points, reason="本地区未配置特色化指标，本项记0分",
            missing=(Missing("features", "特色化指标配置"),),
        )
    problems = config.problems()
    if problems:
        return IndicatorResult(
            key=key, name=name, group=FEATURE_GROUP, inputs=(), value=None, band="配置无效",
            points=0, max_points=max_points,
            reason=f"{config.region}特色化指标配置无效（{'；'.join(problems)}），本项记0分",
            missing=(Missing("features", "特色化指标配置"),),
        )
    parts = tuple(
        _score_one(f"{key}.{n}", item, values.get(item.key))
        for n, item in enumerate(config.indicators, start=1)
    )
    points = min(sum(p.points for p in parts), max_points)
    work = " + ".join(f"{p.name} {p.points}" for p in parts)
    return IndicatorResult(
        key=key, name=name, group=FEATURE_GROUP,
        inputs=tuple(i for p in parts for i in p.inputs), value=points,
        band=f"{config.region}特色化指标", points=points, max_points=max_points,
        reason=f"{config.region}：{work} = {points}分",
        missing=tuple(m for p in parts for m in p.missing), parts=parts,
    )
