"""The version registry and the JSON snapshot of results."""

import json
from decimal import Decimal as D

import pytest

from declarations.standards import (
    GiantInput,
    InnovativeInput,
    SpecializedInput,
    Tier,
    UnknownStandard,
    available,
    evaluate,
    get_standard,
)
from tests.declarations.standards.builders import fin


def test_every_tier_has_2022_and_2026() -> None:
    assert available() == (
        ("2022", Tier.INNOVATIVE), ("2022", Tier.SPECIALIZED), ("2022", Tier.GIANT),
        ("2026", Tier.INNOVATIVE), ("2026", Tier.SPECIALIZED), ("2026", Tier.GIANT),
    )
    assert get_standard("2022", "giant").scope == "full"
    assert get_standard("2026", "giant").scope == "hard_conditions"


@pytest.mark.parametrize(("version", "tier"), [("2019", "innovative"), ("2022", "bronze")])
def test_unknown_standard(version: str, tier: str) -> None:
    with pytest.raises(UnknownStandard):
        get_standard(version, tier)


def test_inputs_of_another_tier_are_refused() -> None:
    with pytest.raises(TypeError, match="expects InnovativeInput"):
        get_standard("2022", "innovative").evaluate(GiantInput())


@pytest.mark.parametrize(
    ("tier", "inputs"),
    [("innovative", InnovativeInput()), ("specialized", SpecializedInput()),
     ("giant", GiantInput())],
)
def test_result_labels_its_version_and_basis(tier: str, inputs: object) -> None:
    result = evaluate("2022", tier, inputs)
    assert (result.version, result.tier) == ("2022", tier)
    assert result.basis.startswith("工信部企业〔2022〕63号 附件")


def test_to_dict_is_json_with_decimals_as_strings() -> None:
    figures = fin({"operating_revenue": 4000, "rd_expense": 180})
    result = evaluate("2022", "innovative", InnovativeInput(financials=figures))
    snapshot = result.to_dict()
    text = json.dumps(snapshot, ensure_ascii=False)
    again = json.loads(text)
    rd = next(i for i in again["indicators"] if i["key"] == "2")
    assert rd["value"] == "4.50"
    assert rd["points"] == 15
    assert rd["inputs"][0] == {"field": "financials.last_year.rd_expense",
                               "label": "上年度研发费用", "value": "180.00"}
    assert again["verdict"] == "不符合"
    assert again["mandatory"][0]["outcome"] == "需人工判断"
    assert {"field": "strategic_emerging_product", "label": "主导产品所属领域"} in \
        again["missing_inputs"]
    assert result.indicator("2").value == D("4.50")


def test_lookup_helpers_raise_key_error_for_unknown_keys() -> None:
    result = evaluate("2022", "innovative", InnovativeInput())
    with pytest.raises(KeyError):
        result.indicator("99")
    with pytest.raises(KeyError):
        result.condition("nope")
    with pytest.raises(KeyError):
        result.group("nope")
