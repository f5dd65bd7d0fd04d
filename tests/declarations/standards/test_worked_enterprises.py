"""The engine agrees with the enterprises scored by hand in ``worked_enterprises.py``."""

import re
from collections import Counter

import pytest

from declarations.standards import get_standard
from declarations.standards.results import ConditionResult
from tests.declarations.standards.worked_enterprises import ALL, Worked

PERCENT = re.compile(r"-?\d+\.\d{2}%")


def all_reasons(condition: ConditionResult) -> str:
    return condition.reason + "".join(all_reasons(p) for p in condition.parts)


def test_ten_enterprises_per_tier() -> None:
    assert Counter(w.tier for w in ALL) == {"innovative": 10, "specialized": 10, "giant": 10}
    assert len({w.name for w in ALL}) == len(ALL)


@pytest.mark.parametrize("worked", ALL, ids=lambda w: f"{w.tier}-{w.name}")
def test_engine_matches_the_hand_computation(worked: Worked) -> None:
    result = get_standard("2022", worked.tier).evaluate(worked.inputs)
    if worked.tier == "giant":
        for key, (outcome, work) in worked.lines.items():
            condition = result.condition(key)
            assert condition.outcome.value == outcome, (key, condition.reason)
            explained = all_reasons(condition)
            for figure in PERCENT.findall(work):
                assert figure in explained, (key, figure, explained)
        assert result.total is None
    else:
        assert {i.key for i in result.indicators} == set(worked.lines), "every indicator worked"
        for key, (points, work) in worked.lines.items():
            item = result.indicator(key)
            assert item.points == points, (key, item.reason)
            explained = item.reason + "".join(p.reason for p in item.parts)
            for figure in PERCENT.findall(work):
                assert figure in explained, (key, figure, explained)
        assert sum(int(points) for points, _ in worked.lines.values()) == worked.total
        assert result.total == worked.total
        assert {g.name: g.points for g in result.groups} == worked.groups
    assert result.verdict is worked.verdict, result.reasons
    assert {m.field for m in result.missing_inputs} >= set(worked.missing)
    if not worked.missing and worked.tier != "giant":
        assert result.missing_inputs == ()
