"""特色化指标 (§3.2 indicator 9): province-configured data, validated and scored."""

import json
from decimal import Decimal as D

import pytest

from declarations.standards import (
    FeatureBand,
    FeatureConfig,
    FeatureIndicator,
    FeatureKind,
    SpecializedInput,
    get_standard,
)
from declarations.standards.features import FeatureValue
from declarations.standards.results import IndicatorResult

STANDARD = get_standard("2022", "specialized")

EXAMPLE = {
    "region": "示例省",
    "total_points": 15,
    "indicators": [
        {"key": "export", "name": "上年度出口额占营业收入比重", "kind": "number", "unit": "%",
         "max_points": 8, "bands": [{"threshold": "10", "points": 4},
                                     {"threshold": "30", "points": 8}]},
        {"key": "energy", "name": "单位产值能耗", "kind": "number", "unit": "吨标煤/万元",
         "max_points": 4, "higher_is_better": False,
         "bands": [{"threshold": "0.5", "points": 4}, {"threshold": "1", "points": 2}]},
        {"key": "chain", "name": "属于本省重点产业链", "kind": "choice", "max_points": 3,
         "choices": {"是": 3, "否": 0}},
    ],
}
CONFIG = FeatureConfig.from_dict(EXAMPLE)


def score(values: dict[str, FeatureValue],
          config: FeatureConfig | None = CONFIG) -> IndicatorResult:
    return STANDARD.evaluate(SpecializedInput(features=config, feature_values=values)
                             ).indicator("9")


def test_example_configuration_is_valid_and_round_trips_through_json() -> None:
    assert CONFIG.problems() == []
    again = FeatureConfig.from_dict(json.loads(json.dumps(CONFIG.to_dict())))
    assert again == CONFIG


@pytest.mark.parametrize(
    ("export", "points"),
    [("9.99", 0), ("10", 4), ("10.01", 4), ("29.99", 4), ("30", 8), ("30.01", 8), (45, 8)],
)
def test_number_bands_follow_the_boundary_rule(export: str | int, points: int) -> None:
    item = score({"export": export})
    assert item.parts[0].points == points


@pytest.mark.parametrize(
    ("energy", "points"),
    [("0.49", 4), ("0.5", 4), ("0.51", 2), ("1", 2), ("1.01", 0)],
)
def test_lower_is_better_bands(energy: str, points: int) -> None:
    assert score({"energy": energy}).parts[1].points == points


def test_choices_and_total() -> None:
    item = score({"export": "31", "energy": "0.8", "chain": "是"})
    assert [p.points for p in item.parts] == [8, 2, 3]
    assert item.points == 13
    assert item.max_points == 15
    assert item.reason == ("示例省：上年度出口额占营业收入比重 8 + 单位产值能耗 2 + "
                           "属于本省重点产业链 3 = 13分")


@pytest.mark.parametrize(
    ("values", "missing"),
    [({}, ["feature_values.export", "feature_values.energy", "feature_values.chain"]),
     ({"export": "abc", "energy": "1", "chain": "也许"},
      ["feature_values.export", "feature_values.chain"]),
     ({"export": True, "energy": "1", "chain": "否"}, ["feature_values.export"])],
)
def test_missing_or_invalid_answers_score_zero_and_are_reported(
    values: dict[str, FeatureValue], missing: list[str],
) -> None:
    item = score(values)
    assert [m.field for m in item.missing] == missing
    for part in item.parts:
        if part.inputs[0].field in missing:
            assert part.points == 0


def test_no_configuration_scores_zero_with_reason() -> None:
    item = score({"export": "50"}, config=None)
    assert item.points == 0
    assert item.reason == "本地区未配置特色化指标，本项记0分"
    assert [m.field for m in item.missing] == ["features"]


def one(key: str, max_points: int, *points: int) -> FeatureIndicator:
    return FeatureIndicator(key, key, max_points,
                            bands=tuple(FeatureBand(D(10 * n), p) for n, p in enumerate(points)))


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        (FeatureConfig("甲", ()), "特色化指标应为1–3个，当前0个"),
        (FeatureConfig("甲", tuple(one(k, 5, 5) for k in "abcd")), "特色化指标应为1–3个，当前4个"),
        (FeatureConfig("甲", (one("a", 10, 10),)), "各指标满分合计应为15分，当前10分"),
        (FeatureConfig("甲", (one("a", 10, 10), one("a", 5, 5))), "指标标识不能重复"),
        (FeatureConfig("甲", (one("a", 15),)), "「a」未设置分档"),
        (FeatureConfig("甲", (one("a", 15, 20),)), "「a」的分档分值应在0–15分之间"),
        (FeatureConfig("甲", (FeatureIndicator("c", "c", 15, kind=FeatureKind.CHOICE),)),
         "「c」未设置选项"),
    ],
)
def test_invalid_configurations_are_explained(config: FeatureConfig, problem: str) -> None:
    assert problem in config.problems()
    item = score({}, config=config)
    assert item.points == 0
    assert problem in item.reason


def test_one_indicator_worth_15_is_valid() -> None:
    config = FeatureConfig("乙", (one("a", 15, 5, 15),))  # a ≥ 0 → 5, ≥ 10 → 15
    assert config.problems() == []
    assert score({"a": "10"}, config=config).points == 15
    assert score({"a": "9.99"}, config=config).points == 5


@pytest.mark.parametrize(
    "data",
    [{}, {"region": "甲"}, {"region": "甲", "indicators": [{"key": "a"}]},
     {"region": "甲", "indicators": [{"key": "a", "name": "a", "max_points": 15,
                                      "bands": [{"threshold": "x", "points": 1}]}]}],
)
def test_malformed_json_raises_value_error_for_the_admin_form(data: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="特色化指标配置格式错误"):
        FeatureConfig.from_dict(data)
