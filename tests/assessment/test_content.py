"""The shipped questionnaires: each adds up to 100, the derived ones follow domain.md §0.4."""

import copy
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessment import content, loader
from assessment.models import Category, ProducerServiceIndustry, Questionnaire

DERIVED = ["producer-services-2024-derived.json", "other-2024-derived.json"]


@pytest.mark.parametrize("name", list(loader.SHIPPED.values()))
def test_each_shipped_version_adds_up_to_exactly_100(name):
    data = loader.read(name)
    definition = content.parse(data)
    assert definition.max_score == Decimal(100)
    assert sum((q.points for q in definition.questions), Decimal(0)) == Decimal(100)
    for q in definition.questions:
        scored = [o.points for o in q.options if not o.exclusive]
        assert (sum(scored, Decimal(0)) if q.multiple else max(scored)) == q.points


def test_the_manufacturing_version_is_the_official_2024_questionnaire():
    definition = content.parse(loader.read("manufacturing-2024.json"))
    assert [(d.title, d.points) for d in definition.dimensions] == [
        ("数字化基础", 50), ("数字化管理", 30), ("数字化成效", 20)]
    assert len(definition.questions) == 15
    assert sum(len(q.options) for q in definition.questions) == 79
    assert sum(q.multiple for q in definition.questions) == 6
    assert len(definition.scenes) == 16
    assert [s.title for s in definition.scenes if s.binding] == [
        "产品设计", "营销管理", "生产管控", "质量管理", "设备管理", "安全生产", "能耗管理",
        "采购管理", "仓储物流", "财务管理"]
    collect = next(q for q in definition.questions if q.title.startswith("企业实现数据自动采集"))
    assert [o.points for o in collect.options if o.text == "人力资源"] == [Decimal("0.9")]
    funds = next(q for q in definition.questions if q.title.startswith("企业近三年平均数字化投入"))
    assert [o.points for o in funds.options] == [0, Decimal("1.875"), Decimal("3.75"),
                                                 Decimal("5.625"), Decimal("7.5")]
    assert [(r.level, r.min_score, r.min_scenes, r.min_binding) for r in definition.level_rules] == [
        (4, 80, 10, 6), (3, 60, 8, 5), (2, 40, 6, 3), (1, 20, 6, 3)]


@pytest.mark.parametrize("name", DERIVED)
def test_the_derived_versions_drop_the_factory_items_and_say_they_are_derived(name):
    definition = content.parse(loader.read(name))
    indicators = {q.path[-1] for q in definition.questions}
    assert "设备数字化" not in indicators and "设备联网" not in indicators
    assert len(definition.questions) == 13
    assert "生产执行数字化" not in [g.title for g in definition.scene_groups]
    assert len(definition.scenes) == 10 and sum(s.binding for s in definition.scenes) == 5
    assert "派生" in definition.description and "并非官方" in definition.description
    # Thresholds stay out of 100; scenario counts scale by 10/16 and 5/10, rounded up.
    assert [(r.level, r.min_score, r.min_scenes, r.min_binding) for r in definition.level_rules] == [
        (4, 80, 7, 3), (3, 60, 5, 3), (2, 40, 4, 2), (1, 20, 4, 2)]


@pytest.mark.parametrize("name,category", [(DERIVED[0], "producer_services"), (DERIVED[1], "other")])
def test_the_shipped_derived_files_are_what_the_derivation_rule_produces(name, category):
    shipped = loader.read(name)
    again = content.derive(loader.read("manufacturing-2024.json"), category=category,
                           name=shipped["name"], description=shipped["description"])
    assert again == shipped


def test_rescaling_keeps_the_proportions_to_the_cent():
    derived = content.parse(loader.read(DERIVED[0]))
    official = content.parse(loader.read("manufacturing-2024.json"))
    for q in derived.questions:
        original = official.question(q.id)
        assert abs(q.points - original.points * 100 / 88) <= Decimal("0.01")


def test_the_data_migration_loaded_one_active_version_per_category(db):
    active = Questionnaire.objects.filter(is_active=True)
    assert sorted(active.values_list("category", flat=True)) == sorted(Category.values)
    for q in active:
        assert q.definition.max_score == 100
    assert ProducerServiceIndustry.objects.filter(confirmed=False).count() == ProducerServiceIndustry.objects.count() > 40


def platform_shape(data):
    """Our JSON stripped of our own keys, scores as floats: what the MIIT platform serves."""
    data = copy.deepcopy(data)
    for key in ("levelRule", "category", "name", "description"):
        data.pop(key, None)

    def strip(node):
        node.pop("exclusive", None)
        node.pop("band", None)
        node.pop("rate", None)
        if "score" in node:
            node["score"] = float(node["score"])
        for f in node.get("formField") or []:
            f.pop("key", None)
            f.pop("type", None)
        for child in node.get("children") or []:
            strip(child)

    for node in data["storeList"]:
        strip(node)
    return data


def test_the_platforms_own_json_imports_as_it_is():
    raw = platform_shape(loader.read("manufacturing-2024.json"))
    definition = content.parse(json.loads(json.dumps(raw)))
    assert definition.max_score == 100
    network = definition.questions[0]
    assert network.options[0].exclusive and not network.options[1].exclusive
    rate_q = definition.questions[1]
    assert rate_q.options[1].band == content.Band(Decimal(10), Decimal(20), False, True)
    assert rate_q.options[0].band == content.Band(Decimal(0), Decimal(10), True, True)
    # No level rule in the platform's JSON: the 2024 rule of domain.md §4.3 applies.
    assert [r.min_scenes for r in definition.level_rules] == [10, 8, 6, 6]


def test_a_questionnaire_that_does_not_add_up_is_refused_with_the_reason():
    data = loader.read("manufacturing-2024.json")
    data["storeList"][0]["children"][0]["children"][0]["children"][0]["children"][1]["score"] = "3"
    with pytest.raises(ValidationError) as exc:
        content.parse(data)
    text = " ".join(exc.value.messages)
    assert "企业网络建设连接情况" in text and "各选项分值之和" in text


def test_a_questionnaire_without_a_full_level_rule_is_refused():
    data = loader.read("manufacturing-2024.json")
    data["levelRule"] = data["levelRule"][:3]
    with pytest.raises(ValidationError, match="一级至四级"):
        content.parse(data)
