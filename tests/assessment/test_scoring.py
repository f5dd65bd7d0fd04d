"""Scoring, validation and the level rule, on the shipped 制造业 questionnaire."""

from decimal import Decimal

import pytest

from assessment import content, loader, scoring
from assessment.content import LevelRule

from .conftest import best, scenes_at, worst

D = content.parse(loader.read("manufacturing-2024.json"))
RULES = D.level_rules


def q(prefix):
    return next(x for x in D.questions if x.title.startswith(prefix))


def opt(question, text):
    return next(o.id for o in question.options if o.text.startswith(text) or o.prefix == text)


NETWORK = q("企业网络建设连接情况")
DIGITAL = q("企业的生产设备数字化率")
NETWORKED = q("企业的生产设备联网率")
SYSTEMS = q("企业使用本地或云化部署")


def test_a_single_choice_scores_its_option():
    assert scoring.question_points(SYSTEMS, [opt(SYSTEMS, "C")]) == Decimal(5)
    assert scoring.question_points(SYSTEMS, [opt(SYSTEMS, "E")]) == Decimal(10)
    assert scoring.question_points(SYSTEMS, []) == 0


def test_a_multiple_choice_adds_its_options():
    assert scoring.question_points(NETWORK, [opt(NETWORK, "B"), opt(NETWORK, "D")]) == Decimal(4)
    collect = q("企业实现数据自动采集")
    every = [o.id for o in collect.options if not o.exclusive]
    assert scoring.question_points(collect, every) == Decimal(10)
    assert scoring.question_points(collect, [opt(collect, "O"), opt(collect, "B")]) == Decimal("1.6")


def test_none_scores_zero_and_cannot_be_combined():
    assert scoring.question_points(NETWORK, [opt(NETWORK, "A")]) == 0
    answers = {NETWORK.id: {"options": [opt(NETWORK, "A"), opt(NETWORK, "B")]}}
    issues = scoring.check(D, answers, {}, complete=False)
    assert [i.message for i in issues] == ["第1题「企业网络建设连接情况」：选择了「无」就不能再选择其他选项。"]
    assert scoring.question_points(NETWORK, answers[NETWORK.id]["options"]) == 0


@pytest.mark.parametrize("percent,prefix", [
    ("0", "A"), ("10", "A"), ("10.0001", "B"), ("20", "B"), ("20.0001", "C"), ("40", "C"),
    ("40.01", "D"), ("60", "D"), ("60.01", "E"), ("100", "E"),
])
def test_the_band_of_a_rate_follows_the_brackets_on_its_edges(percent, prefix):
    assert scoring.band_option(DIGITAL, Decimal(percent)) == opt(DIGITAL, prefix)


@pytest.mark.parametrize("total,digital,prefix,points", [
    ("10", "1", "A", 0), ("10", "2", "B", Decimal("1.5")), ("1000", "201", "C", 3),
    ("5", "2", "C", 3), ("5", "3", "D", Decimal("4.5")), ("5", "5", "E", 6),
])
def test_device_counts_give_the_band_and_its_points(total, digital, prefix, points):
    answers = {DIGITAL.id: {"options": [], "fields": {"total_devices": total, "digital_devices": digital}}}
    percent = scoring.rate(DIGITAL, scoring.field_values(D, answers))
    chosen = scoring.band_option(DIGITAL, percent)
    assert chosen == opt(DIGITAL, prefix)
    assert scoring.question_points(DIGITAL, [chosen]) == points


def test_more_digitised_devices_than_devices_is_refused_naming_the_question():
    answers = {DIGITAL.id: {"options": [opt(DIGITAL, "E")],
                            "fields": {"total_devices": "10", "digital_devices": "12"}}}
    messages = [i.message for i in scoring.check(D, answers, {}, complete=False)]
    assert messages == ["第2题「企业的生产设备数字化率」：「实现数字化的生产设备数量为（台）」（12）"
                        "不能大于「其中生产设备数量为（台）」（10）。"]


def test_networked_devices_are_checked_against_the_devices_of_the_previous_question():
    answers = {DIGITAL.id: {"options": [], "fields": {"total_devices": "10"}},
               NETWORKED.id: {"options": [], "fields": {"networked_devices": "11"}}}
    messages = [i.message for i in scoring.check(D, answers, {}, complete=False)]
    assert len(messages) == 1 and messages[0].startswith("第3题「企业的生产设备联网率」")


def test_a_band_that_contradicts_the_counts_is_refused():
    answers = {DIGITAL.id: {"options": [opt(DIGITAL, "E")],
                            "fields": {"total_devices": "10", "digital_devices": "3"}}}
    messages = [i.message for i in scoring.check(D, answers, {}, complete=False)]
    assert messages == ["第2题「企业的生产设备数字化率」：按填写的数量计算为 30.00%，应选择「(20%,40%]」。"]


def test_a_count_that_is_not_a_whole_number_is_refused():
    answers = {DIGITAL.id: {"options": [], "fields": {"total_devices": "10.5"}}}
    messages = [i.message for i in scoring.check(D, answers, {}, complete=False)]
    assert messages == ["第2题「企业的生产设备数字化率」：「其中生产设备数量为（台）」应填写非负整数。"]


def test_submitting_names_every_missing_answer():
    answers = best(D)
    del answers[SYSTEMS.id]
    scenes = scenes_at(D, 2)
    del scenes[D.scenes[0].id]
    messages = [i.message for i in scoring.check(D, answers, scenes, complete=True)]
    assert messages == ["第5题「企业使用本地或云化部署的信息化服务，实现业务的数字化管理情况」：请选择一项。",
                        "场景「产品设计」：请选择达到的等级。"]
    assert scoring.check(D, answers, scenes, complete=False) == []


def test_full_and_empty_answers_score_100_and_0():
    full = scoring.evaluate(D, best(D), scenes_at(D, 4))
    assert full.total == 100 and full.level == 4
    assert [(t, p) for t, p, _ in full.dimensions] == [("数字化基础", 50), ("数字化管理", 30), ("数字化成效", 20)]
    empty = scoring.evaluate(D, worst(D), scenes_at(D, 0))
    assert empty.total == 0 and empty.level == 0


def scene_levels(count, binding, level):
    """`count` scenes at `level` of which `binding` are 约束性; the rest at level 0."""
    out = [(level, True)] * binding + [(level, False)] * (count - binding)
    return out + [(0, False)] * (16 - len(out))


@pytest.mark.parametrize("level,score,count,binding", [
    (4, "80", 10, 6), (3, "60", 8, 5), (2, "40", 6, 3), (1, "20", 6, 3)])
def test_each_level_is_reached_exactly_on_its_edges(level, score, count, binding):
    levels = scene_levels(count, binding, level)
    assert scoring.determine_level(Decimal(score), levels, RULES) == level
    # Just below the score line.
    assert scoring.determine_level(Decimal(score) - Decimal("0.0001"), levels, RULES) < level
    # One scenario short (the 约束性 count still met).
    assert scoring.determine_level(Decimal(score), scene_levels(count - 1, binding, level), RULES) < level
    # One 约束性 scenario short (the total count still met).
    assert scoring.determine_level(Decimal(score), scene_levels(count, binding - 1, level), RULES) < level


def test_levels_are_checked_from_the_top_and_fall_to_the_first_met():
    # 95 points but only 二级 scenarios: 二级.
    assert scoring.determine_level(Decimal(95), scene_levels(16, 10, 2), RULES) == 2
    # Scenarios at 四级 but 59.99 points: 二级.
    assert scoring.determine_level(Decimal("59.99"), scene_levels(16, 10, 4), RULES) == 2
    # 19.99 points: 未达一级 whatever the scenarios.
    assert scoring.determine_level(Decimal("19.99"), scene_levels(16, 10, 4), RULES) == 0


def test_a_higher_scene_level_counts_for_every_lower_level():
    levels = [(4, True)] * 3 + [(1, False)] * 3 + [(0, False)] * 10
    assert scoring.determine_level(Decimal(30), levels, RULES) == 1


def test_a_custom_rule_is_data():
    rules = [LevelRule(1, Decimal(10), 1, 0), LevelRule(2, Decimal(50), 2, 1),
             LevelRule(3, Decimal(70), 3, 1), LevelRule(4, Decimal(90), 4, 2)]
    assert scoring.determine_level(Decimal(10), [(1, False)], rules) == 1
    assert scoring.determine_level(Decimal(9), [(1, False)], rules) == 0


def test_next_steps_name_the_gap_and_the_weakest_scenarios_next_level_text():
    scenes = scenes_at(D, 2)
    scenes[D.scenes[1].id] = 1  # 工艺设计 (指导性) at 一级
    evaluation = scoring.evaluate(D, best(D), scenes)
    assert evaluation.level == 2
    gap = evaluation.next_steps["gap"]
    assert gap == {"level": 3, "score": "0", "scenes": 8, "binding": 5}
    first = evaluation.next_steps["scenes"][0]
    assert first["title"] == "工艺设计" and first["next_level"] == 2
    assert first["text"] == D.scenes[1].levels[1]


def test_progress_counts_questions_and_scenarios():
    assert scoring.progress(D, {}, {}) == 0
    assert scoring.progress(D, best(D), {}) == round(15 * 100 / 31)
    assert scoring.progress(D, best(D), scenes_at(D, 1)) == 100
