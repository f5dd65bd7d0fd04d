"""Every write on enterprises: profile edit, annual update, major changes and their review."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from common.models import DecisionEvent
from common.pagecache import rows_changed
from common.summaries import insert_select, year_starts
from common.tiers import Tier
from common.workflow import Step, Workflow, decide, record_start
from messaging.models import Category
from messaging.services import Outgoing, message_send
from portal.accounts.models import OfficialLevel, User
from portal.accounts.scoping import declaration_region_q, for_user, in_scope
from portal.regions.models import DeclarationRegion, Region

from . import selectors
from .models import (
    FIGURE_FIELDS,
    ChangeEvidence,
    ChangeType,
    Enterprise,
    EnterpriseCount,
    EnterpriseCountState,
    InfoUpdate,
    MajorChange,
    Recognition,
    RecognitionBatchCount,
    RecognitionTerm,
    RecognitionTierCount,
    RereviewSetting,
    RevokeGround,
    UpdateWindow,
    YearFigures,
)

# domain.md §2.6 / §0.7: a major change must be reported within 3 months.
REPORT_WITHIN = relativedelta(months=3)

# The transition tables (common/workflow.py). "enterprise": the enterprise's own account;
# "official": an official whose scope holds the enterprise (the change's review region).
_U = InfoUpdate.Status
INFO_UPDATE_WORKFLOW = Workflow("info_update", [
    Step("", "submit", _U.SUBMITTED, "提交", "enterprise"),
    Step(_U.RETURNED, "resubmit", _U.SUBMITTED, "重新提交", "enterprise"),
    Step(_U.SUBMITTED, "return", _U.RETURNED, "退回", "official", opinion=True),
], states=_U)

_C = MajorChange.Status
CHANGE_WORKFLOW = Workflow("major_change", [
    Step(_C.DRAFT, "submit", _C.SUBMITTED, "提交", "enterprise"),
    Step(_C.RETURNED, "submit", _C.SUBMITTED, "重新提交", "enterprise"),
    Step(_C.SUBMITTED, "approve", _C.APPROVED, "通过（变更生效）", "official"),
    Step(_C.SUBMITTED, "return", _C.RETURNED, "退回企业修改", "official", opinion=True),
    Step(_C.SUBMITTED, "reject", _C.REJECTED, "不予通过", "official", opinion=True),
], states=_C)


# Two decisions of the recognising level on a title (domain.md §2.6, §2.7). "recogniser": the
# ministry for every tier; for 创新型 and 专精特新 also the province-level officials of the
# enterprise's declaration region (enterprises/rules.py `recognises_title`).
_R = Recognition.State
REVOCATION_WORKFLOW = Workflow("recognition_revocation", [
    Step(_R.IN_FORCE, "revoke", _R.REVOKED, "取消认定", "recogniser", opinion=True),
], field="state", states=_R)

_B = Recognition.Rereview
REREVIEW_BAR_WORKFLOW = Workflow("recognition_rereview", [
    Step(_B.ELIGIBLE, "bar", _B.BARRED, "取消复核资格", "recogniser", opinion=True),
], field="rereview_status", states=_B)


def _official_in_scope(field: str):  # noqa: ANN202
    def may(by: User, subject: Any, step: Step) -> bool:
        return by.is_official and in_scope(by, subject, field)
    return may


def enterprise_for_account(*, user: User) -> Enterprise:
    """The enterprise of a 法人账户, created from the account on first use."""
    if not user.is_enterprise:
        raise ValidationError("只有法人账户绑定企业。")
    enterprise = Enterprise.objects.filter(account=user).select_related("region", "industry").first()
    if enterprise is not None:
        return enterprise
    with transaction.atomic():
        enterprise, _ = Enterprise.objects.get_or_create(
            uscc=user.uscc,
            defaults={
                "name": user.org_name,
                "legal_representative": user.person_name,
                "contact_phone": user.mobile,
                "contact_email": user.email,
                "region": user.region if user.region and user.region.is_registrable else None,
            },
        )
        if enterprise.account_id is None:
            enterprise.account = user
            enterprise.save(update_fields=["account"])
    return enterprise


def _display(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _apply(
    *, enterprise: Enterprise, by: User, data: dict[str, Any], figures: dict[int, dict[str, Any]]
) -> dict[str, dict[str, str]]:
    """Write profile fields and yearly figures; return what changed as {key: label/before/after}."""
    changes: dict[str, dict[str, str]] = {}
    for field, value in data.items():
        before = getattr(enterprise, field)
        if before != value:
            label = str(Enterprise._meta.get_field(field).verbose_name)
            changes[field] = {"label": label, "before": _display(before), "after": _display(value)}
            setattr(enterprise, field, value)
    enterprise._history_user = by  # simple-history: who changed it
    enterprise.save()
    existing = {f.year: f for f in enterprise.figures.all()}
    for year, values in figures.items():
        row = existing.get(year) or YearFigures(enterprise=enterprise, year=year)
        touched = False
        for field in FIGURE_FIELDS:
            if field not in values:
                continue
            before, after = getattr(row, field), values[field]
            if before != after:
                label = f"{year}年{YearFigures._meta.get_field(field).verbose_name}"
                changes[f"{year}.{field}"] = {"label": label, "before": _display(before),
                                              "after": _display(after)}
                setattr(row, field, after)
                touched = True
        if touched or row.pk is None:
            row._history_user = by
            row.save()
    if "region" in data or "name" in data:
        _sync_account(enterprise)
    return changes


def _sync_account(enterprise: Enterprise) -> None:
    # The account follows the enterprise's 注册地 and name so its requests reach the same officials.
    if enterprise.account_id:
        User.objects.filter(pk=enterprise.account_id).update(
            region=enterprise.region, org_name=enterprise.name
        )


@transaction.atomic
def enterprise_update_profile(
    *, enterprise: Enterprise, by: User, data: dict[str, Any], figures: dict[int, dict[str, Any]]
) -> dict[str, dict[str, str]]:
    """【编辑】: only an enterprise that is not recognised edits its basic information."""
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if selectors.is_recognised(enterprise):
        raise ValidationError("已认定企业不能编辑基本信息，请在每年信息更新期间使用【信息更新】。")
    return _apply(enterprise=enterprise, by=by, data=data, figures=figures)


@transaction.atomic
def info_update_submit(
    *, enterprise: Enterprise, by: User, data: dict[str, Any], figures: dict[int, dict[str, Any]]
) -> InfoUpdate:
    """【信息更新】: a recognised enterprise, inside its window, updates and submits."""
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    today = selectors.today()
    if not selectors.is_recognised(enterprise, today):
        raise ValidationError("未认定企业无需进行年度信息更新，请使用【编辑】维护基本信息。")
    window = selectors.update_window(enterprise=enterprise, year=today.year)
    if not window.is_open(today):
        raise ValidationError(
            f"{today.year}年信息更新时间为{window.starts_on:%-m月%-d日}至{window.ends_on:%-m月%-d日}，当前不在更新期内。"
        )
    existing = InfoUpdate.objects.filter(enterprise=enterprise, year=today.year).first()
    if existing is not None and existing.status == InfoUpdate.Status.SUBMITTED:
        raise ValidationError(f"{today.year}年信息更新已提交，如需修改请联系主管部门退回。")
    changes = _apply(enterprise=enterprise, by=by, data=data, figures=figures)
    now = timezone.now()
    if existing is None:
        created = InfoUpdate.objects.create(
            enterprise=enterprise, year=today.year, figures_year=today.year - 1, changes=changes,
            submitted_by=by, submitted_at=now,
        )
        record_start(workflow=INFO_UPDATE_WORKFLOW, subject=created, action="submit", by=by)
        return created

    def apply(locked: InfoUpdate, step: Step) -> list[str]:
        locked.changes = {**locked.changes, **changes}
        locked.submitted_by, locked.submitted_at = by, now
        return ["changes", "submitted_by", "submitted_at"]

    resubmitted, _ = decide(workflow=INFO_UPDATE_WORKFLOW, subject=existing, action="resubmit",
                            by=by, apply=apply)
    return resubmitted


@transaction.atomic
def info_update_return(*, info_update: InfoUpdate, by: User, opinion: str) -> InfoUpdate:
    """退回: the enterprise corrects and submits again; the opinion stays in the events."""

    def apply(locked: InfoUpdate, step: Step) -> list[str]:
        locked.opinion, locked.returned_by, locked.returned_at = opinion.strip(), by, timezone.now()
        return ["opinion", "returned_by", "returned_at"]

    returned, event = decide(workflow=INFO_UPDATE_WORKFLOW, subject=info_update, action="return",
                             by=by, opinion=opinion, apply=apply,
                             may=_official_in_scope("enterprise__region"))
    account_id = Enterprise.objects.filter(pk=returned.enterprise_id).values_list(
        "account_id", flat=True).first()
    if account_id:
        message_send(category=Category.INFO_UPDATE, kind="info-update-return", email=True,
                     outgoing=[Outgoing(
                         recipient_id=account_id, subject=f"info_update:{returned.pk}",
                         period=str(event.pk), link=reverse("enterprises:update"),
                         title=f"您的{returned.year}年信息更新已被退回，请修改后重新提交",
                         body=f"退回意见：{returned.opinion}\n请在信息更新截止日期前修改并重新提交。")])
    return returned


# --- 重大变更 ----------------------------------------------------------------------------------

CHANGE_FIELDS = ["change_type", "changed_on", "before", "after", "reason", "new_name", "new_region"]


def _check_change(data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if data["changed_on"] > selectors.today():
        errors["changed_on"] = "变更日期不能晚于今天。"
    if data["change_type"] == ChangeType.RENAME and not (data.get("new_name") or "").strip():
        errors["new_name"] = "更名须填写变更后企业名称。"
    if data["change_type"] == ChangeType.RELOCATION:
        region = data.get("new_region")
        if region is None or not region.is_registrable:
            errors["new_region"] = "跨省迁移/注册地变更须选择变更后的区县级注册地。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def change_save(
    *,
    enterprise: Enterprise,
    by: User,
    data: dict[str, Any],
    files: list[UploadedFile],
    change: MajorChange | None = None,
) -> MajorChange:
    """Save a report as 暂存 (new or an editable one); files are added to its evidence."""
    _check_change(data)
    if change is None:
        change = MajorChange(enterprise=enterprise)
    else:
        change = MajorChange.objects.select_for_update().get(pk=change.pk, enterprise=enterprise)
        if not change.editable:
            raise ValidationError("已提交的变更记录不能修改。")
    for field in CHANGE_FIELDS:
        setattr(change, field, data.get(field) if field != "new_name" else data.get(field) or "")
    change.save()
    for upload in files:
        ChangeEvidence.objects.create(change=change, file=upload, name=(upload.name or "")[:255],
                                      size=upload.size or 0)
    return change


@transaction.atomic
def change_delete(*, change: MajorChange) -> None:
    locked = MajorChange.objects.select_for_update().get(pk=change.pk)
    if locked.status != MajorChange.Status.DRAFT:
        raise ValidationError("只有暂存的变更记录可以删除。")
    for item in locked.evidence.all():
        item.file.delete(save=False)
    locked.delete()


@transaction.atomic
def change_submit(*, change: MajorChange, by: User) -> MajorChange:
    def apply(locked: MajorChange, step: Step) -> list[str]:
        if not locked.evidence.exists():
            raise ValidationError("请至少上传一份证明材料后再提交。")
        now = timezone.now()
        locked.submitted_at = now
        # Reported more than 3 months after the change: accepted, flagged (§2.6: may cost 复核资格).
        locked.is_late = timezone.localdate(now) > locked.changed_on + REPORT_WITHIN
        if locked.review_region_id is None:
            locked.review_region = locked.enterprise.region
        return ["submitted_at", "is_late", "review_region"]

    try:
        submitted, _ = decide(
            workflow=CHANGE_WORKFLOW, subject=change, action="submit", by=by, apply=apply,
            may=lambda by, locked, step: by.pk == locked.enterprise.account_id,
            queryset=MajorChange.objects.select_related("enterprise"))
    except ValidationError as exc:
        if exc.code == "transition":
            raise ValidationError("该变更记录已提交，不能重复提交。") from None
        raise
    return submitted


def _decide(change: MajorChange, by: User, action: str, opinion: str,
            still_meets: bool | None = None) -> MajorChange:
    def apply(locked: MajorChange, step: Step) -> list[str]:
        locked.opinion, locked.decided_by, locked.decided_at = opinion.strip(), by, timezone.now()
        locked.still_meets = still_meets
        return ["opinion", "decided_by", "decided_at", "still_meets"]

    decided, event = decide(workflow=CHANGE_WORKFLOW, subject=change, action=action, by=by,
                            opinion=opinion, apply=apply, may=_official_in_scope("review_region"),
                            queryset=MajorChange.objects.select_related("enterprise"))
    _tell_change_decided(decided, event)
    return decided


# What the enterprise is told when its major change is decided (认定通知: the title and its
# conditions follow the change).
_CHANGE_OUTCOME = {
    "approve": "已通过审核",
    "return": "已被退回，请修改后重新提交",
    "reject": "未通过审核",
}


def _tell_change_decided(change: MajorChange, event: DecisionEvent) -> None:
    account_id = change.enterprise.account_id
    if not account_id:
        return
    body = f"变更类型：{change.get_change_type_display()}；变更日期：{change.changed_on:%Y-%m-%d}。"
    if change.still_meets is not None:
        body += f"\n审核结论：{change.get_still_meets_display()}。"
    if change.opinion:
        body += f"\n审核意见：{change.opinion}"
    message_send(category=Category.RECOGNITION, kind=f"change-{event.action}", email=True,
                 outgoing=[Outgoing(
                     recipient_id=account_id, subject=f"major_change:{change.pk}",
                     period=str(event.pk),
                     link=reverse("enterprises:change_detail", args=[change.public_id]),
                     title=f"您报告的重大变更（{change.get_change_type_display()}）"
                           f"{_CHANGE_OUTCOME[event.action]}",
                     body=body)])


@transaction.atomic
def change_approve(*, change: MajorChange, by: User, still_meets: bool | None,
                   opinion: str = "") -> MajorChange:
    """Approve and apply: a new name renames the enterprise; a move hands it to the new region.

    `still_meets` is the outcome the official states (domain.md §2.6): True 仍符合认定条件 —
    titles and validity unchanged; False 不再符合 — the change's admin page then offers 取消认定
    to the recognising level (`MajorChange.calls_for_cancellation`).
    """
    if still_meets is None:
        raise ValidationError({"still_meets": "请选择变更后企业是否仍符合认定条件。"})
    locked = _decide(change, by, "approve", opinion, still_meets=bool(still_meets))
    enterprise = Enterprise.objects.select_for_update().get(pk=locked.enterprise_id)
    if locked.change_type == ChangeType.RENAME:
        enterprise.name = locked.new_name
    elif locked.change_type == ChangeType.RELOCATION and locked.new_region_id:
        enterprise.region = locked.new_region
    enterprise._history_user = by
    enterprise.save()
    _sync_account(enterprise)
    return locked


@transaction.atomic
def change_return(*, change: MajorChange, by: User, opinion: str) -> MajorChange:
    return _decide(change, by, "return", opinion)


@transaction.atomic
def change_reject(*, change: MajorChange, by: User, opinion: str) -> MajorChange:
    return _decide(change, by, "reject", opinion)


# --- titles entered by officials, and the annual update windows ---------------------------------


def _enterprise_in_scope(by: User, enterprise_id: int | None) -> bool:
    return enterprise_id is not None and not _outside_scope(by, [enterprise_id])


def _outside_scope(by: User, enterprise_ids: Sequence[int]) -> set[int]:
    """The ids among `enterprise_ids` that are not in `by`'s scope (one query per 500)."""
    wanted = set(enterprise_ids)
    inside: set[int] = set()
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 500):
        inside.update(for_user(Enterprise.objects.filter(pk__in=ordered[start:start + 500]),
                               by, "region").values_list("pk", flat=True))
    return wanted - inside


@dataclass(frozen=True, slots=True)
class Title:
    """One title to grant (a row of `recognitions_grant`)."""

    enterprise_id: int
    tier: str
    valid_from: dt.date
    valid_until: dt.date
    batch: str = ""
    document_no: str = ""
    certificate_no: str = ""
    standard_version: str = "2022"


def standard_version_on(day: dt.date) -> str:
    """The standard a title recognised on `day` was judged by when nothing says otherwise
    (imports, entries by hand): 工信部企业〔2026〕2号 from 2026-04-01, the 2022 one before."""
    return "2026" if day >= dt.date(2026, 4, 1) else "2022"


def _first_terms(rows: Sequence[Recognition], source: str) -> None:
    """Each new title's first validity period (its history; 复核 adds the later ones)."""
    RecognitionTerm.objects.bulk_create(
        [RecognitionTerm(recognition=r, valid_from=r.valid_from, valid_until=r.valid_until,
                         source=source, batch=r.batch, document_no=r.document_no) for r in rows],
        batch_size=500)
    rows_changed(Recognition, [r.pk for r in rows])  # titles written in bulk send no signal


def valid_until_for(valid_from: dt.date) -> dt.date:
    """The last day of a title valid for 3 years from `valid_from` (domain.md §0.7):
    2026-06-01 → 2029-05-31; a title from 29 February ends on 28 February."""
    return valid_from + relativedelta(years=3) - dt.timedelta(days=1)


@transaction.atomic
def recognitions_grant(*, by: User, titles: Sequence[Title]) -> list[Recognition]:
    """Grant titles in bulk (认定 of a batch): every enterprise must be in `by`'s scope, or
    nothing is written (PermissionDenied naming how many are not). One insert per 500 rows."""
    if not by.has_perm("enterprises.add_recognition"):
        raise PermissionDenied("您无权录入认定记录。")
    outside = _outside_scope(by, [t.enterprise_id for t in titles])
    if outside:
        raise PermissionDenied(f"有 {len(outside)} 家企业不在您的管辖范围内，未认定。")
    regions = dict(Enterprise.objects.filter(pk__in={t.enterprise_id for t in titles})
                   .values_list("pk", "region_id"))
    rows = [Recognition(enterprise_id=t.enterprise_id, region_id=regions.get(t.enterprise_id),
                        tier=t.tier, batch=t.batch, document_no=t.document_no,
                        certificate_no=t.certificate_no, valid_from=t.valid_from,
                        valid_until=t.valid_until, standard_version=t.standard_version)
            for t in titles]
    for row in rows:
        if row.valid_until < row.valid_from:
            raise ValidationError({"valid_until": "有效期止不能早于有效期起。"})
    created = Recognition.objects.bulk_create(rows, batch_size=500)
    # bulk_create sends no signals: the change history is written the same way, in bulk.
    Recognition.history.bulk_history_create(created, batch_size=500, default_user=by)
    _first_terms(created, RecognitionTerm.Source.RECOGNITION)
    return created


@dataclass(frozen=True, slots=True)
class Renewal:
    """One title whose 复核 passed: it renews the validity ending on `renews_until`."""

    recognition_id: int
    renews_until: dt.date


@transaction.atomic
def recognitions_renew(*, by: User, renewals: Sequence[Renewal], batch: str = "",
                       document_no: str = "") -> list[Recognition]:
    """复核通过 (domain.md §2.8): each title's validity is extended by 3 years from the day
    after the end it renews — the same title, a new row in its validity history. Every title
    must be in `by`'s scope, still end on that day (not renewed already), not be cancelled and
    not have lost its 复核 eligibility, or nothing is written."""
    if not by.has_perm("enterprises.add_recognition"):
        raise PermissionDenied("您无权办理复核。")
    wanted = {r.recognition_id: r.renews_until for r in renewals}
    rows = list(Recognition.objects.select_for_update(of=("self",)).select_related("enterprise")
                .filter(pk__in=wanted).order_by("pk"))
    outside = _outside_scope(by, [r.enterprise_id for r in rows])
    if outside or len(rows) != len(wanted):
        raise PermissionDenied(f"有 {len(outside) or len(wanted) - len(rows)} 家企业不在您的管辖范围内，未办理复核。")
    terms = []
    for row in rows:
        if row.state == Recognition.State.REVOKED:
            raise ValidationError(f"{row.enterprise.name}的称号已被取消，不能复核通过。")
        if row.rereview_status == Recognition.Rereview.BARRED:
            raise ValidationError(f"{row.enterprise.name}的称号已被取消复核资格，不能复核通过。")
        if row.valid_until != wanted[row.pk]:
            raise ValidationError(f"{row.enterprise.name}的称号有效期已变更（现至"
                                  f"{row.valid_until:%Y-%m-%d}），请核对后再办理。")
        starts = row.valid_until + dt.timedelta(days=1)
        row.valid_until = valid_until_for(starts)
        terms.append(RecognitionTerm(recognition=row, valid_from=starts,
                                     valid_until=row.valid_until,
                                     source=RecognitionTerm.Source.REREVIEW, batch=batch,
                                     document_no=document_no))
    Recognition.objects.bulk_update(rows, ["valid_until"], batch_size=500)
    Recognition.history.bulk_history_create(rows, batch_size=500, update=True, default_user=by)
    RecognitionTerm.objects.bulk_create(terms, batch_size=500)
    rows_changed(Recognition, [r.pk for r in rows])
    return rows


@transaction.atomic
def recognition_save(
    *, by: User, recognition: Recognition | None, enterprise: Enterprise, tier: str,
    valid_from: dt.date, valid_until: dt.date, batch: str = "", certificate_no: str = "",
    document_no: str = "",
) -> Recognition:
    """Record (recognition=None) or correct a title an official enters by hand.

    Both the enterprise it is given to and, on a change, the enterprise it belonged to must be
    in `by`'s scope: a title is never moved into or out of another region (PermissionDenied).
    A cancelled title is a record and is not corrected; cancelling goes only through
    `recognition_revoke`.
    """
    if recognition is None:
        if not by.has_perm("enterprises.add_recognition"):
            raise PermissionDenied("您无权录入认定记录。")
        row = Recognition()
    else:
        row = Recognition.objects.select_for_update().get(pk=recognition.pk)
        if not by.has_perm("enterprises.change_recognition", row) or not _enterprise_in_scope(
                by, row.enterprise_id):
            raise PermissionDenied("该认定记录不在您的管辖范围内。")
        if row.state == Recognition.State.REVOKED:
            raise ValidationError("已取消的认定记录不能修改。")
    if not _enterprise_in_scope(by, enterprise.pk):
        raise PermissionDenied("该企业不在您的管辖范围内。")
    terms = list(row.terms.order_by("valid_from")) if row.pk else []
    if len(terms) > 1 and (row.valid_from, row.valid_until) != (valid_from, valid_until):
        raise ValidationError({"valid_until": "该称号已有复核通过的有效期记录，有效期不能直接修改。"})
    if row.pk is None:
        row.standard_version = standard_version_on(valid_from)
    row.enterprise, row.region_id = enterprise, enterprise.region_id
    row.tier, row.batch, row.certificate_no = tier, batch, certificate_no
    row.document_no = document_no
    row.valid_from, row.valid_until = valid_from, valid_until
    row.full_clean()
    row.save()
    if not terms:
        _first_terms([row], RecognitionTerm.Source.ENTRY)
    else:  # the one term follows a correction of the dates, the batch or the document
        RecognitionTerm.objects.filter(pk=terms[0].pk).update(
            valid_from=valid_from, valid_until=valid_until, batch=batch, document_no=document_no)
    return row


# --- 取消认定 and 取消复核资格 (domain.md §2.6, §2.7) -----------------------------------------------

# The title re-read under the lock with what the recogniser check reads.
_TITLE_FOR_DECISION = Recognition.objects.select_related("enterprise__region")
_MAX_DOCUMENT_NO = Recognition._meta.get_field("revoke_document_no").max_length
_MAX_OPINION = Recognition._meta.get_field("revoke_reason").max_length


# The permission of each step (the rule is enterprises/rules.py `recognises_title`).
_TITLE_PERMISSIONS = {"revoke": "enterprises.revoke_recognition",
                      "bar": "enterprises.bar_rereview_recognition"}


def _recogniser(by: User, locked: Recognition, step: Step) -> bool:
    # Checked on the locked row: its tier and its enterprise's declaration region as they are.
    return by.has_perm(_TITLE_PERMISSIONS[step.action], locked)


@transaction.atomic
def recognition_revoke(*, recognition: Recognition, by: User, ground: str, document_no: str,
                       opinion: str) -> Recognition:
    """取消认定: the recognising level cancels a title in force, on one of the grounds of
    domain.md §2.7, with its 取消文号 and opinion (both required).

    Who may: `enterprises.revoke_recognition` on the title (PermissionDenied otherwise; the
    admin answers 404 before that for a title outside the official's scope). A title already
    cancelled — by this official a moment ago or by another — is refused with the record's
    state (common.workflow.decide). On ground 3 (misconduct) the title is flagged so that the
    declaration gate refuses the enterprise for 3 years (declarations.selectors). After commit
    the enterprise gets one 取消认定 message (its key: the title).
    """
    document_no = (document_no or "").strip()
    opinion = (opinion or "").strip()

    def apply(locked: Recognition, step: Step) -> list[str]:
        errors = {}
        if ground not in RevokeGround.values:
            errors["ground"] = "请选择取消依据。"
        if not document_no:
            errors["document_no"] = "请填写取消文号。"
        elif len(document_no) > _MAX_DOCUMENT_NO:
            errors["document_no"] = f"取消文号不能超过{_MAX_DOCUMENT_NO}个字。"
        if len(opinion) > _MAX_OPINION:
            errors["opinion"] = f"取消意见不能超过{_MAX_OPINION}个字。"
        if errors:
            raise ValidationError(errors)
        locked.revoked_at, locked.revoked_by = timezone.now(), by
        locked.revoke_ground, locked.revoke_document_no = ground, document_no
        locked.revoke_reason = opinion
        locked.revoked_for_misconduct = ground == RevokeGround.MISCONDUCT
        return ["revoked_at", "revoked_by", "revoke_ground", "revoke_document_no",
                "revoke_reason", "revoked_for_misconduct"]

    revoked, _ = decide(workflow=REVOCATION_WORKFLOW, subject=recognition, action="revoke",
                        by=by, opinion=opinion, may=_recogniser, apply=apply,
                        queryset=_TITLE_FOR_DECISION)
    transaction.on_commit(lambda: recognition_revoked_notify(recognition_id=revoked.pk, by=by))
    return revoked


def recognition_revoked_notify(*, recognition_id: int, by: User | None = None) -> int:
    """取消认定 message to the title's enterprise; its key (the title) makes a second call send
    nothing. Returns how many were new (0 for an enterprise without an account)."""
    title = (Recognition.objects.select_related("enterprise")
             .filter(pk=recognition_id, state=Recognition.State.REVOKED).first())
    if title is None or not title.enterprise.account_id:
        return 0
    ground = title.get_revoke_ground_display() or "—"
    body = (f"根据《优质中小企业梯度培育管理暂行办法》，您的“{title.get_tier_display()}”称号"
            f"（证书编号：{title.certificate_no or '—'}）已于{_cn_date(timezone.localdate(title.revoked_at))}"
            f"被取消认定。\n取消依据：{ground}\n取消文号：{title.revoke_document_no or '—'}")
    if title.revoke_reason:
        body += f"\n取消意见：{title.revoke_reason}"
    until = title.may_declare_again_on
    if until is not None:
        body += f"\n自取消之日起三年内不得再次申报（{_cn_date(until)}前）。"
    return message_send(category=Category.REVOCATION, kind="recognition-revoked", email=True,
                        sent_by=by, outgoing=[Outgoing(
                            recipient_id=title.enterprise.account_id,
                            subject=f"recognition:{title.pk}",
                            title=f"您的“{title.get_tier_display()}”称号已被取消认定",
                            body=body, link=reverse("enterprises:profile"))])


def recognition_barred_notify(*, recognition_id: int, by: User | None = None) -> int:
    """The enterprise is told its title will not be renewed (取消认定 tab: the title's standing
    with the recognising level); one message per title."""
    title = (Recognition.objects.select_related("enterprise")
             .filter(pk=recognition_id, rereview_status=Recognition.Rereview.BARRED).first())
    if title is None or not title.enterprise.account_id:
        return 0
    body = (f"您的“{title.get_tier_display()}”称号（有效期至{_cn_date(title.valid_until)}）"
            f"已被取消复核资格：有效期届满后不再复核延续。\n理由：{title.rereview_bar_reason}")
    return message_send(category=Category.REVOCATION, kind="rereview-barred", email=True,
                        sent_by=by, outgoing=[Outgoing(
                            recipient_id=title.enterprise.account_id,
                            subject=f"recognition:{title.pk}",
                            title=f"您的“{title.get_tier_display()}”称号已被取消复核资格",
                            body=body, link=reverse("enterprises:profile"))])


@transaction.atomic
def recognition_bar_rereview(*, recognition: Recognition, by: User, opinion: str) -> Recognition:
    """取消复核资格: the title stays until its validity ends, but it will not be renewed
    (domain.md §2.6: a major change reported late; §2.7 item 5). The same recognising level as
    `recognition_revoke`; a cancelled title has nothing left to renew and is refused."""
    opinion = (opinion or "").strip()

    def apply(locked: Recognition, step: Step) -> list[str]:
        if locked.state == Recognition.State.REVOKED:
            raise ValidationError("该称号已取消认定，无需取消复核资格。")
        if len(opinion) > _MAX_OPINION:
            raise ValidationError({"opinion": f"理由不能超过{_MAX_OPINION}个字。"})
        locked.rereview_barred_at, locked.rereview_barred_by = timezone.now(), by
        locked.rereview_bar_reason = opinion
        return ["rereview_barred_at", "rereview_barred_by", "rereview_bar_reason"]

    barred, _ = decide(workflow=REREVIEW_BAR_WORKFLOW, subject=recognition, action="bar", by=by,
                       opinion=opinion, may=_recogniser, apply=apply,
                       queryset=_TITLE_FOR_DECISION)
    transaction.on_commit(lambda: recognition_barred_notify(recognition_id=barred.pk, by=by))
    return barred


def _manages_update_window(by: User, declaration_region_id: int | None) -> bool:
    if by.is_superuser or by.official_level == OfficialLevel.MINISTRY:
        return True
    # The national window (no region) is the ministry's; a province keeps its own region's.
    return declaration_region_id is not None and DeclarationRegion.objects.filter(
        declaration_region_q(by, "pk"), pk=declaration_region_id).exists()


@transaction.atomic
def update_window_save(
    *, by: User, window: UpdateWindow | None, year: int,
    declaration_region: DeclarationRegion | None, starts_on: dt.date, ends_on: dt.date,
) -> UpdateWindow:
    """Create (window=None) or change one year's information-update window."""
    perm = "enterprises.add_updatewindow" if window is None else "enterprises.change_updatewindow"
    row = UpdateWindow() if window is None else UpdateWindow.objects.select_for_update().get(
        pk=window.pk)
    if not by.has_perm(perm) or (
            window is not None and not _manages_update_window(by, row.declaration_region_id)):
        raise PermissionDenied("您无权修改该信息更新时间。")
    if not _manages_update_window(by, declaration_region.pk if declaration_region else None):
        raise PermissionDenied("您只能维护本地区的信息更新时间。")
    row.year, row.declaration_region = year, declaration_region
    row.starts_on, row.ends_on = starts_on, ends_on
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def rereview_setting_save(
    *, by: User, setting: RereviewSetting | None, declaration_region: DeclarationRegion | None,
    tier: str, opens_months_before: int, closes_months_after: int,
) -> RereviewSetting:
    """Create (setting=None) or change when a tier's titles may apply for 复核 in a region
    (no region: the national default, the ministry's)."""
    perm = ("enterprises.add_rereviewsetting" if setting is None
            else "enterprises.change_rereviewsetting")
    row = RereviewSetting() if setting is None else RereviewSetting.objects.select_for_update().get(
        pk=setting.pk)
    if not by.has_perm(perm) or (
            setting is not None and not _manages_update_window(by, row.declaration_region_id)):
        raise PermissionDenied("您无权修改该复核申请时间。")
    if not _manages_update_window(by, declaration_region.pk if declaration_region else None):
        raise PermissionDenied("您只能维护本地区的复核申请时间。")
    row.declaration_region, row.tier = declaration_region, tier
    row.opens_months_before, row.closes_months_after = opens_months_before, closes_months_after
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def rereview_setting_delete(*, by: User, setting: RereviewSetting) -> None:
    if not by.has_perm("enterprises.delete_rereviewsetting") or not _manages_update_window(
            by, setting.declaration_region_id):
        raise PermissionDenied("您无权删除该复核申请时间。")
    setting.delete()


# --- Import of historical recognised lists (enterprises/imports.py validates the file) ----------


@transaction.atomic
def recognitions_import(*, by: User, rows: list[dict[str, Any]]) -> int:
    """Record the titles of a ministry's published batch list, all or nothing.

    Each row: name, uscc, region (a registrable Region), tier, batch, valid_from, valid_until.
    The bulk variant of `recognition_save`: the same permission, and every enterprise — found
    by its code, or created with its name, code and 注册地 — must be in `by`'s scope; one row
    outside refuses the whole file (PermissionDenied). A title already recorded (same
    enterprise, tier and batch) is a ValidationError. Returns the number of titles created.
    """
    if not by.has_perm("enterprises.add_recognition"):
        raise PermissionDenied("您无权录入认定记录。")
    codes = {row["uscc"] for row in rows}
    existing = {e.uscc: e for e in Enterprise.objects.select_for_update().filter(uscc__in=codes)}
    in_scope_ids = set(for_user(Enterprise.objects.filter(uscc__in=codes), by, "region")
                       .values_list("pk", flat=True))
    region_ids = {row["region"].pk for row in rows}
    regions_in_scope = set(for_user(Region.objects.filter(pk__in=region_ids), by, "")
                           .values_list("pk", flat=True))
    titles = []
    for row in rows:
        enterprise = existing.get(row["uscc"])
        if enterprise is None:
            if row["region"].pk not in regions_in_scope:
                raise PermissionDenied(f"{row['name']}（{row['uscc']}）不在您的管辖范围内。")
            enterprise = Enterprise(name=row["name"], uscc=row["uscc"], region=row["region"])
            enterprise._history_user = by  # simple-history: who created it
            enterprise.save()
            existing[row["uscc"]] = enterprise
        elif enterprise.pk not in in_scope_ids:
            raise PermissionDenied(f"{row['name']}（{row['uscc']}）不在您的管辖范围内。")
        titles.append(Recognition(enterprise=enterprise, region_id=enterprise.region_id,
                                  tier=row["tier"], batch=row["batch"],
                                  valid_from=row["valid_from"], valid_until=row["valid_until"],
                                  standard_version=standard_version_on(row["valid_from"])))
    taken = set(Recognition.objects.filter(enterprise__in=[t.enterprise for t in titles])
                .values_list("enterprise_id", "tier", "batch"))
    for title in titles:
        if (title.enterprise_id, title.tier, title.batch) in taken:
            raise ValidationError(f"{title.enterprise.name}的该批次认定记录已存在。")
        title.full_clean()
    created = Recognition.objects.bulk_create(titles)
    Recognition.history.bulk_history_create(created, default_user=by)
    _first_terms(created, RecognitionTerm.Source.IMPORT)
    return len(titles)


# --- the calendar (enterprises/tasks.py; manage.py remind_expiry, remind_info_update) ----------
# Each job reads in bulk and sends through messaging's one service, whose unique key
# (recipient, kind, subject, period) makes a second run — or two at once — send nothing twice.
# A reminder is due from its stage on, not only on the day itself, so a missed day loses
# nothing; only the nearest stage is sent (a title first seen 5 days before expiry gets the
# 7-day reminder, not three at once).

EXPIRY_STAGES = (7, 30, 90)  # days before a title's validity ends (design.md "The calendar")
# A title that ended this many days ago or less is still told it has expired (a job that did
# not run for a while catches up; older ones were told by earlier runs).
EXPIRED_LOOKBACK = dt.timedelta(days=90)
INFO_UPDATE_STAGES = (7, 30)  # days before the information-update window closes


def _nearest_stage(days_left: int, stages: tuple[int, ...]) -> int | None:
    return next((stage for stage in sorted(stages) if days_left <= stage), None)


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def recognition_expiry_remind(*, today: dt.date, dry_run: bool = False) -> dict[str, int]:
    """认定到期: titles ending within 90 / 30 / 7 days are reminded; ended ones are told they
    have expired (已过期: `Recognition.status`). Returns the new messages per kind."""
    rows = (Recognition.objects
            .filter(revoked_at__isnull=True, enterprise__account__isnull=False,
                    valid_until__gte=today - EXPIRED_LOOKBACK,
                    valid_until__lte=today + dt.timedelta(days=max(EXPIRY_STAGES)))
            .values_list("pk", "tier", "valid_until", "enterprise__account_id").iterator())
    outgoing: dict[str, list[Outgoing]] = {}
    link = reverse("enterprises:profile")
    for pk, tier, valid_until, account_id in rows:
        tier_name = Tier(tier).label
        days_left = (valid_until - today).days
        if days_left < 0:
            kind = "expired"
            title = f"您的“{tier_name}”称号已于{_cn_date(valid_until)}到期（已过期）"
            body = ("该称号有效期已届满，现为已过期状态。符合条件的，请关注主管部门的复核安排；"
                    "复核通过的，有效期延长三年。")
        else:
            stage = _nearest_stage(days_left, EXPIRY_STAGES)
            kind = f"expiry-{stage}"
            title = f"您的“{tier_name}”称号将于{_cn_date(valid_until)}到期"
            body = (f"距有效期届满还有{days_left}天。请按时完成年度信息更新并如实报告重大变化，"
                    "以保持复核资格；复核安排请关注主管部门通知。")
        outgoing.setdefault(kind, []).append(Outgoing(
            recipient_id=account_id, subject=f"recognition:{pk}", period=valid_until.isoformat(),
            title=title, body=body, link=link))
    return {kind: message_send(category=Category.EXPIRY, kind=kind, outgoing=items,
                               dry_run=dry_run)
            for kind, items in sorted(outgoing.items())}


def _update_window_groups(year: int) -> list[tuple[selectors.Window, Any]]:
    """(window, filter on enterprises) for the national window and each region's own."""
    regional = {w.declaration_region_id: selectors.Window(w.starts_on, w.ends_on)
                for w in UpdateWindow.objects.filter(year=year, declaration_region__isnull=False)}
    groups = [(selectors.update_window(enterprise=None, year=year),
               ~Q(region__declaration_region_id__in=list(regional)))]
    groups += [(window, Q(region__declaration_region_id=dr_id))
               for dr_id, window in regional.items()]
    return groups


def info_update_remind(*, today: dt.date, dry_run: bool = False) -> dict[str, int]:
    """信息更新: when the year's window opens recognised enterprises are told; 30 and 7 days
    before it closes those who have not updated are reminded; after it closes the missing ones
    are told they lose their 复核 eligibility (officials see them under 逾期未更新)."""
    year = today.year
    counts: dict[str, int] = {}
    link = reverse("enterprises:profile")
    submitted = Exists(InfoUpdate.objects.filter(enterprise=OuterRef("pk"), year=year,
                                                 status=InfoUpdate.Status.SUBMITTED))
    for window, where in _update_window_groups(year):
        recognised = Enterprise.objects.recognised(today).filter(where, account__isnull=False)
        missing = recognised.filter(~submitted)
        due = _cn_date(window.ends_on)
        sends: list[tuple[str, Any, str, str]] = []
        if window.is_open(today):
            sends.append(("info-update-open", missing, f"{year}年度信息更新已开始",
                          f"请于{due}前通过【企业信息】→【信息更新】更新企业信息（{year - 1}年度数据）。"
                          "未按时更新的，将取消复核资格。"))
            stage = _nearest_stage((window.ends_on - today).days, INFO_UPDATE_STAGES)
            if stage is not None and today > window.starts_on:
                sends.append((f"info-update-{stage}", missing, f"{year}年度信息更新将于{due}截止",
                              f"您尚未完成{year}年度信息更新，请于{due}前提交。"
                              "未按时更新的，将取消复核资格。"))
        elif today > window.ends_on:
            sends.append(("info-update-overdue", missing, f"您未按时完成{year}年度信息更新",
                          f"{year}年度信息更新已于{due}截止，您未按时提交。根据《优质中小企业梯度培育"
                          "管理暂行办法》，未及时更新信息的企业取消复核资格。"))
        for kind, enterprises, title, body in sends:
            outgoing = [Outgoing(recipient_id=account_id, subject="update-window",
                                 period=str(year), title=title, body=body, link=link)
                        for account_id in enterprises.values_list("account_id", flat=True)]
            counts[kind] = counts.get(kind, 0) + message_send(
                category=Category.INFO_UPDATE, kind=kind, outgoing=outgoing, dry_run=dry_run)
    return counts


def enterprise_counts_refresh(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The statistics' enterprise and title summaries, as of `now`: the state row locked,
    then one INSERT … SELECT each:
    `EnterpriseCount` (every enterprise by 注册地 and 门类; created this year and last,
    Asia/Shanghai), `RecognitionTierCount` and `RecognitionBatchCount` (every title by 注册地
    and 层级, and by 注册地 and 批次; recognised this year and last by `valid_from`, and valid
    on `now`'s Beijing day). Returns the rows written per table.

    The calendar runs it inside `declarations.services.statistics_refresh`, which rebuilds the
    declaration counts in the same transaction, so the page's one "as of" holds for all three.
    Atomic: the statistics page sees the old counts until the new ones are committed. The
    state row is locked first, so two rebuilds at once run one after the other (each deletes
    what the previous one committed); running it again only recounts.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    last_start, this_start, next_start = year_starts(day.year)
    with transaction.atomic():
        state, _ = EnterpriseCountState.objects.select_for_update().get_or_create(pk=1)
        EnterpriseCount.objects.all().delete()
        enterprises = insert_select(EnterpriseCount, Enterprise.objects.order_by().values(
            "region_id", section=Coalesce("industry__section", Value(""))).annotate(
            enterprises=Count("id"),
            created_this_year=Count("id", filter=Q(created_at__gte=this_start,
                                                   created_at__lt=next_start)),
            created_last_year=Count("id", filter=Q(created_at__gte=last_start,
                                                   created_at__lt=this_start))))
        rows = {"enterprises": enterprises}
        # Counting a NOT NULL column of `recognition_statistics`, which holds every column
        # read here: PostgreSQL answers from the index alone.
        granted = {"valid": Count("tier", filter=Q(revoked_at__isnull=True, valid_from__lte=day,
                                                   valid_until__gte=day)),
                   "granted_this_year": Count("tier", filter=Q(valid_from__year=day.year)),
                   "granted_last_year": Count("tier", filter=Q(valid_from__year=day.year - 1))}
        for name, model, dimension in (("title_tiers", RecognitionTierCount, "tier"),
                                       ("title_batches", RecognitionBatchCount, "batch")):
            model.objects.all().delete()
            rows[name] = insert_select(model, Recognition.objects.order_by().values(
                "region_id", dimension).annotate(**granted))
        state.refreshed_at, state.year = now, day.year
        state.save(update_fields=["refreshed_at", "year"])
    return rows
