"""A questionnaire version as data: the platform's JSON tree, parsed, checked, exported, derived.

The tree is the shape the MIIT platform serves (domain.md §4.2): `storeList` holds nodes with
`titleType` 1 = dimension / sub-dimension, 2 = indicator, 3 = question, 4 = option, each with
`weight` (% of its parent) and `score` (points); `sceneStoreList` holds the 数字化经营 groups,
their scenarios (`sceneType` 1 = 约束性) and each scenario's four level texts (`levelNumber`).
We add a few keys of our own, all optional on import so that the platform's own JSON imports
as it is: `category`, `name`, `description`, `levelRule`, and per question `formField[].key`,
`formField[].type` and `rate`; per option `exclusive` and `band`.
"""

from __future__ import annotations

import copy
import json
import math
import re
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError

POINTS = Decimal("0.0001")  # points are kept to 4 decimals (the official table has 1.875)
HUNDRED = Decimal(100)

# domain.md §4.3 [S]: the 2024 rule as one third-party implementation has it (the official
# paragraph was not found). Used when an imported JSON carries no `levelRule` (the platform's
# own JSON has none); every shipped version carries its rule explicitly.
DEFAULT_LEVEL_RULE: list[dict[str, Any]] = [
    {"level": 4, "minScore": "80", "minScenes": 10, "minBindingScenes": 6},
    {"level": 3, "minScore": "60", "minScenes": 8, "minBindingScenes": 5},
    {"level": 2, "minScore": "40", "minScenes": 6, "minBindingScenes": 3},
    {"level": 1, "minScore": "20", "minScenes": 6, "minBindingScenes": 3},
]

BAND_RE = re.compile(
    r"^\s*([\[(（［])\s*(\d+(?:\.\d+)?)\s*%?\s*[-,，~～]\s*(\d+(?:\.\d+)?)\s*%\s*([\])）］])\s*$"
)


@dataclass(frozen=True)
class Band:
    """A range written on an option, e.g. "(10%,20%]": the brackets say which edge is in."""

    low: Decimal
    high: Decimal
    low_inclusive: bool
    high_inclusive: bool

    def contains(self, value: Decimal) -> bool:
        above = value >= self.low if self.low_inclusive else value > self.low
        below = value <= self.high if self.high_inclusive else value < self.high
        return above and below

    @property
    def label(self) -> str:
        return (f"{'[' if self.low_inclusive else '('}{_plain(self.low)}%,"
                f"{_plain(self.high)}%{']' if self.high_inclusive else ')'}")


@dataclass(frozen=True)
class Option:
    id: str
    prefix: str
    text: str
    weight: Decimal
    points: Decimal
    exclusive: bool  # "无": chosen alone or not at all
    band: Band | None


@dataclass(frozen=True)
class NumberField:
    key: str  # unique in the questionnaire: a rate may use another question's field
    name: str
    kind: str  # "integer" | "decimal"


@dataclass(frozen=True)
class Rate:
    """A percentage computed from two numeric fields; it must fall in the chosen option's band."""

    numerator: str
    denominator: str


@dataclass(frozen=True)
class Question:
    id: str
    number: int  # 1-based, in questionnaire order: messages name questions by it
    title: str
    description: str
    multiple: bool
    points: Decimal
    weight: Decimal
    options: tuple[Option, ...]
    fields: tuple[NumberField, ...]
    rate: Rate | None
    dimension_id: str
    path: tuple[str, ...]  # the titles from the dimension down to the indicator

    @property
    def label(self) -> str:
        return f"第{self.number}题「{self.title}」"

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Dimension:
    id: str
    title: str
    points: Decimal
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Scene:
    id: str
    title: str
    group: str
    binding: bool  # 约束性场景 (platform sceneType 1)
    levels: tuple[str, str, str, str]


@dataclass(frozen=True)
class SceneGroup:
    id: str
    title: str
    scenes: tuple[Scene, ...]


@dataclass(frozen=True)
class LevelRule:
    level: int
    min_score: Decimal
    min_scenes: int
    min_binding: int


@dataclass(frozen=True)
class Definition:
    id: str
    name: str
    version: str
    category: str
    description: str
    dimensions: tuple[Dimension, ...]
    scene_groups: tuple[SceneGroup, ...]
    level_rules: tuple[LevelRule, ...]  # highest level first
    questions: tuple[Question, ...] = field(default=())
    scenes: tuple[Scene, ...] = field(default=())

    @property
    def max_score(self) -> Decimal:
        return sum((d.points for d in self.dimensions), Decimal(0))

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


# --- parsing --------------------------------------------------------------------------------


# An imported JSON document: the shipped versions are ~60 KB and 12 levels deep. The bounds keep
# a hostile or broken file from exhausting memory or the parser's recursion (RecursionError).
MAX_JSON_BYTES = 2 * 1024 * 1024
MAX_JSON_DEPTH = 32


def _depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets nest deeper than `limit` outside strings (one linear pass, no recursion)."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def load_json(text: str) -> Any:
    """A questionnaire document from JSON text, refused with a Chinese reason when it is not
    JSON, too large or nested too deeply."""
    if len(text.encode("utf-8")) > MAX_JSON_BYTES:
        raise ValidationError("评测表 JSON 不能超过 2MB。")
    if _depth_exceeds(text, MAX_JSON_DEPTH):
        raise ValidationError(f"评测表 JSON 嵌套层级过深（最多 {MAX_JSON_DEPTH} 层），请检查文件内容。")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列。") from None


def _dec(value: Any, where: str) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{where}：分值「{value}」不是数字。") from None
    # The platform's JSON has floats such as 0.7000000000000001.
    return number.quantize(POINTS).normalize() if number == number else Decimal(0)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _band(text: str, raw: Any) -> Band | None:
    if isinstance(raw, dict):
        return Band(Decimal(str(raw["min"])), Decimal(str(raw["max"])),
                    bool(raw.get("minInclusive")), bool(raw.get("maxInclusive")))
    match = BAND_RE.match(text or "")
    if not match:
        return None
    left, low, high, right = match.groups()
    return Band(Decimal(low), Decimal(high), left in "[［", right in "]］")


def parse(data: Any) -> Definition:
    """Check a questionnaire JSON and return it as a Definition; ValidationError lists faults."""
    if not isinstance(data, dict) or not isinstance(data.get("storeList"), list):
        raise ValidationError("不是评测表 JSON：缺少 storeList。")
    errors: list[str] = []
    ids: set[str] = set()
    field_keys: set[str] = set()
    questions: list[Question] = []
    dimensions: list[Dimension] = []

    def take_id(node: dict[str, Any], where: str) -> str:
        node_id = str(node.get("id") or "").strip()
        if not node_id:
            node_id = str(uuid.uuid4())
        if node_id in ids:
            errors.append(f"{where}：编号 {node_id} 重复。")
        ids.add(node_id)
        return node_id

    def walk(node: dict[str, Any], dim_id: str, path: tuple[str, ...]) -> Decimal:
        title = str(node.get("questionTitle") or "").strip()
        kind = node.get("titleType")
        children = node.get("children") or []
        if kind == 3:
            questions.append(question(node, dim_id, path))
            return questions[-1].points
        if kind not in (1, 2):
            errors.append(f"「{title}」：titleType 应为 1、2 或 3。")
            return Decimal(0)
        take_id(node, f"「{title}」")
        total = sum((walk(c, dim_id, (*path, title)) for c in children), Decimal(0))
        stated = _dec(node.get("score"), f"「{title}」") if node.get("score") not in (None, "") else total
        if stated != total:
            errors.append(f"「{title}」：分值 {_plain(stated)} 与下级合计 {_plain(total)} 不符。")
        if not children:
            errors.append(f"「{title}」：没有下级题目。")
        return total

    def question(node: dict[str, Any], dim_id: str, path: tuple[str, ...]) -> Question:
        title = str(node.get("questionTitle") or "").strip()
        where = f"题目「{title}」"
        qid = take_id(node, where)
        multiple = node.get("questionType") == 2
        if node.get("questionType") not in (1, 2):
            errors.append(f"{where}：questionType 应为 1（单选）或 2（多选）。")
        points = _dec(node.get("score"), where)
        options = []
        for raw in node.get("children") or []:
            text = str(raw.get("optionContent") or "").strip()
            exclusive = raw.get("exclusive")
            options.append(Option(
                id=take_id(raw, f"{where}的选项「{text}」"),
                prefix=str(raw.get("optionPrefix") or "").strip(),
                text=text,
                weight=_dec(raw.get("weight"), where),
                points=_dec(raw.get("score"), where),
                exclusive=bool(exclusive) if exclusive is not None else (multiple and text == "无"),
                band=_band(text, raw.get("band")),
            ))
        if len(options) < 2:
            errors.append(f"{where}：至少需要两个选项。")
        scored = [o.points for o in options if not o.exclusive]
        best = sum(scored, Decimal(0)) if multiple else max([o.points for o in options] or [0])
        if options and best != points:
            kind = "各选项分值之和" if multiple else "最高选项分值"
            errors.append(f"{where}：{kind} {_plain(best)} 与题目分值 {_plain(points)} 不符。")
        fields = []
        for j, raw in enumerate(node.get("formField") or [], start=1):
            key = str(raw.get("key") or f"{qid}-{j}")
            if key in field_keys:
                errors.append(f"{where}：填报项编号 {key} 重复。")
            field_keys.add(key)
            fields.append(NumberField(key=key, name=str(raw.get("name") or "").strip(),
                                      kind="integer" if raw.get("type") == "integer" else "decimal"))
        rate = None
        if isinstance(node.get("rate"), dict):
            rate = Rate(str(node["rate"]["numerator"]), str(node["rate"]["denominator"]))
        return Question(
            id=qid, number=len(questions) + 1, title=title,
            description=str(node.get("questionDescription") or "").strip(), multiple=multiple,
            points=points, weight=_dec(node.get("weight"), where), options=tuple(options),
            fields=tuple(fields), rate=rate, dimension_id=dim_id, path=path,
        )

    for node in data["storeList"]:
        title = str(node.get("questionTitle") or "").strip()
        dim_id = str(node.get("id") or "")
        start = len(questions)
        points = walk(node, dim_id, ())
        dim_id = dim_id or (questions[start].dimension_id if len(questions) > start else "")
        dimensions.append(Dimension(dim_id, title, points, tuple(questions[start:])))

    for key in (q.rate.numerator for q in questions if q.rate):
        if key not in field_keys:
            errors.append(f"rate 引用的填报项 {key} 不存在。")
    for key in (q.rate.denominator for q in questions if q.rate):
        if key not in field_keys:
            errors.append(f"rate 引用的填报项 {key} 不存在。")

    groups: list[SceneGroup] = []
    scenes: list[Scene] = []
    for raw_group in data.get("sceneStoreList") or []:
        group_title = str(raw_group.get("questionTitle") or "").strip()
        group_id = take_id(raw_group, f"场景分组「{group_title}」")
        members = []
        for raw in raw_group.get("children") or []:
            title = str(raw.get("questionTitle") or "").strip()
            texts = {str(t.get("levelNumber")): str(t.get("questionTitle") or "").strip()
                     for t in raw.get("children") or []}
            if sorted(texts) != ["1", "2", "3", "4"]:
                errors.append(f"场景「{title}」：应有一级至四级四段描述。")
            for t in raw.get("children") or []:
                take_id(t, f"场景「{title}」的等级描述")
            binding = raw.get("sceneType") in (1, "1")
            members.append(Scene(take_id(raw, f"场景「{title}」"), title, group_title, binding,
                                 tuple(texts.get(str(n), "") for n in range(1, 5))))
        scenes.extend(members)
        groups.append(SceneGroup(group_id, group_title, tuple(members)))

    rules = []
    for raw in data.get("levelRule") or DEFAULT_LEVEL_RULE:
        try:
            rules.append(LevelRule(int(raw["level"]), Decimal(str(raw["minScore"])),
                                   int(raw["minScenes"]), int(raw["minBindingScenes"])))
        except (KeyError, ValueError, TypeError, InvalidOperation):
            errors.append(f"等级规则「{raw}」不完整（需要 level、minScore、minScenes、minBindingScenes）。")
    rules.sort(key=lambda r: r.level, reverse=True)
    if [r.level for r in rules] != [4, 3, 2, 1]:
        errors.append("等级规则应为一级至四级各一条。")
    if any(a.min_score < b.min_score for a, b in zip(rules, rules[1:], strict=False)):
        errors.append("等级规则的分数线应随等级升高而不降低。")

    definition = Definition(
        id=str(data.get("questionnaireId") or ""), name=str(data.get("name") or data.get("typeName") or ""),
        version=str(data.get("versionNum") or ""), category=str(data.get("category") or ""),
        description=str(data.get("description") or ""), dimensions=tuple(dimensions),
        scene_groups=tuple(groups), level_rules=tuple(rules), questions=tuple(questions),
        scenes=tuple(scenes),
    )
    if not questions:
        errors.append("评测表没有题目。")
    if definition.max_score != HUNDRED:
        errors.append(f"评测表总分为 {_plain(definition.max_score)}，应为 100 分。")
    if errors:
        raise ValidationError(errors)
    return definition


# --- deriving the 生产性服务业 / 其他行业 versions (domain.md §0.4) ------------------------------

DROPPED_INDICATORS = ("设备数字化", "设备联网")
DROPPED_SCENE_GROUPS = ("生产执行数字化",)
CENT = Fraction(1, 100)


def _allocate(total: Fraction, shares: list[Fraction]) -> list[Decimal]:
    """Split `total` in proportion to `shares`, to 0.01, so that the parts add up exactly.

    Largest remainder: every part is rounded down to a cent, then the cents left go to the
    parts that lost most (earliest first on a tie)."""
    whole = sum(shares, Fraction(0))
    exact = [total * s / whole for s in shares]
    cents = [math.floor(x / CENT) for x in exact]
    left = int(total / CENT) - sum(cents)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] / CENT - cents[i]), i))
    for i in order[:left]:
        cents[i] += 1
    return [Decimal(c) / 100 for c in cents]


def _to_decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _fmt(value: Decimal) -> str:
    return _plain(value.quantize(POINTS))


def derive(source: dict[str, Any], *, category: str, name: str, description: str) -> dict[str, Any]:
    """The 生产性服务业 / 其他行业 version derived from the 制造业 one (domain.md §0.4).

    Drops the factory-only items (设备数字化, 设备联网 and the 生产执行数字化 scenarios), rescales the
    remaining points to 100 (largest remainder to 0.01, so the total is exactly 100) and scales
    the scenario counts of the level rule by the share of scenarios kept, rounding up (never an
    easier level than the 制造业 rule in proportion). Score thresholds stay: they are out of 100.
    """
    data = copy.deepcopy(source)

    def prune(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kept = []
        for node in nodes:
            if node.get("titleType") == 2 and node.get("questionTitle") in DROPPED_INDICATORS:
                continue
            if node.get("titleType") in (1, 2):
                node["children"] = prune(node.get("children") or [])
                if not node["children"]:
                    continue
            kept.append(node)
        return kept

    data["storeList"] = prune(data["storeList"])
    questions: list[dict[str, Any]] = []

    def collect(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            if node.get("titleType") == 3:
                questions.append(node)
            else:
                collect(node.get("children") or [])

    collect(data["storeList"])
    old = [Fraction(str(q["score"])) for q in questions]
    for q, points in zip(questions, _allocate(Fraction(100), old), strict=True):
        q["score"] = _fmt(points)
        options = q.get("children") or []
        if q.get("questionType") == 2:
            scored = [o for o in options if not o.get("exclusive")]
            parts = _allocate(Fraction(str(points)), [Fraction(str(o["weight"])) for o in scored])
            for option, part in zip(scored, parts, strict=True):
                option["score"] = _fmt(part)
        else:
            for option in options:
                exact = Fraction(str(points)) * Fraction(str(option["weight"])) / 100
                option["score"] = _fmt(_to_decimal(exact).quantize(CENT_D, ROUND_HALF_UP))

    def resum(node: dict[str, Any]) -> Decimal:
        if node.get("titleType") == 3:
            return Decimal(node["score"])
        total = sum((resum(c) for c in node["children"]), Decimal(0))
        node["score"] = _fmt(total)
        for child in node["children"]:
            child["weight"] = _fmt((Decimal(child["score"]) * 100 / total).quantize(CENT_D, ROUND_HALF_UP))
        return total

    for node in data["storeList"]:
        node["weight"] = _fmt(resum(node))

    before = sum(len(g.get("children") or []) for g in data.get("sceneStoreList") or [])
    before_binding = sum(1 for g in data.get("sceneStoreList") or []
                         for s in g.get("children") or [] if s.get("sceneType") in (1, "1"))
    data["sceneStoreList"] = [g for g in data.get("sceneStoreList") or []
                              if g.get("questionTitle") not in DROPPED_SCENE_GROUPS]
    after = sum(len(g.get("children") or []) for g in data["sceneStoreList"])
    after_binding = sum(1 for g in data["sceneStoreList"]
                        for s in g.get("children") or [] if s.get("sceneType") in (1, "1"))
    data["levelRule"] = [
        {"level": r["level"], "minScore": r["minScore"],
         "minScenes": math.ceil(Fraction(r["minScenes"]) * after / before),
         "minBindingScenes": math.ceil(Fraction(r["minBindingScenes"]) * after_binding / before_binding)}
        for r in source.get("levelRule") or DEFAULT_LEVEL_RULE
    ]
    data["questionnaireId"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{source.get('questionnaireId')}/{category}"))
    data["category"], data["name"], data["description"] = category, name, description
    return data


CENT_D = Decimal("0.01")


# --- export ------------------------------------------------------------------------------------


def level_rule_json(definition: Definition) -> list[dict[str, Any]]:
    return [{"level": r.level, "minScore": _plain(r.min_score), "minScenes": r.min_scenes,
             "minBindingScenes": r.min_binding} for r in definition.level_rules]
