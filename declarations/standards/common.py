"""Building blocks shared by every standard version: input reading, indicator and
condition builders, the verdict rule.  No formula lives here (see ``rules``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from declarations.standards import rules
from declarations.standards.inputs import (
    FIGURE_LABELS,
    YEAR_LABELS,
    Award,
    AwardLevel,
    BasicEligibility,
    Financials,
    IpCounts,
)
from declarations.standards.results import (
    ConditionResult,
    IndicatorResult,
    InputValue,
    Missing,
    Outcome,
    Verdict,
)

if TYPE_CHECKING:
    from declarations.standards.figures import Figure

AWARD_LEVEL_LABELS = {AwardLevel.NATIONAL: "国家级", AwardLevel.PROVINCIAL: "省级"}


class Reader:
    """Reads the inputs of one rule, remembering each value and which ones are missing."""

    __slots__ = ("inputs", "missing")

    def __init__(self) -> None:
        self.inputs: list[InputValue] = []
        self.missing: list[Missing] = []

    def take(self, field: str, label: str, value: Any, *, required: bool = True) -> Any:
        """Record an input; a ``None`` value is reported missing when ``required``."""
        self.inputs.append(InputValue(field, label, value))
        if value is None and required:
            self.missing.append(Missing(field, label))
        return value

    def figure(self, fin: Financials, year: str, name: str) -> Decimal | None:
        """A money figure (万元, as declared) of one year, e.g. ``("last_year", "rd_expense")``."""
        raw = getattr(getattr(fin, year), name)
        value = rules.money(raw)
        return self.take(
            f"financials.{year}.{name}", f"{YEAR_LABELS[year]}{FIGURE_LABELS[name]}", value
        )

    def count(self, fin: Financials, year: str, name: str) -> int | None:
        """A head count (职工总数, 研发人员) of one year."""
        raw = getattr(getattr(fin, year), name)
        return self.take(
            f"financials.{year}.{name}", f"{YEAR_LABELS[year]}{FIGURE_LABELS[name]}", raw
        )

    def ip(self, ip: IpCounts, name: str, label: str) -> int | None:
        return self.take(f"ip.{name}", label, getattr(ip, name))

    def forgive(self, absent: Iterable[Missing]) -> None:
        """Stop reporting inputs the outcome no longer depends on (a sum already proven)."""
        gone = set(absent)
        self.missing[:] = [m for m in self.missing if m not in gone]


def indicator(
    key: str, name: str, group: str, reader: Reader, *, value: Decimal | int | str | None,
    band: str, points: int, max_points: int, reason: str,
    parts: tuple[IndicatorResult, ...] = (),
) -> IndicatorResult:
    """Assemble an ``IndicatorResult`` from a reader's inputs and missing list."""
    return IndicatorResult(
        key=key, name=name, group=group, inputs=tuple(reader.inputs), value=value, band=band,
        points=points, max_points=max_points, reason=reason, missing=tuple(reader.missing),
        parts=parts,
    )


def missing_reason(reader: Reader, what: str = "", *, then: str = "本项记0分") -> str:
    """"缺少上年度营业收入，无法计算，本项记0分" — the reason given for missing inputs."""
    names = "、".join(m.label for m in reader.missing) or what
    return f"缺少{names}，无法计算，{then}"


def band_indicator(
    key: str, name: str, group: str, reader: Reader, figure: Figure, table: rules.BandTable,
) -> IndicatorResult:
    """An indicator scored by a band table from a computed ``figure``.

    The exact value picks the band; the value shown (``value`` and the reason) is
    ``rules.display`` against the table's edges.  No value → 0 points with the reason.
    """
    if figure.value is None:
        reason = missing_reason(reader) if reader.missing \
            else f"{figure.work()}，无法计算，本项记0分"
        return indicator(key, name, group, reader, value=None, band="无法计算", points=0,
                         max_points=table.max_points, reason=reason)
    band = rules.pick_band(figure.value, table)
    edges = table.edges
    return indicator(
        key, name, group, reader, value=figure.shown(edges), band=band.label,
        points=band.points, max_points=table.max_points,
        reason=f"{figure.work(edges)}，落在「{band.label}」档，得{band.points}分",
    )


def ip_indicator(
    key: str, name: str, group: str, ip: IpCounts,
    tiers: Sequence[tuple[str, str, int]],
) -> IndicatorResult:
    """IP indicator (§3.1 #1, §3.2 #10): the best tier the known counts prove.

    ``tiers`` is ``[(IpCounts field, label, points), …]``, best first; the first known count
    ≥ 1 wins.  An unknown count above it cannot lower the score, only raise it: it is
    listed as missing and the proven tier is scored.
    """
    reader = Reader()
    max_points = max(points for _, _, points in tiers)
    for field_name, label, points in tiers:
        count = reader.ip(ip, field_name, label)
        if count is not None and count >= 1:
            reason = f"{label} {count} 项（≥1项），落在「{label}1项以上」档，得{points}分"
            if reader.missing:
                unknown = "、".join(m.label for m in reader.missing)
                reason += f"（缺少{unknown}，更高档次待补充后判断，按已证明的档次计分）"
            return indicator(
                key, name, group, reader, value=label, band=f"{label}1项以上", points=points,
                max_points=max_points, reason=reason,
            )
    if reader.missing:
        return indicator(key, name, group, reader, value=None, band="无法判断", points=0,
                         max_points=max_points,
                         reason=missing_reason(reader, then="已知数量均未达到任何档次，本项记0分"))
    return indicator(key, name, group, reader, value="无", band="无", points=0,
                     max_points=max_points, reason="无符合条件的知识产权，得0分")


def choice_indicator(
    key: str, name: str, group: str, field: str, label: str, choice: Any,
    points_by_choice: Mapping[Any, tuple[str, int]],
) -> IndicatorResult:
    """An indicator scored by a declared option (``points_by_choice``: option → (label, points))."""
    reader = Reader()
    reader.take(field, label, choice)
    max_points = max(points for _, points in points_by_choice.values())
    if choice is None or choice not in points_by_choice:
        if choice is not None:
            reader.missing.append(Missing(field, label))
        return indicator(key, name, group, reader, value=None, band="未填报", points=0,
                         max_points=max_points, reason=missing_reason(reader, label))
    option, points = points_by_choice[choice]
    return indicator(key, name, group, reader, value=option, band=option, points=points,
                     max_points=max_points, reason=f"{label}：{option}，得{points}分")


# --- conditions ------------------------------------------------------------------------


def condition(
    key: str, name: str, outcome: Outcome, reason: str, *, group: str = "",
    reader: Reader | None = None, parts: tuple[ConditionResult, ...] = (),
) -> ConditionResult:
    return ConditionResult(
        key=key, name=name, outcome=outcome, reason=reason, group=group,
        inputs=tuple(reader.inputs) if reader else (),
        missing=tuple(reader.missing) if reader else (), parts=parts,
    )


def judgement(
    key: str, name: str, field: str, value: bool | None, *, group: str = "",
) -> ConditionResult:
    """An official's judgement: True pass, False fail, None 需人工判断."""
    reader = Reader()
    reader.take(field, name, value, required=False)
    if value is None:
        return condition(key, name, Outcome.REVIEW, f"{name}：尚待审核人员判断", group=group,
                         reader=reader)
    if value:
        return condition(key, name, Outcome.PASS, f"{name}：经判断符合", group=group,
                         reader=reader)
    return condition(key, name, Outcome.FAIL, f"{name}：经判断不符合", group=group,
                     reader=reader)


def fact(
    key: str, name: str, field: str, value: bool | None, *, group: str = "",
) -> ConditionResult:
    """A fact the enterprise declares: True pass, False fail, None missing (fail)."""
    reader = Reader()
    reader.take(field, name, value)
    if value is None:
        return condition(key, name, Outcome.FAIL, f"{name}：未填报，视为不满足", group=group,
                         reader=reader)
    outcome = Outcome.PASS if value else Outcome.FAIL
    text = "是" if value else "否"
    return condition(key, name, outcome, f"{name}：{text}", group=group, reader=reader)


def threshold(
    key: str, name: str, reader: Reader, figure: Figure, edge: Decimal, *,
    at_least: bool = True, group: str = "",
) -> ConditionResult:
    """A "X以上"/"X以下" condition (edge included, §0.2) on a computed ``figure``.

    The exact value is judged; the shown value never crosses ``edge`` (``rules.display``).
    A sum over a window with a missing year (``figure.partial``) passes when the known
    years already reach ``edge``; otherwise it fails and the missing years are reported.
    """
    sign = "≥" if at_least else "≤"
    need = f"{sign}{rules.fmt_num(edge)}{figure.unit}"
    work = figure.work((edge,))
    if figure.value is None:
        reason = missing_reason(reader, then="视为不满足") if reader.missing \
            else f"{work}，无法计算，视为不满足"
        return condition(key, name, Outcome.FAIL, reason, group=group, reader=reader)
    ok = rules.at_least(figure.value, edge) if at_least else rules.at_most(figure.value, edge)
    if figure.partial:
        if ok and at_least:
            reader.forgive(figure.absent)
            return condition(key, name, Outcome.PASS,
                             f"{work}，已知年份已达到，满足{need}", group=group, reader=reader)
        return condition(key, name, Outcome.FAIL,
                         f"{work}，已知年份未达到，无法判断是否满足{need}，视为不满足",
                         group=group, reader=reader)
    verb = "满足" if ok else "不满足"
    return condition(key, name, Outcome.PASS if ok else Outcome.FAIL,
                     f"{work}，{verb}{need}", group=group, reader=reader)


def all_of(
    key: str, name: str, parts: Sequence[ConditionResult], *, group: str = "",
) -> ConditionResult:
    """A composite condition that needs every part (outcome: FAIL > REVIEW > PASS)."""
    outcome = combine(p.outcome for p in parts)
    if outcome is Outcome.PASS:
        reason = f"{name}：各项均满足"
    else:
        # name the parts that decide the outcome, with their own reasons
        reason = f"{name}：" + "；".join(p.reason for p in parts if p.outcome is outcome)
    return condition(key, name, outcome, reason, group=group, parts=tuple(parts))


def combine(outcomes: Iterable[Outcome]) -> Outcome:
    """Any fail → fail; otherwise any review → review; otherwise pass."""
    seen = set(outcomes)
    if Outcome.FAIL in seen:
        return Outcome.FAIL
    if Outcome.REVIEW in seen:
        return Outcome.REVIEW
    return Outcome.PASS


def eligibility_conditions(elig: BasicEligibility) -> list[ConditionResult]:
    """The four 参评基本条件 of §2.2 (officials' judgements)."""
    group = "参评基本条件"
    return [
        judgement("basic.registered_sme", "境内注册、独立法人且符合中小企业划型标准",
                  "eligibility.registered_sme", elig.registered_sme, group=group),
        judgement("basic.credit", "未列入经营异常名录或严重失信主体名单",
                  "eligibility.not_on_credit_blacklist", elig.not_on_credit_blacklist,
                  group=group),
        judgement("basic.products", "产品（服务）不属于国家禁止、限制或淘汰类",
                  "eligibility.products_permitted", elig.products_permitted, group=group),
        judgement("basic.incidents", "近三年未发生重大安全、质量、环境污染事故及违法违规行为",
                  "eligibility.no_major_incident", elig.no_major_incident, group=group),
    ]


def award_condition(
    key: str, name: str, awards: Sequence[Award], limits: Mapping[AwardLevel, int | None],
) -> ConditionResult:
    """Passes if an award of a level in ``limits`` has a rank within that level's limit.

    A limit of ``None`` means any rank (创新型: 获得过国家级、省级科技奖励).
    """
    reader = Reader()
    reader.take("awards", "近三年科技奖励", tuple(awards), required=False)
    for award in awards:
        if award.level not in limits:
            continue
        limit = limits[award.level]
        level = AWARD_LEVEL_LABELS[award.level]
        if limit is None:
            return condition(key, name, Outcome.PASS, f"获得{level}科技奖励", reader=reader)
        if award.rank is not None and award.rank <= limit:
            return condition(key, name, Outcome.PASS,
                             f"获得{level}科技奖励，排名第{award.rank}（前{limit}）",
                             reader=reader)
    wanted = "或".join(
        f"{AWARD_LEVEL_LABELS[lvl]}" + ("" if lim is None else f"排名前{lim}")
        for lvl, lim in limits.items()
    )
    return condition(key, name, Outcome.FAIL, f"未申报符合要求的科技奖励（需{wanted}）",
                     reader=reader)


def rank_condition(key: str, name: str, rank: int | None, limit: int) -> ConditionResult:
    """"创客中国"全国N强: passes when the best national rank is within ``limit``."""
    reader = Reader()
    reader.take("maker_china_rank", "创客中国全国企业组名次", rank, required=False)
    if rank is not None and 1 <= rank <= limit:
        return condition(key, name, Outcome.PASS, f"全国名次第{rank}，进入全国{limit}强",
                         reader=reader)
    text = "未入围全国名单" if rank is None else f"全国名次第{rank}，未进入全国{limit}强"
    return condition(key, name, Outcome.FAIL, text, reader=reader)


def verdict_from(
    mandatory: Sequence[ConditionResult], *, meets: tuple[str, ...] = ("全部认定条件均满足",),
) -> tuple[Verdict, tuple[str, ...]]:
    """The verdict rule shared by every tier: every mandatory condition must pass;
    any failure → 不符合, otherwise any pending judgement → 需人工判断.

    Returns the verdict and its reasons (the failing or pending conditions' reasons, or
    ``meets`` when everything passes)."""
    outcome = combine(c.outcome for c in mandatory)
    if outcome is Outcome.FAIL:
        reasons = tuple(c.reason for c in mandatory if c.outcome is Outcome.FAIL)
        return Verdict.FAILS, reasons
    if outcome is Outcome.REVIEW:
        reasons = tuple(c.reason for c in mandatory if c.outcome is Outcome.REVIEW)
        return Verdict.REVIEW, reasons
    return Verdict.MEETS, meets


def collect_missing(
    indicators: Iterable[IndicatorResult], conditions: Iterable[ConditionResult],
) -> tuple[Missing, ...]:
    """Every missing input once, in first-seen order."""
    seen: dict[str, Missing] = {}

    def walk_ind(item: IndicatorResult) -> None:
        for m in item.missing:
            seen.setdefault(m.field, m)
        for part in item.parts:
            walk_ind(part)

    def walk_cond(item: ConditionResult) -> None:
        for m in item.missing:
            seen.setdefault(m.field, m)
        for part in item.parts:
            walk_cond(part)

    for ind in indicators:
        walk_ind(ind)
    for cond in conditions:
        walk_cond(cond)
    return tuple(seen.values())
