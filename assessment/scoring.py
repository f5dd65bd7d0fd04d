"""Scoring, validation and the level rule — pure functions over a content.Definition.

Answers are `{question id: {"options": [option id, …], "fields": {key: "as typed"}}}` and
scene levels `{scene id: 0–4}`, as the attempt stores them. Points are Decimals throughout.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .content import Definition, LevelRule, Question

ZERO = Decimal(0)


@dataclass(frozen=True)
class Issue:
    target: str  # a question id, a scene id, or "pledge"
    message: str


@dataclass
class Evaluation:
    total: Decimal
    level: int
    dimensions: list[tuple[str, Decimal, Decimal]]  # (title, points, max points)
    points: dict[str, Decimal]  # per question id
    scene_levels: dict[str, int]
    next_steps: dict[str, Any] = field(default_factory=dict)


# --- reading answers -------------------------------------------------------------------------


def chosen(answers: Mapping[str, Any], question: Question) -> list[str]:
    raw = answers.get(question.id) or {}
    return [o for o in raw.get("options") or [] if question.option(o) is not None]


def number(text: Any, kind: str) -> Decimal | None:
    """A typed value as a non-negative Decimal (an integer for counts); None if not one."""
    text = str(text if text is not None else "").strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or (kind == "integer" and value != value.to_integral_value()):
        return None
    return value


def field_values(definition: Definition, answers: Mapping[str, Any]) -> dict[str, Decimal]:
    """Every numeric field answered validly, by key (a rate may read another question's)."""
    values: dict[str, Decimal] = {}
    for question in definition.questions:
        typed = (answers.get(question.id) or {}).get("fields") or {}
        for f in question.fields:
            value = number(typed.get(f.key), f.kind)
            if value is not None and str(typed.get(f.key)).strip():
                values[f.key] = value
    return values


def rate(question: Question, values: Mapping[str, Decimal]) -> Decimal | None:
    """The percentage the question's rate fields give (e.g. 数字化设备 ÷ 生产设备 × 100)."""
    if question.rate is None:
        return None
    top, bottom = values.get(question.rate.numerator), values.get(question.rate.denominator)
    if top is None or bottom is None or bottom == 0 or top > bottom:
        return None
    return top * 100 / bottom


def band_option(question: Question, percent: Decimal) -> str | None:
    """The option whose band holds `percent`: the brackets on the option decide its edges
    ("(10%,20%]": exactly 20% is in, exactly 10% is not)."""
    for option in question.options:
        if option.band is not None and option.band.contains(percent):
            return option.id
    return None


def field_label(definition: Definition, key: str) -> str:
    for question in definition.questions:
        for f in question.fields:
            if f.key == key:
                return f.name
    return key


# --- validation ---------------------------------------------------------------------------------


def check(definition: Definition, answers: Mapping[str, Any], scenes: Mapping[str, Any], *,
          complete: bool) -> list[Issue]:
    """What is wrong with the answers, each message naming its question.

    `complete=False` (saving a draft) reports contradictions only; `complete=True` (提交) also
    reports what is missing."""
    issues: list[Issue] = []
    values = field_values(definition, answers)
    for question in definition.questions:
        picked = chosen(answers, question)
        label = question.label
        if not picked and complete:
            issues.append(Issue(question.id, f"{label}：请{'至少' if question.multiple else ''}选择一项。"))
        if not question.multiple and len(picked) > 1:
            issues.append(Issue(question.id, f"{label}：只能选择一项。"))
        exclusive = [o for o in picked if question.option(o).exclusive]
        if exclusive and len(picked) > 1:
            text = question.option(exclusive[0]).text
            issues.append(Issue(question.id, f"{label}：选择了「{text}」就不能再选择其他选项。"))
        typed = (answers.get(question.id) or {}).get("fields") or {}
        for f in question.fields:
            raw = str(typed.get(f.key) or "").strip()
            if raw and number(raw, f.kind) is None:
                kind = "非负整数" if f.kind == "integer" else "非负数字"
                issues.append(Issue(question.id, f"{label}：「{f.name}」应填写{kind}。"))
        if question.rate is not None:
            top, bottom = values.get(question.rate.numerator), values.get(question.rate.denominator)
            if top is not None and bottom is not None and top > bottom:
                issues.append(Issue(question.id, (
                    f"{label}：「{field_label(definition, question.rate.numerator)}」（{top}）"
                    f"不能大于「{field_label(definition, question.rate.denominator)}」（{bottom}）。")))
            elif top is not None and bottom == 0 and top > 0:
                issues.append(Issue(question.id, f"{label}：生产设备总数为0时，不能填写大于0的数量。"))
            percent = rate(question, values)
            if percent is not None and len(picked) == 1:
                expected = band_option(question, percent)
                if expected is not None and expected != picked[0]:
                    issues.append(Issue(question.id, (
                        f"{label}：按填写的数量计算为 {percent:.2f}%，"
                        f"应选择「{question.option(expected).text}」。")))
    for scene in definition.scenes:
        value = scenes.get(scene.id)
        if complete and value is None:
            issues.append(Issue(scene.id, f"场景「{scene.title}」：请选择达到的等级。"))
    return issues


# --- points and level ----------------------------------------------------------------------------


def question_points(question: Question, picked: Iterable[str]) -> Decimal:
    options = [question.option(o) for o in picked]
    options = [o for o in options if o is not None]
    if question.multiple:
        if any(o.exclusive for o in options):
            return ZERO
        return min(sum((o.points for o in options), ZERO), question.points)
    return options[0].points if len(options) == 1 else ZERO


def determine_level(total: Decimal, scene_levels: Iterable[tuple[int, bool]],
                    rules: Iterable[LevelRule]) -> int:
    """Top-down (domain.md §4.3): the first level whose score line AND scenario counts are met.

    A scenario counts for every level up to its own; thresholds include their value."""
    levels = list(scene_levels)
    for rule in sorted(rules, key=lambda r: r.level, reverse=True):
        at = [binding for level, binding in levels if level >= rule.level]
        if total >= rule.min_score and len(at) >= rule.min_scenes and sum(at) >= rule.min_binding:
            return rule.level
    return 0


def scene_level(value: Any) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        return 0
    return level if 0 <= level <= 4 else 0


def evaluate(definition: Definition, answers: Mapping[str, Any],
             scenes: Mapping[str, Any]) -> Evaluation:
    points = {q.id: question_points(q, chosen(answers, q)) for q in definition.questions}
    dimensions = [(d.title, sum((points[q.id] for q in d.questions), ZERO), d.points)
                  for d in definition.dimensions]
    total = sum((p for _, p, _ in dimensions), ZERO)
    levels = {s.id: scene_level(scenes.get(s.id)) for s in definition.scenes}
    level = determine_level(total, [(levels[s.id], s.binding) for s in definition.scenes],
                            definition.level_rules)
    evaluation = Evaluation(total, level, dimensions, points, levels)
    evaluation.next_steps = next_steps(definition, evaluation)
    return evaluation


def next_steps(definition: Definition, evaluation: Evaluation, *, limit: int = 5) -> dict[str, Any]:
    """What the next level needs, and the next level's text of the weakest scenarios."""
    target = next((r for r in definition.level_rules if r.level == evaluation.level + 1), None)
    gap: dict[str, Any] = {}
    if target is not None:
        at = [s for s in definition.scenes if evaluation.scene_levels[s.id] >= target.level]
        gap = {
            "level": target.level,
            "score": format(max(target.min_score - evaluation.total, ZERO).normalize(), "f"),
            "scenes": max(target.min_scenes - len(at), 0),
            "binding": max(target.min_binding - sum(1 for s in at if s.binding), 0),
        }
    order = {s.id: i for i, s in enumerate(definition.scenes)}
    weakest = sorted((s for s in definition.scenes if evaluation.scene_levels[s.id] < 4),
                     key=lambda s: (evaluation.scene_levels[s.id], not s.binding, order[s.id]))
    return {
        "gap": gap,
        "scenes": [{"id": s.id, "title": s.title, "binding": s.binding,
                    "level": evaluation.scene_levels[s.id],
                    "next_level": evaluation.scene_levels[s.id] + 1,
                    "text": s.levels[evaluation.scene_levels[s.id]]} for s in weakest[:limit]],
    }


def progress(definition: Definition, answers: Mapping[str, Any], scenes: Mapping[str, Any]) -> int:
    """Percentage of questions and scenarios answered."""
    total = len(definition.questions) + len(definition.scenes)
    done = sum(1 for q in definition.questions if chosen(answers, q))
    done += sum(1 for s in definition.scenes if s.id in scenes)
    return round(done * 100 / total) if total else 0
