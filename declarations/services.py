"""Writes on declarations: the windows (申报时间) and the declaration's whole life cycle.

The life cycle is one transition table (`WORKFLOW`, read by `common.workflow.decide`): every
step is one service here, atomic and row-locked, and leaves one `DecisionEvent`.
"""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime

from announcements.models import Kind as AnnouncementKind
from announcements.services import announcement_publish, announcement_save
from assessment.selectors import latest_result, snapshot
from common.pagecache import rows_changed
from common.storage import StorageFull
from common.summaries import insert_select, year_starts
from common.tiers import Tier
from common.uploads import ZipEntry, validate_upload
from common.workflow import Step, Workflow, decide, decide_many, record_start
from enterprises.models import Enterprise, Recognition
from enterprises.services import (
    Renewal,
    Title,
    enterprise_counts_refresh,
    recognitions_grant,
    recognitions_renew,
    valid_until_for,
)
from messaging.models import Category
from messaging.services import Outgoing, message_send
from portal.accounts.models import OfficialLevel, User
from portal.accounts.scoping import for_user, in_scope
from portal.regions.models import DeclarationRegion, Region

from . import building, selectors
from .models import (
    Declaration,
    DeclarationEvidence,
    DeclarationSectionCount,
    DeclarationStatusCount,
    DeclarationTierCount,
    DeclarationWindow,
    DeclarationWindowCount,
    Judgement,
    Objection,
    OnsiteCheck,
    RecognitionBatch,
    ReviewChain,
    SamplingRun,
)
from .standards import FeatureConfig
from .standards import available as available_standards


def window_check(*, declaration_region: DeclarationRegion | None, tier: str,
                 starts_at: datetime | None, ends_at: datetime | None,
                 exclude_pk: int | None = None, standard_version: str = "2022",
                 features: Any = None) -> dict[str, str]:
    """The errors a window would have, by field (empty when it is acceptable).

    Used by the admin form (to show the message at the field) and again by `window_save`
    under a lock (the form's check can race with another official's save).
    """
    errors: dict[str, str] = {}
    if tier and tier not in Tier.values:
        errors["tier"] = "申报层级不正确。"
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = "结束时间必须晚于开始时间。"
    if tier in Tier.values and (standard_version, Tier(tier)) not in available_standards():
        errors["standard_version"] = f"{standard_version}版认定标准没有{Tier(tier).label}的评价标准。"
    problems = feature_problems(tier=tier, features=features)
    if problems:
        errors["features"] = "；".join(problems) + "。"
    if exclude_pk and Declaration.objects.filter(window_id=exclude_pk).exclude(
            status__in=Declaration.EDITABLE_STATES).exists():
        before = DeclarationWindow.objects.filter(pk=exclude_pk).values(
            "standard_version", "features").first()
        if before and (before["standard_version"], before["features"]) != (standard_version, features):
            errors["standard_version"] = "本批次已有企业提交申报，不能再修改认定标准版本或特色化指标。"
    if errors or not (declaration_region and tier and starts_at and ends_at):
        return errors
    clash = (
        DeclarationWindow.objects.overlapping(
            declaration_region_id=declaration_region.pk, tier=tier, starts_at=starts_at,
            ends_at=ends_at,
        )
        .exclude(pk=exclude_pk)
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        local = "%Y-%m-%d %H:%M"
        errors["starts_at"] = (
            f"与已有的申报时间重叠：{declaration_region} {Tier(tier).label} "
            f"{localtime(clash.starts_at):{local}} 至 {localtime(clash.ends_at):{local}}。"
            "同一地区、同一层级的申报时间不能重叠。"
        )
    return errors


def feature_problems(*, tier: str, features: Any) -> list[str]:
    """What is wrong with a window's 特色化 configuration (only 专精特新 windows have one)."""
    if features in (None, "", {}):
        return []
    if tier != Tier.SPECIALIZED:
        return ["只有专精特新中小企业的申报批次设置特色化指标"]
    if not isinstance(features, dict):
        return ["特色化指标应为JSON对象"]
    try:
        config = FeatureConfig.from_dict(features)
    except ValueError as exc:
        return [str(exc)]
    return config.problems()


@transaction.atomic
def window_save(*, by: User, declaration_region: DeclarationRegion, tier: str,
                starts_at: datetime, ends_at: datetime, note: str = "",
                window: DeclarationWindow | None = None, standard_version: str = "2022",
                features: Any = None) -> DeclarationWindow:
    """Create (window=None) or change a declaration window.

    Raises PermissionDenied when `by` may not maintain the region's windows (before or after
    the change), ValidationError (by field) on a bad range or an overlap.
    """
    candidate = DeclarationWindow(declaration_region=declaration_region, tier=tier)
    if window is not None and not by.has_perm("declarations.change_declarationwindow", window):
        raise PermissionDenied("您无权修改该地区的申报时间。")
    if window is None and not by.has_perm("declarations.add_declarationwindow"):
        raise PermissionDenied("只有省级管理员和部级管理员可以维护申报时间。")
    # The region it will belong to must be one `by` maintains too (no moving it elsewhere).
    if not by.has_perm("declarations.change_declarationwindow", candidate):
        raise PermissionDenied("您只能维护本地区的申报时间。")
    # Serialise writers of the same region: two officials saving overlapping windows at once
    # would both pass an unlocked check.
    DeclarationRegion.objects.select_for_update().filter(pk=declaration_region.pk).first()
    errors = window_check(declaration_region=declaration_region, tier=tier, starts_at=starts_at,
                          ends_at=ends_at, exclude_pk=window.pk if window else None,
                          standard_version=standard_version, features=features)
    if errors:
        raise ValidationError(errors)
    if window is None:
        window = DeclarationWindow(created_by=by)
    window.declaration_region = declaration_region
    window.tier = tier
    window.starts_at = starts_at
    window.ends_at = ends_at
    window.note = note
    window.standard_version = standard_version
    window.features = features or None
    window.save()
    return window


@transaction.atomic
def window_delete(*, by: User, window: DeclarationWindow) -> None:
    if not by.has_perm("declarations.delete_declarationwindow", window):
        raise PermissionDenied("您无权删除该地区的申报时间。")
    window.delete()


# --- the declaration's life cycle -----------------------------------------------------------------

S = Declaration.Status

# (state, action) → (next state, who, label, opinion required). Who: "enterprise" (its own
# 法人账户); "county" / "city" / "province" / "ministry" (an official of that level whose
# scope holds the declaration — the **current processing level**); "recogniser" (the
# province for 创新型/专精特新, the ministry for 小巨人). Which of the submit/recommend rows
# applies is decided by the declaration's review chain (`review_levels`): levels that do not
# exist for its region, or that the region switched off, are skipped (domain.md §0.6).
WORKFLOW = Workflow("declaration", [
    Step("", "start", S.DRAFT, "创建草稿", "enterprise"),
    # The enterprise files it, to the first level of its chain.
    Step(S.DRAFT, "submit_to_county", S.AT_COUNTY, "提交", "enterprise"),
    Step(S.DRAFT, "submit_to_city", S.AT_CITY, "提交", "enterprise"),
    Step(S.DRAFT, "submit_to_province", S.AT_PROVINCE, "提交", "enterprise"),
    # Returned: resubmission goes back to the level that returned it (manual FAQ 7).
    Step(S.RETURNED, "resubmit_to_county", S.AT_COUNTY, "重新提交", "enterprise"),
    Step(S.RETURNED, "resubmit_to_city", S.AT_CITY, "重新提交", "enterprise"),
    Step(S.RETURNED, "resubmit_to_province", S.AT_PROVINCE, "重新提交", "enterprise"),
    Step(S.RETURNED, "resubmit_to_ministry", S.AT_MINISTRY, "重新提交", "enterprise"),
    # 县级
    Step(S.AT_COUNTY, "recommend_to_city", S.AT_CITY, "审核通过，推荐至市级", "county"),
    Step(S.AT_COUNTY, "recommend_to_province", S.AT_PROVINCE, "审核通过，推荐至省级", "county"),
    Step(S.AT_COUNTY, "return", S.RETURNED, "退回企业修改", "county", opinion=True),
    Step(S.AT_COUNTY, "not_recommend", S.NOT_RECOMMENDED, "不予推荐", "county", opinion=True),
    # 市级
    Step(S.AT_CITY, "recommend_to_province", S.AT_PROVINCE, "审核通过，推荐至省级", "city"),
    Step(S.AT_CITY, "return", S.RETURNED, "退回企业修改", "city", opinion=True),
    Step(S.AT_CITY, "not_recommend", S.NOT_RECOMMENDED, "不予推荐", "city", opinion=True),
    # 省级 (the declaration region): the last level of 创新型/专精特新; 小巨人 goes on.
    Step(S.AT_PROVINCE, "recommend_to_ministry", S.AT_MINISTRY, "审核通过，推荐至工业和信息化部",
         "province"),
    Step(S.AT_PROVINCE, "pass", S.RECOMMENDED, "审核通过", "province"),
    Step(S.AT_PROVINCE, "return", S.RETURNED, "退回企业修改", "province", opinion=True),
    Step(S.AT_PROVINCE, "not_recommend", S.NOT_RECOMMENDED, "不予推荐", "province", opinion=True),
    # 部级 (小巨人 only)
    Step(S.AT_MINISTRY, "pass", S.RECOMMENDED, "审核通过", "ministry"),
    Step(S.AT_MINISTRY, "return", S.RETURNED, "退回企业修改", "ministry", opinion=True),
    Step(S.AT_MINISTRY, "not_recommend", S.NOT_RECOMMENDED, "不予推荐", "ministry", opinion=True),
    # 公示, then 认定 by the recognising level.
    Step(S.RECOMMENDED, "publicize", S.PUBLICIZED, "公示", "recogniser"),
    Step(S.PUBLICIZED, "recognise", S.RECOGNISED, "认定", "recogniser"),
    Step(S.PUBLICIZED, "not_recognise", S.NOT_RECOGNISED, "不予认定", "recogniser", opinion=True),
], states=S)

LEVELS = ("county", "city", "province", "ministry")


def review_levels(*, region: Region, tier: str) -> list[str]:
    """The review chain of a declaration from `region` for `tier`, first level first.

    县级 when the 注册地 is a county and the declaration region keeps county review; 市级 when
    a real city stands above it (not a 直辖市's 市辖区, not a 省直辖县级 stand-in) that is not
    the declaration region itself (a 计划单列市) and the region keeps city review; then the
    declaration region; then the ministry for 小巨人. The switches are the region's for that
    tier (`ReviewChain`), else the region's own.
    """
    dr = region.declaration_region
    chain = ReviewChain.objects.filter(declaration_region=dr, tier=tier).first()
    county_on = chain.county_review if chain else dr.county_review
    city_on = chain.city_review if chain else dr.city_review
    levels: list[str] = []
    if region.is_county and county_on:
        levels.append("county")
    city = region.parent if region.is_county else region
    if (city is not None and city.level == Region.Level.CITY and not city.placeholder
            and dr.region_id != city.pk and city_on):
        levels.append("city")
    levels.append("province")
    if tier == Tier.GIANT:
        levels.append("ministry")
    return levels


def _enterprise_owns(by: User, declaration: Declaration, step: Step) -> bool:
    return by.is_enterprise and declaration.enterprise.account_id == by.pk


def _official_may(by: User, declaration: Declaration, step: Step) -> bool:
    """An official of the step's level (the current processing level) whose scope holds it."""
    if not by.is_official:
        return False
    actor = step.actor
    if actor == "recogniser":
        actor = "ministry" if declaration.tier == Tier.GIANT else "province"
    return by.official_level == actor and in_scope(by, declaration, "region")


# The tier's letter in declaration and certificate numbers.
TIER_LETTERS = {Tier.INNOVATIVE: "C", Tier.SPECIALIZED: "Z", Tier.GIANT: "J"}


def _next_number(declaration: Declaration) -> str:
    letter = TIER_LETTERS[Tier(declaration.tier)]
    year = timezone.localdate(declaration.created_at).year
    rereview = "F" if declaration.kind == Declaration.Kind.REREVIEW else ""  # 复核
    return f"{year}{declaration.declaration_region.code}{letter}{rereview}{declaration.pk:07d}"


@transaction.atomic
def declaration_start(*, enterprise: Enterprise, by: User, tier: str,
                      region_code: str = "") -> Declaration:
    """【申请】: a draft for `tier` in the open window of the enterprise's own region.

    Refused (ValidationError listing every reason) by `selectors.start_refusals`. A double
    click or a second tab gets the same draft back (one per enterprise, tier and window).
    """
    if not by.is_enterprise or enterprise.account_id != by.pk:
        raise PermissionDenied("只有本企业的法人账户可以申报。")
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    refusals = selectors.start_refusals(enterprise=enterprise, tier=tier, region_code=region_code)
    if refusals:
        raise ValidationError([r.reason for r in refusals])
    window = selectors.window_for(enterprise, tier)
    existing = Declaration.objects.filter(enterprise=enterprise, tier=tier, window=window).first()
    if existing is not None:  # its draft (start_refusals refused a filed one): carry on
        return existing
    try:
        with transaction.atomic():
            declaration = Declaration.objects.create(
                number=f"tmp-{timezone.now().timestamp()}-{enterprise.pk}-{tier}"[:32],
                enterprise=enterprise, tier=tier, window=window, region=enterprise.region,
                declaration_region_id=window.declaration_region_id,
                standard_version=window.standard_version,
                form_data=building.initial_data(
                    enterprise=enterprise, tier=tier, year=timezone.localdate(window.starts_at).year,
                    standard_version=window.standard_version),
            )
    except IntegrityError:  # the other tab won the race: one declaration per window
        return Declaration.objects.get(enterprise=enterprise, tier=tier, window=window)
    declaration.number = _next_number(declaration)
    declaration.save(update_fields=["number"])
    record_start(workflow=WORKFLOW, subject=declaration, action="start", by=by)
    return declaration


@transaction.atomic
def rereview_start(*, enterprise: Enterprise, by: User, recognition: Recognition) -> Declaration:
    """【去复核】: a 复核 draft of the title (domain.md §2.8): the same form, evidence, chain and
    events as a 申报, judged by the standard the title was recognised under (§0.1), for the
    validity period ending on the title's current end. Refused (ValidationError listing every
    reason) by `selectors.rereview_refusals`; a double click gets the same draft back."""
    if not by.is_enterprise or enterprise.account_id != by.pk:
        raise PermissionDenied("只有本企业的法人账户可以申请复核。")
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    title = (Recognition.objects.select_related("enterprise__region__declaration_region")
             .filter(pk=recognition.pk, enterprise=enterprise).first())
    if title is None:
        raise PermissionDenied("只能为本企业的称号申请复核。")
    existing = Declaration.objects.filter(rereview_of=title, renews_until=title.valid_until).first()
    if existing is not None:
        return existing
    refusals = selectors.rereview_refusals(recognition=title)
    if refusals:
        raise ValidationError([r.reason for r in refusals])
    region = title.enterprise.region
    try:
        with transaction.atomic():
            declaration = Declaration.objects.create(
                number=f"tmp-{timezone.now().timestamp()}-{enterprise.pk}-r{title.pk}"[:32],
                kind=Declaration.Kind.REREVIEW, enterprise=enterprise, tier=title.tier,
                rereview_of=title, renews_until=title.valid_until, region=region,
                declaration_region_id=region.declaration_region_id,
                standard_version=title.standard_version,
                form_data=building.initial_data(enterprise=enterprise, tier=title.tier,
                                                year=timezone.localdate().year,
                                                standard_version=title.standard_version))
    except IntegrityError:  # the other tab won the race: one 复核 per validity period
        return Declaration.objects.get(rereview_of=title, renews_until=title.valid_until)
    declaration.number = _next_number(declaration)
    declaration.save(update_fields=["number"])
    record_start(workflow=WORKFLOW, subject=declaration, action="start", by=by)
    return declaration


@transaction.atomic
def declaration_save_section(*, declaration: Declaration, by: User, section: str,
                             data: dict[str, Any]) -> Declaration:
    """Save one section of the form (already validated and normalised by its form)."""
    locked = (Declaration.objects.select_for_update().select_related("enterprise")
              .get(pk=declaration.pk))
    if not _enterprise_owns(by, locked, WORKFLOW.steps[0]):
        raise PermissionDenied("只有本企业的法人账户可以填写申报。")
    if not locked.editable:
        raise ValidationError("申报已提交，不能修改。")
    if section not in building.sections(locked.tier, locked.standard_version):
        raise ValidationError(f"没有“{section}”这一部分。")
    locked.form_data = {**locked.form_data, section: data}
    locked.save(update_fields=["form_data", "updated_at"])
    return locked


def declaration_submit(*, declaration: Declaration, by: User, pledge: bool) -> Declaration:
    """【提交】 / 【重新提交】: freeze the engine's result, the assessment and the profile with
    it and send it to the first level of its chain (or back to the level that returned it).

    A double click or a second tab submits once: the second finds it no longer a draft.
    Atomic in `decide` (the read choosing the action needs no lock: `decide` re-checks the
    state under one).
    """
    if not pledge:
        raise ValidationError({"pledge": "请阅读并勾选真实性承诺后再提交。"})
    current = Declaration.objects.select_related(
        "enterprise__region", "region__declaration_region", "region__parent",
        "window__declaration_region").get(pk=declaration.pk)
    if current.status == S.RETURNED:
        action = f"resubmit_to_{current.returned_level}"
    else:
        action = f"submit_to_{review_levels(region=current.region, tier=current.tier)[0]}"

    def apply(locked: Declaration, step: Step) -> list[str]:
        now = timezone.now()
        if not locked.accepts_filing_at(now):
            raise ValidationError("复核申请时间已结束，不能提交。" if locked.is_rereview
                                  else "申报时间已结束，不能提交。")
        result = building.evaluate(locked)
        missing = building.enterprise_missing(locked, result)
        if missing:
            raise ValidationError(f"以下内容尚未填写：{'、'.join(missing)}。")
        attempt = latest_result(locked.enterprise)
        if locked.tier == Tier.SPECIALIZED and attempt is None:
            raise ValidationError("申报专精特新中小企业须先完成数字化水平评测。")
        locked.result = result.to_dict()
        locked.assessment = snapshot(attempt[1]) if attempt is not None else None
        locked.profile = building.profile_snapshot(locked.enterprise)
        industry = locked.enterprise.industry
        locked.section = industry.section if industry is not None else ""
        locked.submitted_at = now
        locked.returned_level = ""
        locked.frozen_sha256 = locked.compute_frozen_sha256()
        locked.verification_code = locked.compute_verification_code()
        return ["result", "assessment", "profile", "section", "submitted_at", "returned_level",
                "frozen_sha256", "verification_code", "updated_at"]

    submitted, _ = decide(workflow=WORKFLOW, subject=current, action=action, by=by,
                          may=_enterprise_owns, apply=apply,
                          queryset=Declaration.objects.select_related(
                              "enterprise__region", "enterprise__industry",
                              "window__declaration_region"))
    return submitted


@transaction.atomic
def declaration_return(*, declaration: Declaration, by: User, opinion: str) -> Declaration:
    """退回: the current processing level sends it back to the enterprise, only while the
    window is open (manual FAQ 7); resubmission comes back to this level."""

    def apply(locked: Declaration, step: Step) -> list[str]:
        if not locked.accepts_filing_at(timezone.now()):
            raise ValidationError("申报时间已结束，不能退回企业修改。")
        locked.returned_level = step.source.removeprefix("at_")  # the level returning it
        return ["returned_level", "updated_at"]

    returned, _ = decide(workflow=WORKFLOW, subject=declaration, action="return", by=by,
                         opinion=opinion, may=_official_may, apply=apply,
                         queryset=Declaration.objects.select_related("window", "enterprise"))
    return returned


# --- 佐证材料 ---------------------------------------------------------------------------------------

EVIDENCE_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".zip")
EVIDENCE_ZIP_MEMBERS = (".pdf",)  # a zip of evidence holds PDFs only


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def _evidence_name(upload: UploadedFile) -> str:
    """The name the enterprise gave the file, without any folder a browser sent with it."""
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:255] or "佐证材料"


def _editable_own(declaration: Declaration, by: User) -> None:
    if not _enterprise_owns(by, declaration, WORKFLOW.steps[0]):
        raise PermissionDenied("只有本企业的法人账户可以管理佐证材料。")
    if not declaration.editable:
        raise ValidationError("申报已提交，佐证材料不能再上传或删除。")


def _check_evidence_room(declaration: Declaration, uploads: list[UploadedFile]) -> None:
    """Refuse, naming the file that crosses it, a batch over the declaration's limits."""
    max_files: int = settings.DECLARATION_EVIDENCE_MAX_FILES
    max_total: int = settings.DECLARATION_EVIDENCE_MAX_TOTAL_BYTES
    held = declaration.evidence.count()
    total = selectors.evidence_total_bytes(declaration)
    for count, upload in enumerate(uploads, start=held + 1):
        total += upload.size or 0
        if count > max_files:
            raise ValidationError({"files": (
                f"文件“{_evidence_name(upload)}”未上传：每份申报最多 {max_files} 个佐证材料文件"
                f"（已有 {held} 个）。")})
        if total > max_total:
            raise ValidationError({"files": (
                f"文件“{_evidence_name(upload)}”未上传：每份申报的佐证材料合计不能超过 "
                f"{_megabytes(max_total)} MB（已有 {_megabytes(total - (upload.size or 0))} MB）。"
            )})


@transaction.atomic
def evidence_add(*, declaration: Declaration, by: User, indicator: str,
                 files: list[UploadedFile]) -> list[DeclarationEvidence]:
    """Attach `files` to the declaration for `indicator` (a key of `selectors.evidence_indicators`,
    "" for the whole declaration), all or nothing.

    Only the owning enterprise, only while the declaration is a draft or returned. PDF, JPG,
    PNG, or a zip of PDFs (each entry opened and checked; the entries are kept with the row).
    Every refused file is named; when one is refused nothing is kept, neither rows nor files.
    """
    _editable_own(declaration, by)
    indicator = (indicator or "").strip()
    if indicator not in selectors.evidence_labels(declaration):
        raise ValidationError({"indicator": "请选择佐证材料对应的指标。"})
    if not files:
        raise ValidationError({"files": "请选择要上传的文件。"})
    # The content checks (a zip is opened entry by entry) run before the row lock: they need
    # no database and would hold the lock for as long as a 20 MB archive takes.
    entries: list[list[ZipEntry]] = []
    errors: list[str] = []
    for upload in files:
        try:
            entries.append(validate_upload(
                upload, allowed=EVIDENCE_TYPES, max_bytes=settings.DECLARATION_EVIDENCE_MAX_FILE_BYTES,
                zip_members=EVIDENCE_ZIP_MEMBERS))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    # Two tabs uploading at once must not pass the limits together.
    locked = Declaration.objects.select_for_update().select_related("enterprise").get(
        pk=declaration.pk)
    _editable_own(locked, by)
    _check_evidence_room(locked, files)
    stored: list[DeclarationEvidence] = []
    try:
        for upload, found in zip(files, entries, strict=True):
            name = _evidence_name(upload)
            item = DeclarationEvidence(
                declaration=locked, indicator=indicator, name=name, size=upload.size or 0,
                entries=[{"name": entry.name, "size": entry.size} for entry in found])
            try:
                item.file.save(name, upload, save=False)  # a generated name: evidence_upload_to
            except StorageFull:
                raise ValidationError({"files": [
                    f"文件“{name}”未能保存：服务器存储空间不足，本次上传的文件均未保存，请稍后重试。"]},
                    code="storage_full") from None
            stored.append(item)
            item.save()
    except Exception:
        # The rows roll back with the transaction; the files written so far go now.
        for item in stored:
            item.file.delete(save=False)
        raise
    return stored


@transaction.atomic
def evidence_remove(*, evidence: DeclarationEvidence, by: User) -> None:
    """Delete one evidence file, only the owning enterprise's, only while editable."""
    locked = Declaration.objects.select_for_update().select_related("enterprise").get(
        pk=evidence.declaration_id)
    _editable_own(locked, by)
    item = DeclarationEvidence.objects.filter(pk=evidence.pk, declaration=locked).first()
    if item is None:
        return  # already gone (a second click)
    stored, storage = item.file.name, item.file.storage
    item.delete()
    # The file goes only once the row is gone for good.
    transaction.on_commit(lambda: storage.delete(stored))


# --- officials: the review chain ------------------------------------------------------------------

def next_action(declaration: Declaration) -> str:
    """The recommend step of the declaration's chain from its current level: on to the next
    level that exists for it, or "pass" at the last one."""
    levels = review_levels(region=declaration.region, tier=declaration.tier)
    current = declaration.processing_level
    if not current:
        return "pass"  # not at a level: decide() refuses it with the state it is in
    if current not in levels:  # the chain changed under it (a level switched off): go on up
        later = [lv for lv in levels if LEVELS.index(lv) > LEVELS.index(current)]
        return f"recommend_to_{later[0]}" if later else "pass"
    position = levels.index(current)
    return f"recommend_to_{levels[position + 1]}" if position + 1 < len(levels) else "pass"


def _pending_onsite(declaration: Declaration, level: str) -> OnsiteCheck | None:
    return declaration.onsite_checks.filter(level=level).first()


@transaction.atomic
def declaration_recommend(*, declaration: Declaration, by: User, opinion: str = "") -> Declaration:
    """审核通过/推荐: to the next level of its chain, or 审核通过 at the last one. A declaration
    drawn for 实地抽查 at this level moves on only once a passing result is recorded."""
    current = Declaration.objects.select_related("region__declaration_region").get(pk=declaration.pk)

    def apply(locked: Declaration, step: Step) -> list[str]:
        check = _pending_onsite(locked, step.source.removeprefix("at_"))
        if check is not None and check.result == OnsiteCheck.Result.PENDING:
            raise ValidationError("该申报已被抽中实地抽查，请先录入实地抽查结果。")
        if check is not None and check.result == OnsiteCheck.Result.FAILED:
            raise ValidationError("该申报实地抽查不符合，不能推荐；如不予推荐请填写意见。")
        return ["updated_at"]

    moved, _ = decide(workflow=WORKFLOW, subject=current, action=next_action(current), by=by,
                      opinion=opinion, may=_official_may, apply=apply,
                      queryset=Declaration.objects.select_related("enterprise", "region"))
    return moved


@transaction.atomic
def declaration_not_recommend(*, declaration: Declaration, by: User, opinion: str) -> Declaration:
    """不予推荐: final, with the opinion the enterprise reads."""
    done, _ = decide(workflow=WORKFLOW, subject=declaration, action="not_recommend", by=by,
                     opinion=opinion, may=_official_may,
                     apply=lambda locked, step: ["updated_at"],
                     queryset=Declaration.objects.select_related("enterprise", "region"))
    return done


def declarations_recommend(*, declarations: Any, by: User) -> tuple[int, list[str]]:
    """Bulk 推荐: each declaration through `declaration_recommend` on its own (one refusal does
    not stop the others). Returns (how many moved, the refusals by declaration number)."""
    moved, refused = 0, []
    for item in declarations:
        try:
            declaration_recommend(declaration=item, by=by)
            moved += 1
        except (ValidationError, PermissionDenied) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            refused.append(f"{item.number}：{text}")
    return moved, refused


@transaction.atomic
def onsite_sample_draw(*, by: User, declarations: Any, rate: Decimal = Decimal("0.10"),
                       seed: str | None = None) -> SamplingRun:
    """Draw the 实地抽查 sample among `declarations` (those at `by`'s level in its scope):
    ceil(rate × n) of them, never one a lower level already drew, with a recorded seed so the
    same population and seed give the same sample."""
    level = by.official_level if by.is_official else ""
    if level not in LEVELS:
        raise PermissionDenied("只有审核层级的管理员可以抽取实地抽查。")
    if not Decimal("0") < rate <= Decimal("1"):
        raise ValidationError({"rate": "抽查比例应在0到100%之间。"})
    state = f"at_{level}"
    population = sorted(
        d.pk for d in declarations
        if d.status == state and in_scope(by, d, "region") and not d.onsite_checks.exists())
    seed = seed or secrets.token_hex(8)
    count = math.ceil(len(population) * rate) if population else 0
    chosen = sorted(random.Random(seed).sample(population, count))  # noqa: S311 (reproducible draw)
    run = SamplingRun.objects.create(level=level, drawn_by=by, rate=rate, seed=seed,
                                     population=population, chosen=chosen)
    OnsiteCheck.objects.bulk_create([OnsiteCheck(declaration_id=pk, run=run, level=level)
                                     for pk in chosen])
    rows_changed(Declaration, chosen)  # written in bulk: no signal
    return run


@transaction.atomic
def onsite_record(*, check: OnsiteCheck, by: User, result: str, note: str) -> OnsiteCheck:
    """Record the on-site result, by an official of the level that drew it."""
    locked = OnsiteCheck.objects.select_for_update().select_related("declaration").get(pk=check.pk)
    if not (by.is_official and by.official_level == locked.level
            and in_scope(by, locked.declaration, "region")):
        raise PermissionDenied("只有抽取该样本的层级可以录入实地抽查结果。")
    if result not in (OnsiteCheck.Result.PASSED, OnsiteCheck.Result.FAILED):
        raise ValidationError({"result": "请选择实地抽查结果。"})
    if not note.strip():
        raise ValidationError({"note": "请填写实地抽查情况。"})
    locked.result, locked.note = result, note.strip()
    locked.recorded_by, locked.recorded_at = by, timezone.now()
    locked.save(update_fields=["result", "note", "recorded_by", "recorded_at"])
    return locked


# --- officials' judgements on the items the engine leaves to them ----------------------------------

def judgements_of(declaration: Declaration) -> dict[str, bool]:
    """The latest judgement per item (input path → value)."""
    latest: dict[str, bool] = {}
    for item in declaration.judgements.order_by("at", "id"):
        latest[item.field] = item.value
    return latest


@transaction.atomic
def judgement_record(*, declaration: Declaration, by: User, field: str, value: bool,
                     reason: str) -> Judgement:
    """Record an official's judgement (with its reason) on an item the engine leaves to people,
    by the current processing level, and re-evaluate with every judgement so far into
    `reviewed_result` (the filed `result` is kept as it was)."""
    locked = (Declaration.objects.select_for_update(of=("self",))
              .select_related("enterprise", "window", "region").get(pk=declaration.pk))
    level = locked.processing_level
    if not (level and by.is_official and by.official_level == level
            and in_scope(by, locked, "region")):
        raise PermissionDenied("只有当前处理层级的审核人员可以作出判断。")
    labels = dict(building.judgement_fields(locked.tier, locked.standard_version))
    if field not in labels:
        raise ValidationError({"field": "该项目不属于需人工判断的内容。"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写判断理由。"})
    item = Judgement.objects.create(declaration=locked, field=field, label=labels[field],
                                    value=value, reason=reason.strip(), by=by, level=level)
    locked.reviewed_result = building.evaluate(locked, judgements_of(locked)).to_dict()
    locked.save(update_fields=["reviewed_result", "updated_at"])
    return item


# --- 公示 and 认定 (the recognising level: the declaration region; the ministry for 小巨人) -----------

B = RecognitionBatch.Status

# The batch's own table: built (待公示) → 公示中 → 已认定. Each step moves every declaration of
# the batch through WORKFLOW in bulk (decide_many), one event per declaration.
BATCH_WORKFLOW = Workflow("recognition_batch", [
    Step(B.DRAFT, "publicize", B.PUBLICIZING, "开始公示", "recogniser"),
    Step(B.PUBLICIZING, "recognise", B.RECOGNISED, "认定", "recogniser"),
], states=B)

PUBLICITY_WORKING_DAYS = 5  # domain.md §0.7 / §2.4: default 5 working days, editable per batch
LETTER_TYPES = (".pdf", ".jpg", ".jpeg", ".png")
LETTER_MAX_BYTES = 10 * 1024 * 1024
# Signatures that name nobody: an objection signed so is anonymous (domain.md §2.9).
ANONYMOUS_NAMES = frozenset({"匿名", "无名", "无名氏", "佚名", "不具名", "知情人", "群众", "某某",
                             "一群众", "热心群众", "知情者"})


def publicity_end(starts_on: date, working_days: int = PUBLICITY_WORKING_DAYS) -> date:
    """The last day of a 公示 of `working_days` working days (Monday–Friday) from `starts_on`
    (included when it is a working day): Monday → Friday; Thursday → next Wednesday."""
    day, counted = starts_on, 0
    while True:
        if day.weekday() < 5:
            counted += 1
            if counted == working_days:
                return day
        day += timedelta(days=1)


def recognises(by: User, *, tier: str, declaration_region_id: int | None) -> bool:
    """Whether `by` is the recognising level of batches of `tier` in that declaration region:
    its own declaration region's 省级 official for 创新型/专精特新, the ministry for 小巨人
    (national batches, no region)."""
    if not (getattr(by, "is_official", False) and by.is_active):
        return False
    if tier == Tier.GIANT:
        return by.official_level == OfficialLevel.MINISTRY and declaration_region_id is None
    return (by.official_level == OfficialLevel.PROVINCE and declaration_region_id is not None
            and by.declaration_region_id == declaration_region_id)


def _batch_may(by: User, batch: RecognitionBatch, step: Step | None = None) -> bool:
    return recognises(by, tier=batch.tier, declaration_region_id=batch.declaration_region_id)


def _check_batch_scope(by: User, batch: RecognitionBatch) -> None:
    """Every declaration of the batch must be in `by`'s scope (scoping.py), or nothing moves."""
    members = Declaration.objects.filter(batch=batch)
    if members.count() != for_user(members, by, "region").count():
        raise PermissionDenied("本批次中有申报不在您的管辖范围内。")


def passed_for_batch(by: User, tier: str) -> QuerySet[Declaration]:
    """Declarations of `tier` that passed (审核通过), in `by`'s scope, in no batch yet."""
    return for_user(Declaration.objects.filter(status=S.RECOMMENDED, tier=tier,
                                               batch__isnull=True), by, "region")


def _publicity_dates(starts_on: date | None, ends_on: date | None) -> tuple[date, date]:
    starts_on = starts_on or timezone.localdate()
    ends_on = ends_on or publicity_end(starts_on)
    if ends_on < starts_on:
        raise ValidationError({"publicity_ends_on": "公示结束日期不能早于开始日期。"})
    return starts_on, ends_on


@transaction.atomic
def batch_save(*, by: User, name: str, objection_contact: str, tier: str = "",
               declaration_region: DeclarationRegion | None = None,
               publicity_starts_on: date | None = None, publicity_ends_on: date | None = None,
               document_no: str = "", recognised_on: date | None = None,
               batch: RecognitionBatch | None = None) -> RecognitionBatch:
    """Build a batch (batch=None) from every declaration of `tier` that passed in `by`'s
    scope and is in no batch yet, or change one.

    Only the recognising level builds it (`recognises`). 公示 dates default to today and 5
    working days; they and the name change only before 公示; 认定文号 and 认定日期 until 认定.
    """
    name = " ".join((name or "").split())
    objection_contact = " ".join((objection_contact or "").split())
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "请填写批次名称，例如“2026年第一批”。"
    if not objection_contact:
        errors["objection_contact"] = "请填写异议受理联系方式（部门、电话、地址），公示公告中列出。"
    if batch is None:
        if tier not in Tier.values:
            errors["tier"] = "请选择层级。"
        elif tier == Tier.GIANT and declaration_region is not None:
            errors["declaration_region"] = "专精特新“小巨人”企业由工业和信息化部认定，认定地区请留空。"
        elif tier != Tier.GIANT and declaration_region is None:
            errors["declaration_region"] = "请选择认定地区。"
    if errors:
        raise ValidationError(errors)
    if batch is None:
        region_id = declaration_region.pk if declaration_region else None
        if not recognises(by, tier=tier, declaration_region_id=region_id):
            raise PermissionDenied("只有认定层级可以组建认定批次：创新型、专精特新由本地区省级管理员，"
                                   "专精特新“小巨人”由工业和信息化部。")
        starts_on, ends_on = _publicity_dates(publicity_starts_on, publicity_ends_on)
        batch = RecognitionBatch.objects.create(
            name=name, tier=tier, declaration_region=declaration_region, created_by=by,
            publicity_starts_on=starts_on, publicity_ends_on=ends_on,
            objection_contact=objection_contact, document_no=document_no.strip())
        # A conditional UPDATE: a declaration another batch took meanwhile stays there.
        if not passed_for_batch(by, tier).update(batch=batch):
            raise ValidationError("本地区没有审核通过、尚未编入批次的申报，不能组建批次。")
        rows_changed(Declaration, Declaration.objects.filter(batch=batch).values_list("pk", flat=True))
        return batch
    locked = RecognitionBatch.objects.select_for_update().get(pk=batch.pk)
    if not _batch_may(by, locked):
        raise PermissionDenied("您无权修改该认定批次。")
    if locked.status == B.RECOGNISED:
        raise ValidationError("该批次已认定，不能再修改。")
    fields = ["objection_contact", "document_no", "recognised_on", "updated_at"]
    if locked.status == B.DRAFT:
        locked.name = name
        locked.publicity_starts_on, locked.publicity_ends_on = _publicity_dates(
            publicity_starts_on, publicity_ends_on)
        fields += ["name", "publicity_starts_on", "publicity_ends_on"]
    locked.objection_contact = objection_contact
    locked.document_no = (document_no or "").strip()
    locked.recognised_on = recognised_on
    locked.save(update_fields=fields)
    return locked


def _publicity_body(batch: RecognitionBatch) -> str:
    rows = (Declaration.objects.filter(batch=batch).order_by("number")
            .values_list("enterprise__name", "enterprise__uscc", "kind"))
    tier = Tier(batch.tier).label
    kinds = {Declaration.Kind.NEW: "认定", Declaration.Kind.REREVIEW: "复核"}
    table = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                             ((n, name, uscc, tier, kinds.get(kind, kind))
                              for n, (name, uscc, kind) in enumerate(rows, 1)))
    return format_html(
        "<p>现将{}拟认定{}名单予以公示，公示时间：{}至{}。</p>"
        "<p>公示期间，对名单有异议的，请以书面形式向{}反映。个人提出异议的须署真实姓名并本人签名，"
        "单位提出异议的须加盖单位公章，并附联系方式；匿名异议不予受理。</p>"
        "<table><thead><tr><th>序号</th><th>企业名称</th><th>统一社会信用代码</th><th>层级</th><th>类型</th></tr>"
        "</thead><tbody>{}</tbody></table>",
        batch.name, tier, f"{batch.publicity_starts_on:%Y年%m月%d日}",
        f"{batch.publicity_ends_on:%Y年%m月%d日}", batch.objection_contact, table)


@transaction.atomic
def batch_publicize(*, by: User, batch: RecognitionBatch) -> RecognitionBatch:
    """开始公示: every declaration of the batch → 公示中 (one event each) and an announcement
    of the recogniser's level (部级 / 省级, kind 公示) listing the enterprises is published."""

    def apply(locked: RecognitionBatch, step: Step) -> list[str]:
        _check_batch_scope(by, locked)
        if locked.publicity_starts_on is None or locked.publicity_ends_on is None:
            locked.publicity_starts_on, locked.publicity_ends_on = _publicity_dates(
                locked.publicity_starts_on, locked.publicity_ends_on)
        moved = decide_many(workflow=WORKFLOW, queryset=Declaration.objects.filter(batch=locked),
                            source=S.RECOMMENDED, action="publicize", by=by)
        if not moved:
            raise ValidationError("本批次没有待公示的申报。")
        where = locked.declaration_region.name if locked.declaration_region_id else ""
        announcement = announcement_save(
            by=by, kind=AnnouncementKind.PUBLICITY, body=_publicity_body(locked),
            title=f"{where}{locked.name}拟认定{Tier(locked.tier).label}名单公示")
        locked.announcement = announcement_publish(announcement=announcement, by=by)
        return ["announcement", "publicity_starts_on", "publicity_ends_on", "updated_at"]

    done, _ = decide(workflow=BATCH_WORKFLOW, subject=batch, action="publicize", by=by,
                     may=_batch_may, apply=apply)
    return done


def certificate_numbers(*, year: int, tier: str, region_codes: list[str]) -> list[str]:
    """Certificate numbers for titles granted together, one per entry of `region_codes` (the
    declaration region of each), in order: <year><declaration-region code><tier letter>
    <6-digit serial>, e.g. 2026440000C000001. The serial continues, per year, region and tier,
    after the highest one already issued (a second batch of the year goes on from the first);
    the database refuses a duplicate (recognition_certificate_unique). One query per region."""
    letter = TIER_LETTERS[Tier(tier)]
    serials: dict[str, int] = {}
    numbers = []
    for code in region_codes:
        prefix = f"{year}{code}{letter}"
        if prefix not in serials:
            last = (Recognition.objects.annotate(size=Length("certificate_no"))
                    .filter(certificate_no__startswith=prefix, size=len(prefix) + 6)
                    .order_by("-certificate_no").values_list("certificate_no", flat=True).first())
            serials[prefix] = int(last[-6:]) if last and last[-6:].isdigit() else 0
        serials[prefix] += 1
        numbers.append(f"{prefix}{serials[prefix]:06d}")
    return numbers


def notify_recognised(declarations: Iterable[Declaration], *, batch: RecognitionBatch,
                      by: User | None = None) -> int:
    """认定通知 to the enterprise of each recognised declaration, in one bulk send (messaging's
    unique key — one per declaration — makes a second call send nothing)."""
    rows = (Declaration.objects.filter(pk__in=[d.pk for d in declarations])
            .exclude(enterprise__account__isnull=True)
            .values_list("pk", "public_id", "number", "tier", "kind", "enterprise__account_id",
                         "rereview_of__valid_until"))
    on = f"{batch.recognised_on:%Y年%-m月%-d日}"

    def message(pk: int, public_id: Any, number: str, tier: str, kind: str, account_id: int,
                valid_until: date | None) -> Outgoing:
        if kind == Declaration.Kind.REREVIEW:
            title = f"您的{Tier(tier).label}复核已通过"
            body = (f"复核编号{number}已于{on}通过（{batch.name}，文号：{batch.document_no}），"
                    f"称号有效期延长至{valid_until:%Y年%-m月%-d日}。详情请在【认证到期管理】中查看。")
        else:
            title = f"您的{Tier(tier).label}申报已通过认定"
            body = (f"申报编号{number}已于{on}通过认定（{batch.name}，认定文号：{batch.document_no}）。"
                    "证书编号和有效期请在【认证到期管理】或企业认定查询中查看。")
        return Outgoing(recipient_id=account_id, title=title, body=body,
                        subject=f"declaration:{pk}",
                        link=reverse("declarations:detail", args=[public_id]))

    return message_send(category=Category.RECOGNITION, kind="declaration_recognised", sent_by=by,
                        outgoing=[message(*row) for row in rows])


@transaction.atomic
def batch_recognise(*, by: User, batch: RecognitionBatch, document_no: str | None = None,
                    recognised_on: date | None = None) -> RecognitionBatch:
    """认定 the batch once 公示 has ended and every objection is handled: each declaration still
    公示中 → 已认定 (one event each, in bulk) and its enterprise gets a title (tier, batch,
    认定文号, certificate number, valid from the recognition date for 3 years) through
    `enterprises.services.recognitions_grant`. Declarations the officials excluded were
    decided 不予认定 with their reason before (`declaration_not_recognise`)."""

    def apply(locked: RecognitionBatch, step: Step) -> list[str]:
        number = (document_no if document_no is not None else locked.document_no).strip()
        if not number:
            raise ValidationError({"document_no": "请填写认定文号。"})
        on = recognised_on or locked.recognised_on or timezone.localdate()
        today = timezone.localdate()
        if locked.publicity_ends_on and today <= locked.publicity_ends_on:
            raise ValidationError(
                f"公示期至{locked.publicity_ends_on:%Y-%m-%d}，公示期满后方可认定。")
        if locked.publicity_ends_on and on <= locked.publicity_ends_on:
            raise ValidationError({"recognised_on": "认定日期应在公示结束之后。"})
        if locked.objections.filter(result=Objection.Result.PENDING).exists():
            raise ValidationError("本批次还有未处理的异议，请先录入处理结果。")
        upheld = list(locked.objections.filter(result=Objection.Result.UPHELD,
                                               declaration__status=S.PUBLICIZED)
                      .values_list("declaration__enterprise__name", flat=True).distinct())
        if upheld:
            raise ValidationError(f"异议成立的企业（{'、'.join(upheld)}）请先作“不予认定”处理。")
        _check_batch_scope(by, locked)
        members = list(Declaration.objects.filter(batch=locked, status=S.PUBLICIZED)
                       .select_related("declaration_region").order_by("number")
                       .only("pk", "number", "tier", "kind", "enterprise_id", "rereview_of_id",
                             "renews_until", "standard_version", "declaration_region__code"))
        moved = set(decide_many(workflow=WORKFLOW, queryset=Declaration.objects.filter(batch=locked),
                                source=S.PUBLICIZED, action="recognise", by=by))
        members = [d for d in members if d.pk in moved]
        if not members:
            raise ValidationError("本批次没有公示中的申报可认定。")
        # A 申报 gets a new title; a 复核 extends the title it renews by 3 years.
        granted = [d for d in members if d.kind == Declaration.Kind.NEW]
        renewed = [d for d in members if d.kind == Declaration.Kind.REREVIEW]
        numbers = certificate_numbers(
            year=on.year, tier=locked.tier,
            region_codes=[d.declaration_region.code for d in granted])
        until = valid_until_for(on)
        if granted:
            recognitions_grant(by=by, titles=[
                Title(enterprise_id=d.enterprise_id, tier=locked.tier, valid_from=on,
                      valid_until=until, batch=locked.name, document_no=number,
                      certificate_no=certificate, standard_version=d.standard_version)
                for d, certificate in zip(granted, numbers, strict=True)])
        if renewed:
            recognitions_renew(by=by, batch=locked.name, document_no=number, renewals=[
                Renewal(recognition_id=d.rereview_of_id, renews_until=d.renews_until)
                for d in renewed])
        for d in members:
            d.status = S.RECOGNISED
        locked.document_no, locked.recognised_on = number, on
        transaction.on_commit(lambda: notify_recognised(members, batch=locked, by=by))
        return ["document_no", "recognised_on", "updated_at"]

    done, _ = decide(workflow=BATCH_WORKFLOW, subject=batch, action="recognise", by=by,
                     may=_batch_may, apply=apply)
    return done


@transaction.atomic
def declaration_not_recognise(*, declaration: Declaration, by: User,
                              opinion: str) -> Declaration:
    """不予认定 one declaration during 公示 (an upheld objection, a finding), with the reason the
    enterprise reads; the batch's 认定 then leaves it out."""
    done, _ = decide(workflow=WORKFLOW, subject=declaration, action="not_recognise", by=by,
                     opinion=opinion, may=_official_may,
                     apply=lambda locked, step: ["updated_at"],
                     queryset=Declaration.objects.select_related("enterprise", "region"))
    return done


# --- objections during 公示 ----------------------------------------------------------------------

def _letter_name(upload: UploadedFile) -> str:
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:255] or "异议书"


def objection_problems(*, batch: RecognitionBatch, declaration: Declaration | None,
                       filed_by: str, filer_name: str, filer_contact: str,
                       received_on: date | None, summary: str,
                       letter: UploadedFile | None) -> dict[str, Any]:
    """What is wrong with an objection, by field (empty when it may be recorded); no writes.
    Anonymous objections are refused: a named, signing person or a sealing organisation."""
    errors: dict[str, Any] = {}
    if batch.status != B.PUBLICIZING:
        errors["batch"] = "只有公示中的批次可以登记异议。"
    if declaration is None or declaration.batch_id != batch.pk:
        errors["declaration"] = "请选择本批次中被提出异议的企业申报。"
    if filed_by not in Objection.FiledBy.values:
        errors["filed_by"] = "匿名异议不予受理：请选择由个人署名或单位盖章提出。"
    name = " ".join((filer_name or "").split())
    if not name or name in ANONYMOUS_NAMES:
        errors["filer_name"] = "匿名异议不予受理：请填写署名人的真实姓名或盖章单位的全称。"
    if not (filer_contact or "").strip():
        errors["filer_contact"] = "请填写提出方的联系方式。"
    if not (summary or "").strip():
        errors["summary"] = "请填写异议内容摘要。"
    if received_on is None:
        errors["received_on"] = "请填写收到日期。"
    elif (batch.publicity_starts_on and batch.publicity_ends_on
          and not batch.publicity_starts_on <= received_on <= batch.publicity_ends_on):
        errors["received_on"] = (f"异议须在公示期内（{batch.publicity_starts_on:%Y-%m-%d}至"
                                 f"{batch.publicity_ends_on:%Y-%m-%d}）提出。")
    if letter is None:
        errors["letter"] = "请上传签名或盖章的异议书扫描件（PDF、JPG或PNG）。"
    else:
        try:
            validate_upload(letter, allowed=LETTER_TYPES, max_bytes=LETTER_MAX_BYTES)
        except ValidationError as exc:
            errors["letter"] = exc.messages
    return errors


@transaction.atomic
def objection_record(*, by: User, batch: RecognitionBatch, declaration: Declaration | None,
                     filed_by: str, filer_name: str, filer_contact: str, received_on: date | None,
                     summary: str, letter: UploadedFile | None) -> Objection:
    """Record an objection received in writing during the batch's 公示 (`objection_problems`
    says what is refused), with the scanned letter (PDF/JPG/PNG, checked by content, kept in
    private storage)."""
    locked = RecognitionBatch.objects.select_for_update().get(pk=batch.pk)
    if not _batch_may(by, locked):
        raise PermissionDenied("只有该批次的认定层级可以登记异议。")
    errors = objection_problems(batch=locked, declaration=declaration, filed_by=filed_by,
                                filer_name=filer_name, filer_contact=filer_contact,
                                received_on=received_on, summary=summary, letter=letter)
    if errors:
        raise ValidationError(errors)
    assert letter is not None  # objection_problems refused a missing letter
    row = Objection(batch=locked, declaration=declaration, filed_by=filed_by,
                    filer_name=" ".join(filer_name.split()), filer_contact=filer_contact.strip(),
                    received_on=received_on, summary=summary.strip(),
                    letter_name=_letter_name(letter), recorded_by=by)
    row.letter.save(row.letter_name, letter, save=False)  # a generated name: private storage
    try:
        row.save()
    except Exception:
        row.letter.delete(save=False)
        raise
    return row


@transaction.atomic
def objection_handle(*, by: User, objection: Objection, result: str, note: str) -> Objection:
    """Record how an objection was handled (异议成立 / 不成立, with the note), before 认定."""
    locked = Objection.objects.select_for_update().select_related("batch").get(pk=objection.pk)
    if not _batch_may(by, locked.batch):
        raise PermissionDenied("只有该批次的认定层级可以处理异议。")
    if locked.batch.status == B.RECOGNISED:
        raise ValidationError("该批次已认定，异议处理结果不能再修改。")
    errors = {}
    if result not in (Objection.Result.UPHELD, Objection.Result.DISMISSED):
        errors["result"] = "请选择处理结果。"
    if not (note or "").strip():
        errors["handling_note"] = "请填写处理意见。"
    if errors:
        raise ValidationError(errors)
    locked.result, locked.handling_note = result, note.strip()
    locked.handled_by, locked.handled_at = by, timezone.now()
    locked.save(update_fields=["result", "handling_note", "handled_by", "handled_at"])
    return locked


# --- 统计分析's summary tables ---------------------------------------------------------------------

# The declaration counts: (name, table, the dimension it keeps beside the 注册地).
FILED_COUNTS = (("declaration_tiers", DeclarationTierCount, "tier"),
                ("declaration_statuses", DeclarationStatusCount, "status"),
                ("declaration_sections", DeclarationSectionCount, "section"),
                ("declaration_windows", DeclarationWindowCount, "window_id"))


def statistics_refresh(*, now: datetime | None = None) -> dict[str, int]:
    """统计分析's summary tables rebuilt whole as of `now` (the calendar, every 10 minutes;
    `run_calendar` in embedded mode; `manage.py refresh_statistics`): the enterprise and title
    counts (`enterprise_counts_refresh`: it locks the state row and records `now`), then the
    filed declarations — not drafts; this year and last by `submitted_at`'s year in
    Asia/Shanghai — by one INSERT … SELECT per table of `FILED_COUNTS`. Returns the rows
    written per table.

    One transaction: the page sees the previous rebuild until this one commits, so its one
    "as of" holds for enterprises, declarations and titles alike; the state row stays locked
    until then, so two rebuilds at once run one after the other. Running it again recounts.
    """
    now = now or timezone.now()
    last_start, this_start, next_start = year_starts(timezone.localdate(now).year)
    # Counting a NOT NULL column of `declaration_statistics`, which holds every column read
    # here (for filed declarations only): PostgreSQL answers from the index alone.
    counts = {"declarations": Count("status"),
              "filed_this_year": Count("status", filter=Q(submitted_at__gte=this_start,
                                                          submitted_at__lt=next_start)),
              "filed_last_year": Count("status", filter=Q(submitted_at__gte=last_start,
                                                          submitted_at__lt=this_start))}
    filed = Declaration.objects.exclude(status=Declaration.Status.DRAFT).order_by()
    with transaction.atomic():
        rows = enterprise_counts_refresh(now=now)
        for name, model, dimension in FILED_COUNTS:
            model.objects.all().delete()
            rows[name] = insert_select(
                model, filed.values("region_id", dimension).annotate(**counts))
    return rows
