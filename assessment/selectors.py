"""Reads: which questionnaire an enterprise gets and why, its attempts, its latest level.

`latest_result` and `snapshot` are the interface the declarations app uses (domain.md §0.5).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from enterprises.models import Enterprise, Industry

from .models import Attempt, Category, Level, ProducerServiceIndustry, Questionnaire


@dataclass(frozen=True)
class Match:
    category: Category
    reason: str


def category_for_industry(industry: Industry | None) -> Match | None:
    """The questionnaire category of a GB/T 4754-2017 industry (domain.md §5.3).

    门类 C → 制造业; a code in the 生产性服务业 crosswalk (or under one of its codes) → 生产性服务业;
    anything else → 其他行业. None when the enterprise has not chosen its 所属行业.
    """
    if industry is None:
        return None
    name = f"{industry.code} {industry.name}"
    if industry.section == "C":
        return Match(Category.MANUFACTURING, f"所属行业「{name}」属于国民经济行业分类门类C（制造业）")
    prefixes = [industry.code[:n] for n in range(2, len(industry.code) + 1)] if industry.code.isdigit() else []
    row = (ProducerServiceIndustry.objects.filter(industry_code__in=prefixes)
           .order_by("-industry_code").first() if prefixes else None)
    if row is not None:
        note = "" if row.confirmed else "（对照关系尚待与国家统计局分类表核对）"
        return Match(Category.PRODUCER_SERVICES,
                     f"所属行业「{name}」属于《生产性服务业统计分类（2019）》{row.ps_class}{note}")
    return Match(Category.OTHER, f"所属行业「{name}」不属于制造业或生产性服务业")


def active_questionnaire(category: str, *, heading_only: bool = False) -> Questionnaire | None:
    """The version enterprises of `category` answer. `heading_only`: without its content (a
    50–60 KB document a page that only names the version need not read and parse)."""
    found = Questionnaire.objects.filter(category=category, is_active=True)
    return (found.defer("content") if heading_only else found).first()


# What a page listing attempts shows (level, score, dates, the version's name) never needs
# the answers, the result or the questionnaire's content: left unread (loaded if touched).
LISTED_ONLY = ("answers", "scenes", "result", "questionnaire__content")


def draft_for(enterprise: Enterprise) -> Attempt | None:
    return (Attempt.objects.filter(enterprise=enterprise, status=Attempt.Status.DRAFT)
            .select_related("questionnaire").first())


def history(enterprise: Enterprise) -> QuerySet[Attempt]:
    return (Attempt.objects.submitted().filter(enterprise=enterprise)
            .select_related("questionnaire").defer(*LISTED_ONLY).order_by("-submitted_at"))


def latest_listed(enterprise: Enterprise) -> Attempt | None:
    """`latest_attempt` as a page shows it (`LISTED_ONLY` left unread)."""
    return (Attempt.objects.submitted().filter(enterprise=enterprise)
            .select_related("questionnaire").defer(*LISTED_ONLY)
            .order_by("-submitted_at", "-pk").first())


def home_card(enterprise: Enterprise) -> tuple[Attempt | None, bool]:
    """(the latest submitted attempt, whether a draft is in progress) for the enterprise
    home's card, in one query: a draft sorts before any submitted attempt ("draft" <
    "submitted") and there is at most one (services.attempt_start continues it)."""
    rows = list(Attempt.objects.filter(enterprise=enterprise)
                .only("public_id", "status", "level", "total_score", "submitted_at")
                .order_by("status", "-submitted_at", "-pk")[:2])
    has_draft = bool(rows) and rows[0].status == Attempt.Status.DRAFT
    submitted = [a for a in rows if a.status == Attempt.Status.SUBMITTED]
    return (submitted[0] if submitted else None), has_draft


def draft_listed(enterprise: Enterprise) -> Attempt | None:
    """`draft_for` as a page shows it (`LISTED_ONLY` left unread)."""
    return (Attempt.objects.filter(enterprise=enterprise, status=Attempt.Status.DRAFT)
            .select_related("questionnaire").defer(*LISTED_ONLY).first())


def latest_attempt(enterprise: Enterprise) -> Attempt | None:
    """The enterprise's latest **submitted** attempt: the one that counts (manual FAQ 6)."""
    return (Attempt.objects.submitted().filter(enterprise=enterprise)
            .select_related("questionnaire").order_by("-submitted_at", "-pk").first())


def latest_result(enterprise: Enterprise) -> tuple[Level, Attempt] | None:
    """(level, attempt) of the latest submitted attempt, or None if it never submitted one.

    For declarations: 专精特新 needs a submitted assessment and scores its level (§0.5).
    """
    attempt = latest_attempt(enterprise)
    return (Level(attempt.level), attempt) if attempt is not None else None


def snapshot(attempt: Attempt) -> dict[str, Any]:
    """A JSON-safe frozen copy of a submitted attempt's result, to store in a declaration.

    A later retake changes `latest_result`, never a copy already taken.
    """
    if attempt.status != Attempt.Status.SUBMITTED:
        raise ValueError("only a submitted attempt has a result to freeze")
    return {
        "attempt": str(attempt.public_id),
        "questionnaire": attempt.questionnaire.name,
        "questionnaire_version": attempt.questionnaire.version,
        "category": attempt.category,
        "category_label": Category(attempt.category).label,
        "industry": f"{attempt.industry_code} {attempt.industry_name}".strip(),
        "submitted_at": attempt.submitted_at.isoformat(),
        "total_score": str(attempt.total_score),
        "level": attempt.level,
        "level_label": Level(attempt.level).label,
        "dimensions": attempt.result.get("dimensions", []),
        "scenes": attempt.result.get("scenes", {}),
    }


def get_attempt_for_user(user: Any, public_id: Any) -> Attempt:
    """The user's own enterprise's attempt, or 404 (never another enterprise's)."""
    try:
        return Attempt.objects.select_related("questionnaire", "enterprise").get(
            public_id=public_id, enterprise__account=user)
    except (Attempt.DoesNotExist, ValueError, TypeError):
        raise Http404("评测记录不存在。") from None


def level_counts(queryset: QuerySet[Attempt]) -> list[tuple[str, int]]:
    """Submitted attempts per level (未达一级 … 四级), in one query."""
    counts = dict(queryset.order_by().values_list("level").annotate(n=Count("pk")))
    return [(label, counts.get(value, 0)) for value, label in reversed(Level.choices)]
