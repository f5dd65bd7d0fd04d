"""Announcement services: scope per level, sanitising, scheduled publishing, withdrawal."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from announcements import services
from announcements.models import Attachment, Level, SiteSettings, Status
from common.workflow import events_for
from tests.announcements.conftest import PDF_BYTES, pdf
from tests.common.zips import PNG, zip_bytes
from tests.common.zips import upload as zip_upload

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def draft(by, title="关于开展2026年创新型中小企业评价工作的通知", body="<p>正文</p>"):
    return services.announcement_save(by=by, title=title, body=body, kind="notice")


def test_the_ministry_publishes_at_ministry_level(ministry):
    announcement = draft(ministry)
    assert announcement.level == Level.MINISTRY and announcement.issuing_region is None
    assert announcement.status == Status.DRAFT


def test_a_province_official_publishes_for_its_own_region(gd_province, sz_province):
    assert draft(gd_province).issuing_region.code == "440000"
    # 深圳 is a 计划单列市: its announcements are its own, not 广东's.
    assert draft(sz_province).issuing_region.code == "440300"
    assert draft(gd_province).level == Level.PROVINCE


@pytest.mark.parametrize("persona", ["gz_city", "tianhe_county", "ent_tianhe", "person"])
def test_city_county_and_non_officials_cannot_publish(persona, request):
    with pytest.raises(PermissionDenied):
        draft(request.getfixturevalue(persona))


def test_a_province_official_cannot_change_or_publish_another_regions_announcement(
        gd_province, js_province, ministry):
    jiangsu = draft(js_province)
    with pytest.raises(PermissionDenied):
        services.announcement_save(by=gd_province, announcement=jiangsu, title="改", body="",
                                   kind="notice")
    with pytest.raises(PermissionDenied):
        services.announcement_publish(announcement=jiangsu, by=gd_province)
    # Nor a ministry announcement; and the ministry does not publish for a province.
    with pytest.raises(PermissionDenied):
        services.announcement_publish(announcement=draft(ministry), by=gd_province)
    with pytest.raises(PermissionDenied):
        services.announcement_publish(announcement=jiangsu, by=ministry)


def test_a_body_with_script_and_event_handlers_comes_out_clean(ministry):
    body = ('<p onclick="steal()">第一段<script>alert(1)</script></p>'
            '<img src=x onerror="alert(2)"><a href="javascript:alert(3)">链接</a>'
            '<a href="https://www.miit.gov.cn/">工信部</a><style>p{}</style>'
            '<table><tr><td colspan="2" style="color:red">表格</td></tr></table>')
    announcement = draft(ministry, body=body)
    stored = announcement.body
    for bad in ["<script", "alert(1)", "onerror", "onclick", "javascript:", "<img", "<style",
                "style="]:
        assert bad not in stored
    assert "第一段" in stored and 'href="https://www.miit.gov.cn/"' in stored
    assert '<td colspan="2">表格</td>' in stored
    assert announcement.body_text.startswith("第一段")
    assert "<" not in announcement.body_text


def test_a_row_written_around_the_service_is_still_rendered_clean(ministry):
    announcement = draft(ministry)
    type(announcement).objects.filter(pk=announcement.pk).update(
        body='<p>x</p><script>alert(1)</script><a href="javascript:x()">y</a>')
    announcement.refresh_from_db()
    assert "script" not in announcement.body_html and "javascript" not in announcement.body_html


def test_publishing_records_who_and_bumps_the_content_version(ministry):
    announcement = draft(ministry)
    before = SiteSettings.objects.get().content_version
    with time_machine.travel(datetime(2026, 3, 1, 9, 0, tzinfo=SH), tick=False):
        published = services.announcement_publish(announcement=announcement, by=ministry)
        assert published.status == Status.PUBLISHED and published.is_visible
        assert published.publish_at == datetime(2026, 3, 1, 9, 0, tzinfo=SH)
    assert SiteSettings.objects.get().content_version == before + 1
    [event] = events_for(announcement)
    assert (event.action, event.from_state, event.to_state, event.by, event.by_level) == (
        "publish", "draft", "published", ministry, "ministry")


def test_a_scheduled_announcement_appears_by_itself_at_its_time(ministry):
    announcement = draft(ministry)
    due = datetime(2026, 3, 2, 8, 0, tzinfo=SH)
    with time_machine.travel(datetime(2026, 3, 1, 9, 0, tzinfo=SH), tick=False):
        services.announcement_publish(announcement=announcement, by=ministry, publish_at=due)
        announcement.refresh_from_db()
        assert announcement.is_scheduled and not announcement.is_visible
        assert not type(announcement).objects.visible().exists()
    with time_machine.travel(datetime(2026, 3, 2, 7, 59, 59, tzinfo=SH), tick=False):
        assert not type(announcement).objects.visible().exists()
    with time_machine.travel(due, tick=False):
        assert list(type(announcement).objects.visible()) == [announcement]


def test_a_publish_time_in_the_past_is_refused_at_the_field(ministry):
    announcement = draft(ministry)
    with time_machine.travel(datetime(2026, 3, 1, 9, 0, tzinfo=SH), tick=False), \
            pytest.raises(ValidationError) as error:
        services.announcement_publish(announcement=announcement, by=ministry,
                                      publish_at=datetime(2026, 2, 1, 9, 0, tzinfo=SH))
    assert "publish_at" in error.value.message_dict


def test_withdrawing_twice_or_publishing_twice_is_refused(ministry):
    announcement = services.announcement_publish(announcement=draft(ministry), by=ministry)
    with pytest.raises(ValidationError):
        services.announcement_publish(announcement=announcement, by=ministry)
    services.announcement_withdraw(announcement=announcement, by=ministry)
    with pytest.raises(ValidationError):
        services.announcement_withdraw(announcement=announcement, by=ministry)
    # A withdrawn announcement may be published again.
    assert services.announcement_publish(announcement=announcement,
                                         by=ministry).status == Status.PUBLISHED


def test_a_published_announcement_is_withdrawn_not_deleted(ministry):
    announcement = services.announcement_publish(announcement=draft(ministry), by=ministry)
    with pytest.raises(PermissionDenied):
        services.announcement_delete(announcement=announcement, by=ministry)
    services.announcement_delete(announcement=draft(ministry, title="草稿"), by=ministry)


def test_an_attachment_is_checked_by_content_and_stored_under_a_generated_name(ministry):
    announcement = draft(ministry)
    attachment = services.attachment_add(announcement=announcement, by=ministry,
                                         file=pdf("2026年申报指南.pdf"))
    assert attachment.original_name == "2026年申报指南.pdf"
    assert "申报" not in attachment.file.name and attachment.file.name.endswith(".pdf")
    # A .pdf name over HTML content is refused, naming the file.
    html = SimpleUploadedFile("伪装.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError, match="伪装.pdf"):
        services.attachment_add(announcement=announcement, by=ministry, file=html)
    exe = SimpleUploadedFile("程序.exe", b"MZ\x90\x00")
    with pytest.raises(ValidationError, match="程序.exe"):
        services.attachment_add(announcement=announcement, by=ministry, file=exe)


def test_an_attachment_over_the_size_limit_is_refused(ministry, monkeypatch):
    monkeypatch.setattr(services, "ATTACHMENT_MAX_BYTES", 10)
    with pytest.raises(ValidationError, match="大小限制"):
        services.attachment_add(announcement=draft(ministry), by=ministry, file=pdf())


def test_site_settings_belong_to_the_ministry(ministry, gd_province):
    with pytest.raises(PermissionDenied):
        services.site_settings_update(by=gd_province, recognition_query_open=True,
                                      maker_contest_url="", maker_contest_title="x")
    row = services.site_settings_update(by=ministry, recognition_query_open=True,
                                        maker_contest_url="https://cx.example.cn/",
                                        maker_contest_title="创客中国")
    assert row.recognition_query_open
    with pytest.raises(ValidationError):
        services.site_settings_update(by=ministry, recognition_query_open=True,
                                      maker_contest_url="javascript:alert(1)",
                                      maker_contest_title="x")


def test_a_zip_attachment_is_opened_and_a_bad_one_keeps_nothing(ministry, settings):
    announcement = draft(ministry)
    bad = zip_upload(zip_bytes([("指南.pdf", PDF_BYTES), ("../../settings.py", b"x")]),
                     name="附件.zip")
    with pytest.raises(ValidationError, match="压缩包“附件.zip”中的文件“../../settings.py”路径不安全"):
        services.attachment_add(announcement=announcement, by=ministry, file=bad)
    assert not Attachment.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))
    # What an announcement may attach on its own may also travel in its zip.
    good = zip_upload(zip_bytes([("指南.pdf", PDF_BYTES), ("流程图.png", PNG)]), name="附件.zip")
    attachment = services.attachment_add(announcement=announcement, by=ministry, file=good)
    assert attachment.original_name == "附件.zip" and attachment.file.size == good.size
