"""Reads on declarations: open windows, who may start a declaration and why not, access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, QuerySet, Sum, prefetch_related_objects
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from assessment.models import Attempt
from common.tiers import Tier
from enterprises import selectors as enterprise_selectors
from enterprises.models import Enterprise, InfoUpdate, MajorChange, Recognition
from portal.regions.models import DeclarationRegion

from . import building
from .models import Declaration, DeclarationEvidence, DeclarationWindow


def open_windows(*, tier: str, at: datetime | None = None) -> list[DeclarationWindow]:
    """The windows of `tier` open at `at` (default now), one per region, in region order.

    Windows never overlap for a region and tier (services.window_save), so each region
    appears once.
    """
    when = at or timezone.now()
    return list(
        DeclarationWindow.objects.open_at(when)
        .filter(tier=tier)
        .select_related("declaration_region")
        .order_by("declaration_region__ordering", "declaration_region__code")
    )


def window_for(enterprise: Enterprise, tier: str, at: datetime | None = None) -> DeclarationWindow | None:
    """The window of `tier` open now in the enterprise's own declaration region."""
    if enterprise.region_id is None or enterprise.region.declaration_region_id is None:
        return None
    return (DeclarationWindow.objects.open_at(at or timezone.now())
            .filter(tier=tier, declaration_region_id=enterprise.region.declaration_region_id)
            .select_related("declaration_region").first())


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a declaration cannot start, and where to fix it (a URL and its link text)."""

    reason: str
    fix_url: str = ""
    fix_text: str = ""


class EnterpriseFacts:
    """What the refusals read about one enterprise at one moment, each read at most once.

    A page that weighs three tiers (企业申报信息) or several titles (认证到期管理) passes one
    instance to every check, so it asks the database once per fact, not once per tier or
    title. A single check builds its own. Never kept beyond the request that made it.
    """

    def __init__(self, enterprise: Enterprise, now: datetime) -> None:
        self.enterprise = enterprise
        self.now = now
        self.today = timezone.localdate(now)

    @cached_property
    def missing(self) -> list[str]:
        return enterprise_selectors.missing_fields(self.enterprise, self.today)

    @cached_property
    def has_assessment(self) -> bool:
        return Attempt.objects.submitted().filter(enterprise=self.enterprise).exists()

    @cached_property
    def recognitions(self) -> list[Recognition]:
        # Every title the enterprise ever held: a handful per firm.
        return list(Recognition.objects.filter(enterprise=self.enterprise))

    @cached_property
    def held(self) -> set[str]:
        """Tiers held today (`Recognition.objects.valid_on`, read from the titles above)."""
        return {r.tier for r in self.recognitions if r.revoked_at is None
                and r.valid_from <= self.today <= r.valid_until}

    @cached_property
    def windows(self) -> dict[str, DeclarationWindow]:
        """The windows open now in the enterprise's own declaration region, by tier."""
        enterprise = self.enterprise
        if enterprise.region_id is None or enterprise.region.declaration_region_id is None:
            return {}
        return {w.tier: w for w in DeclarationWindow.objects.open_at(self.now)
                .filter(declaration_region_id=enterprise.region.declaration_region_id)
                .select_related("declaration_region")}

    @cached_property
    def own_region(self) -> DeclarationRegion | None:
        """The enterprise's declaration region: read with the open windows when there are
        any (they are its region's), else looked up."""
        enterprise = self.enterprise
        if enterprise.region_id is None or enterprise.region.declaration_region_id is None:
            return None
        for window in self.windows.values():
            return window.declaration_region
        return enterprise.region.declaration_region

    @cached_property
    def filed(self) -> set[tuple[str, int]]:
        """(tier, window) of the declarations already filed (not editable) in the open windows."""
        ids = [w.pk for w in self.windows.values()]
        if not ids:
            return set()
        return set(Declaration.objects.filter(enterprise=self.enterprise, window_id__in=ids)
                   .exclude(status__in=Declaration.EDITABLE_STATES)
                   .values_list("tier", "window_id"))

    @cached_property
    def updated_years(self) -> set[int]:
        """The years of the enterprise's submitted information updates."""
        return set(InfoUpdate.objects.filter(enterprise=self.enterprise,
                                             status=InfoUpdate.Status.SUBMITTED)
                   .values_list("year", flat=True))

    @cached_property
    def update_done(self) -> bool:
        return self.today.year in self.updated_years

    @cached_property
    def late_changes(self) -> list[MajorChange]:
        return list(enterprise_selectors.late_major_changes(self.enterprise.pk))


def _common_refusals(facts: EnterpriseFacts, tier: str) -> list[Refusal]:
    """What stops any declaration, a 申报 or a 复核: an incomplete profile, no digital
    assessment for 专精特新, a cancellation for misconduct in the last 3 years (domain.md §0.8)."""
    refusals: list[Refusal] = []
    if facts.missing:
        refusals.append(Refusal(f"企业基本信息不完整，请先补充：{'、'.join(facts.missing)}。",
                                reverse("enterprises:profile"), "去完善企业信息"))
    if tier == Tier.SPECIALIZED and not facts.has_assessment:
        refusals.append(Refusal("申报专精特新中小企业须先完成数字化水平评测。",
                                reverse("assessment:index"), "去自评"))
    refusals.extend(_misconduct_refusal(facts))
    return refusals


def _misconduct_refusal(facts: EnterpriseFacts) -> list[Refusal]:
    """domain.md §2.7 item 3 / §0.8: a title cancelled for misconduct bars new declarations
    until the cancellation's date 3 years on (`Recognition.may_declare_again_on`); that day
    the enterprise may declare again."""
    barring = [r for r in facts.recognitions
               if r.state == Recognition.State.REVOKED and r.revoked_for_misconduct
               and r.revoked_at is not None and facts.today < r.may_declare_again_on]
    if not barring:
        return []
    last = max(barring, key=lambda r: r.may_declare_again_on)
    return [Refusal(f"企业于{timezone.localdate(last.revoked_at):%Y年%-m月%-d日}因“"
                    f"{last.get_revoke_ground_display()}”被取消认定"
                    f"{f'（{last.revoke_document_no}）' if last.revoke_document_no else ''}，"
                    f"{last.may_declare_again_on:%Y年%-m月%-d日}前不得申报。")]


def start_refusals(*, enterprise: Enterprise, tier: str, at: datetime | None = None,
                   region_code: str = "", facts: EnterpriseFacts | None = None) -> list[Refusal]:
    """Every reason `enterprise` may not start a `tier` declaration now (empty: it may).

    `region_code`: the declaration region chosen in the home page's dialog, refused when it
    is not the enterprise's own (an enterprise in 深圳 declares to 深圳, not 广东; FAQ 4).
    `facts`: shared by a page that checks several tiers (each fact read once).
    Rules: domain.md §0.8 and manual FAQ 4–6.
    """
    facts = facts or EnterpriseFacts(enterprise, at or timezone.now())
    refusals = _common_refusals(facts, tier)
    own_region = facts.own_region
    if region_code and own_region is not None and region_code != own_region.code:
        refusals.append(Refusal(
            f"您的企业注册地属于{own_region.name}，只能向{own_region.name}申报，"
            "不能选择其他地区（计划单列市的企业向本市申报）。"))
    window = facts.windows.get(tier)
    if window is None:
        where = own_region.name if own_region else "您所在地区"
        refusals.append(Refusal(f"{where}当前未开放{Tier(tier).label}申报，请关注申报通知。",
                                reverse("announcements:list"), "查看通知公告"))
    elif (tier, window.pk) in facts.filed:
        refusals.append(Refusal(f"本批次（{window.note or window.declaration_region.name}）"
                                f"已有{Tier(tier).label}申报，同一批次只能申报一次。"))
    if tier == Tier.GIANT and Tier.SPECIALIZED not in facts.held:
        refusals.append(Refusal("申报专精特新“小巨人”企业须为有效期内的专精特新中小企业。"))
    refusals.extend(_update_refusal(facts, tier))
    return refusals


# --- 认证到期管理 (复核) -------------------------------------------------------------------------


def rereview_refusals(*, recognition: Recognition, at: datetime | None = None,
                      facts: EnterpriseFacts | None = None) -> list[Refusal]:
    """Every reason the title may not apply for 复核 now (empty: 【去复核】): its own conditions
    (enterprises.selectors.rereview_problems: period, updates, late changes, cancellation)
    and what stops any declaration. `facts`: shared by a page that lists several titles."""
    facts = facts or EnterpriseFacts(recognition.enterprise, at or timezone.now())
    enterprise = recognition.enterprise
    refusals = [Refusal(p) for p in enterprise_selectors.rereview_problems(
        recognition, facts.today, updated_years=facts.updated_years,
        late_changes=facts.late_changes)]
    if enterprise.region_id is None or enterprise.region.declaration_region_id is None:
        refusals.append(Refusal("企业注册地未填写，请先完善企业信息。",
                                reverse("enterprises:profile"), "去完善企业信息"))
    return refusals + _common_refusals(facts, recognition.tier)


@dataclass(frozen=True, slots=True)
class RereviewTitle:
    """One title on 认证到期管理: its 复核 period, the 复核 of its current validity (if any)
    and why 【去复核】 is not offered."""

    recognition: Recognition
    status: str
    period: enterprise_selectors.RereviewPeriod
    current: Declaration | None
    refusals: list[Refusal]

    @property
    def can_apply(self) -> bool:
        return self.current is None and not self.refusals


def rereview_titles(enterprise: Enterprise, at: datetime | None = None, *,
                    rereviews: list[Declaration] | None = None) -> list[RereviewTitle]:
    """The enterprise's titles, those in force first, each with what 认证到期管理 shows.

    `rereviews`: the enterprise's 复核 declarations when the caller already read them."""
    now = at or timezone.now()
    facts = EnterpriseFacts(enterprise, now)
    titles = list(Recognition.objects.filter(enterprise=enterprise)
                  .annotate(term_count=Count("terms"), latest_term_from=Max("terms__valid_from"))
                  .order_by("-valid_until", "-id"))
    # The page lists the terms of a renewed title only (one query for all of them).
    prefetch_related_objects([t for t in titles if t.term_count > 1], "terms")
    for title in titles:
        title.enterprise = enterprise  # one instance: its region and figures are read once
    facts.__dict__["recognitions"] = titles  # the facts' own read of the titles, done here
    if rereviews is None:
        rereviews = list(Declaration.objects.filter(enterprise=enterprise,
                                                    kind=Declaration.Kind.REREVIEW))
    current = {(d.rereview_of_id, d.renews_until): d for d in rereviews}
    rows = []
    for title in titles:
        status = title.status_on(facts.today)
        mine = current.get((title.pk, title.valid_until))
        refusals = [] if mine is not None else rereview_refusals(recognition=title, facts=facts)
        rows.append(RereviewTitle(title, status, enterprise_selectors.rereview_period(title),
                                  mine, refusals))
    return sorted(rows, key=lambda row: row.status != "有效")


def rereviews_of(enterprise: Enterprise) -> QuerySet[Declaration]:
    """The enterprise's 复核 history, newest first."""
    return (Declaration.objects.filter(enterprise=enterprise, kind=Declaration.Kind.REREVIEW)
            .select_related("rereview_of").order_by("-created_at", "-id"))


def _update_refusal(facts: EnterpriseFacts, tier: str) -> list[Refusal]:
    """A recognised enterprise must have done this year's 信息更新 once the window opened
    before it declares another tier (domain.md §2.5, as provinces practise it)."""
    held, today = facts.held, facts.today
    if not held or tier in held:
        return []
    window = enterprise_selectors.update_window(enterprise=facts.enterprise, year=today.year)
    if today < window.starts_on:
        return []
    if facts.update_done:
        return []
    return [Refusal(f"已认定企业申报其他层级前，须先完成{today.year}年信息更新。",
                    reverse("enterprises:update"), "去信息更新")]


def declarations_of(enterprise: Enterprise) -> QuerySet[Declaration]:
    """The enterprise's declarations, newest first (企业申报信息's history)."""
    return (Declaration.objects.filter(enterprise=enterprise)
            .select_related("window", "declaration_region").order_by("-created_at", "-id"))


def get_declaration_for_user(user: Any, public_id: Any, *, write: bool = False) -> Declaration:
    """The user's own enterprise's declaration, or 404 (never another enterprise's).

    `write`: it must also be editable now (a draft, or returned to the enterprise).
    """
    try:
        declaration = (Declaration.objects
                       .select_related("enterprise", "window", "declaration_region", "region",
                                       "rereview_of")
                       .get(public_id=public_id, enterprise__account=user))
    except (Declaration.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404("申报记录不存在。") from None
    if write and not declaration.editable:
        raise Http404("已提交的申报不能修改。")
    return declaration


def ongoing_drafts(enterprise: Enterprise, at: datetime | None = None, *,
                   declarations: list[Declaration] | None = None) -> dict[str, Declaration]:
    """The enterprise's editable declaration (draft or returned) per tier in a window open
    now: 【继续填写】 on 企业申报信息 (one query, none when `declarations` — all of the
    enterprise's, with their windows — were already read)."""
    when = at or timezone.now()
    if declarations is not None:
        return {d.tier: d for d in sorted(declarations, key=lambda d: d.created_at)
                if d.status in Declaration.EDITABLE_STATES and d.kind == Declaration.Kind.NEW
                and d.window_id is not None
                and d.window.starts_at <= when <= d.window.ends_at}
    found = (Declaration.objects
             .filter(enterprise=enterprise, status__in=Declaration.EDITABLE_STATES,
                     kind=Declaration.Kind.NEW,
                     window__starts_at__lte=when, window__ends_at__gte=when)
             .order_by("created_at"))
    return {d.tier: d for d in found}


# --- 佐证材料 ---------------------------------------------------------------------------------------

WHOLE_DECLARATION = ("", "整体佐证材料（不对应具体指标）")


def evidence_indicators(declaration: Declaration) -> list[tuple[str, list[tuple[str, str]]]]:
    """What evidence may be attached to: the whole declaration, each scored indicator of its
    standard, then the mandatory and direct conditions, as (group label, [(key, label)]).

    A filed declaration reads its frozen result (what was filed); a draft asks the engine,
    so the keys are those of the declaration's own standard version and tier.
    """
    frozen = declaration.result
    if frozen:
        indicators = [(i["key"], i["name"]) for i in frozen.get("indicators", [])]
        mandatory = [(c["key"], c["name"]) for c in frozen.get("mandatory", [])]
        direct = [(c["key"], c["name"]) for c in frozen.get("direct", [])]
    else:
        try:
            result = building.evaluate(declaration)
        except ValidationError:  # impossible inputs (the preview names them): whole only
            result = None
        indicators = [(i.key, i.name) for i in result.indicators] if result else []
        mandatory = [(c.key, c.name) for c in result.mandatory] if result else []
        direct = [(c.key, c.name) for c in result.direct] if result else []
    groups = [("整体", [WHOLE_DECLARATION])]
    if indicators:
        groups.append(("评价指标", [(key, f"指标{key}：{name}") for key, name in indicators]))
    if mandatory:
        groups.append(("基本条件与必要条件", mandatory))
    if direct:
        groups.append(("直通条件", [(key, f"直通：{name}") for key, name in direct]))
    return groups


def evidence_labels(declaration: Declaration) -> dict[str, str]:
    """Indicator key → its label (see `evidence_indicators`)."""
    return {key: label for _, choices in evidence_indicators(declaration) for key, label in choices}


def evidence_of(declaration: Declaration) -> list[DeclarationEvidence]:
    """The declaration's evidence, by indicator then upload order."""
    return list(declaration.evidence.order_by("indicator", "uploaded_at", "id"))


def evidence_total_bytes(declaration: Declaration) -> int:
    return declaration.evidence.aggregate(total=Sum("size"))["total"] or 0
