"""Every write on announcements: save a draft, publish, withdraw, attachments, site settings.

Each change that the public can see bumps `SiteSettings.content_version`, which keys the
cached home fragments (selectors.py): the next request of every process rebuilds them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from common.pagecache import site_pages_changed
from common.uploads import validate_upload
from common.workflow import Step, Workflow, decide
from portal.accounts.models import OfficialLevel, User
from portal.regions.models import DeclarationRegion

from . import selectors
from .html import html_to_text, sanitize_html
from .models import Announcement, Attachment, Level, SiteSettings, Status

ATTACHMENT_TYPES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".zip", ".jpg", ".jpeg", ".png")
# A zip attachment may hold any attachment type except another archive.
ATTACHMENT_ZIP_MEMBER_TYPES = tuple(t for t in ATTACHMENT_TYPES if t != ".zip")
ATTACHMENT_MAX_BYTES: int = getattr(settings, "ANNOUNCEMENT_ATTACHMENT_MAX_BYTES",
                                    20 * 1024 * 1024)

# The announcement's transition table (common/workflow.py). Who may act is
# announcements/rules.py: the publisher of the announcement's level and region.
WORKFLOW = Workflow("announcement", [
    Step(Status.DRAFT, "publish", Status.PUBLISHED, "发布", "publisher"),
    Step(Status.WITHDRAWN, "publish", Status.PUBLISHED, "重新发布", "publisher"),
    Step(Status.PUBLISHED, "withdraw", Status.WITHDRAWN, "撤回", "publisher"),
], states=Status)


def site_settings() -> SiteSettings:
    """The one settings row (created by the migration; created here if someone deleted it)."""
    row = SiteSettings.objects.filter(pk=1).first()
    if row is None:
        row, _ = SiteSettings.objects.get_or_create(pk=1)
    return row


def _bump_content_version() -> None:
    updated = SiteSettings.objects.filter(pk=1).update(content_version=F("content_version") + 1)
    if not updated:
        SiteSettings.objects.get_or_create(pk=1, defaults={"content_version": 1})
    # This process sees the change at once; other workers within STATE_MEMO_SECONDS.
    selectors.forget_site_state()
    site_pages_changed()  # the enterprise pages' cache too
    transaction.on_commit(selectors.forget_site_state)


def level_for(user: User) -> tuple[str, DeclarationRegion | None]:
    """The level and issuing region an official publishes at (ministry: 部级; province: 省级)."""
    if user.official_level == OfficialLevel.MINISTRY:
        return Level.MINISTRY, None
    if user.official_level == OfficialLevel.PROVINCE and user.declaration_region_id:
        return Level.PROVINCE, user.declaration_region
    raise PermissionDenied("只有部级、省级管理员可以发布公告，市级、县级管理员只能查看。")


@transaction.atomic
def announcement_save(*, by: User, title: str, body: str, kind: str, pinned: bool = False,
                      announcement: Announcement | None = None, level: str | None = None,
                      issuing_region: DeclarationRegion | None = None) -> Announcement:
    """Create a draft (announcement=None) or change one; the body is stored sanitised.

    The level and issuing region follow the official (level_for); only an operator
    (superuser) names them. Changing a published announcement takes effect at once.
    """
    if announcement is None:
        if by.is_superuser and not by.is_official:
            # An operator names the level (部级 by default) and, for 省级, the region.
            level = level or Level.MINISTRY
            region = issuing_region if level == Level.PROVINCE else None
            if level == Level.PROVINCE and region is None:
                raise ValidationError({"issuing_region": "省级公告必须选择发布地区。"})
        else:
            level, region = level_for(by)
        announcement = Announcement(level=level, issuing_region=region, created_by=by)
        if not by.has_perm("announcements.add_announcement"):
            raise PermissionDenied("您无权发布公告。")
    else:
        # The row as it is now (its status may have changed since the caller read it).
        announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if not by.has_perm("announcements.change_announcement", announcement):
        raise PermissionDenied("您只能维护本级、本地区的公告。")
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "请填写标题。"})
    announcement.title = title
    announcement.body = str(sanitize_html(body))
    announcement.body_text = html_to_text(announcement.body)
    announcement.kind = kind
    announcement.pinned = pinned
    announcement.full_clean(exclude=["created_by", "publish_at"])
    announcement.save()
    if announcement.status == Status.PUBLISHED:
        _bump_content_version()
    return announcement


def _may(perm: str):  # noqa: ANN202
    def check(by: User, announcement: Announcement, step: Step) -> bool:
        return by.has_perm(perm, announcement)
    return check


@transaction.atomic
def announcement_publish(*, announcement: Announcement, by: User,
                         publish_at: datetime | None = None) -> Announcement:
    """Publish now, or at `publish_at` (a future time: it appears by itself then)."""
    now = timezone.now()
    if publish_at is not None and publish_at < now - timedelta(minutes=1):
        raise ValidationError({"publish_at": "发布时间不能早于当前时间；立即发布请留空。"})

    def apply(locked: Announcement, step: Step) -> list[str]:
        if not locked.title.strip():
            raise ValidationError("标题为空的公告不能发布。")
        locked.publish_at = max(publish_at, now) if publish_at else now
        return ["publish_at", "updated_at"]

    locked, _ = decide(workflow=WORKFLOW, subject=announcement, action="publish", by=by,
                       may=_may("announcements.publish_announcement"), apply=apply)
    _bump_content_version()
    return locked


@transaction.atomic
def announcement_withdraw(*, announcement: Announcement, by: User) -> Announcement:
    """Withdraw: gone from the home page, the list, the detail and its attachments at once."""
    locked, _ = decide(workflow=WORKFLOW, subject=announcement, action="withdraw", by=by,
                       may=_may("announcements.withdraw_announcement"),
                       apply=lambda locked, step: ["updated_at"])
    _bump_content_version()
    return locked


@transaction.atomic
def announcement_delete(*, announcement: Announcement, by: User) -> None:
    if not by.has_perm("announcements.delete_announcement", announcement):
        raise PermissionDenied("只能删除本级、本地区的草稿；已发布的公告请撤回。")
    for attachment in announcement.attachments.all():
        attachment.file.delete(save=False)
    announcement.delete()


def attachment_check(file: UploadedFile) -> None:
    """Raise a ValidationError naming the file unless it is an allowed, genuine file.

    A zip is opened and each of its entries checked the same way before anything is kept.
    """
    validate_upload(file, allowed=ATTACHMENT_TYPES, max_bytes=ATTACHMENT_MAX_BYTES,
                    zip_members=ATTACHMENT_ZIP_MEMBER_TYPES)


@transaction.atomic
def attachment_add(*, announcement: Announcement, by: User, file: UploadedFile,
                   ordering: int = 0) -> Attachment:
    if not by.has_perm("announcements.change_announcement", announcement):
        raise PermissionDenied("您无权修改该公告。")
    attachment_check(file)
    name = (file.name or "附件").replace("\\", "/").rsplit("/", 1)[-1][:255]
    attachment = Attachment(announcement=announcement, original_name=name, size=file.size or 0,
                            ordering=ordering)
    attachment.file.save(name, file, save=False)
    # A failed insert must not leave the stored file behind.
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by: User) -> None:
    if not by.has_perm("announcements.change_announcement", attachment.announcement):
        raise PermissionDenied("您无权修改该公告。")
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    # The file goes only once the row is gone for good.
    transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def site_settings_update(*, by: User, recognition_query_open: bool, maker_contest_url: str,
                         maker_contest_title: str) -> SiteSettings:
    row = SiteSettings.objects.select_for_update().filter(pk=1).first() or site_settings()
    if not by.has_perm("announcements.change_sitesettings", row):
        raise PermissionDenied("只有部级管理员可以修改首页设置。")
    row.recognition_query_open = recognition_query_open
    row.maker_contest_url = maker_contest_url
    row.maker_contest_title = maker_contest_title
    row.full_clean(exclude=["content_version"])
    # update_fields: never write back a stale content_version read before a concurrent publish.
    row.save(update_fields=["recognition_query_open", "maker_contest_url",
                            "maker_contest_title", "updated_at"])
    selectors.forget_site_state()
    transaction.on_commit(selectors.forget_site_state)
    return row
