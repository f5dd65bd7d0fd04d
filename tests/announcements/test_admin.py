"""The officials' admin for announcements: who may publish where, preview, confirmations."""

import pytest

from announcements import services
from announcements.models import Announcement, Level, SiteSettings, Status
from tests.announcements.conftest import make, pdf

pytestmark = pytest.mark.django_db
ADMIN = "/admin/announcements/announcement/"


def add(client, title="关于做好2026年专精特新中小企业认定工作的通知", **extra):
    data = {"kind": "notice", "title": title, "body": "<p>各有关单位：</p>",
            "attachments-TOTAL_FORMS": "1", "attachments-INITIAL_FORMS": "0",
            "attachments-MIN_NUM_FORMS": "0", "attachments-MAX_NUM_FORMS": "1000",
            "attachments-0-ordering": "0", **extra}
    return client.post(f"{ADMIN}add/", data)


def test_the_ministry_adds_a_ministry_draft_with_an_attachment(client, ministry):
    client.force_login(ministry)
    response = add(client, **{"attachments-0-file": pdf("附件1：申报书.pdf"),
                              "attachments-0-ordering": "0"})
    assert response.status_code == 302, response.content.decode()[:3000]
    announcement = Announcement.objects.get()
    assert (announcement.level, announcement.status, announcement.created_by) == (
        Level.MINISTRY, Status.DRAFT, ministry)
    assert announcement.attachments.get().original_name == "附件1：申报书.pdf"


def test_a_bad_attachment_is_refused_at_the_field_and_nothing_typed_is_lost(client, ministry):
    client.force_login(ministry)
    from django.core.files.uploadedfile import SimpleUploadedFile
    fake = SimpleUploadedFile("通知.docx", b"just text, not a document")
    response = add(client, title="保留我的标题", **{"attachments-0-file": fake})
    assert response.status_code == 200
    body = response.content.decode()
    assert "通知.docx" in body and "内容与扩展名不符" in body
    assert "保留我的标题" in body
    assert not Announcement.objects.exists()


def test_a_province_official_adds_a_provincial_draft_for_its_region(client, gd_province):
    client.force_login(gd_province)
    assert add(client).status_code == 302
    announcement = Announcement.objects.get()
    assert announcement.level == Level.PROVINCE and announcement.issuing_region.code == "440000"


@pytest.mark.parametrize("persona", ["gz_city", "tianhe_county"])
def test_city_and_county_officials_cannot_add(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"{ADMIN}add/").status_code == 403
    assert add(client).status_code == 403
    assert not Announcement.objects.exists()


def test_a_city_official_reads_its_provinces_announcements_but_cannot_publish(client, gz_city,
                                                                               gd_province):
    guangdong = make("广东省通知", level=Level.PROVINCE, region="440000", status=Status.DRAFT)
    client.force_login(gz_city)
    assert "广东省通知" in client.get(ADMIN).content.decode()
    assert client.get(f"{ADMIN}{guangdong.pk}/publish/").status_code == 403
    assert client.post(f"{ADMIN}{guangdong.pk}/publish/").status_code == 403
    guangdong.refresh_from_db()
    assert guangdong.status == Status.DRAFT


@pytest.mark.parametrize("persona", ["ent_tianhe", "person", None])
def test_enterprises_people_and_anonymous_visitors_are_sent_to_the_admin_login(
        client, persona, request):
    announcement = make("部级通知")
    if persona:
        client.force_login(request.getfixturevalue(persona))
    for url in [ADMIN, f"{ADMIN}add/", f"{ADMIN}{announcement.pk}/change/",
                f"{ADMIN}{announcement.pk}/withdraw/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.post(f"{ADMIN}{announcement.pk}/withdraw/").status_code == 302
    announcement.refresh_from_db()
    assert announcement.status == Status.PUBLISHED


def test_another_provinces_announcement_answers_404_everywhere(client, gd_province, js_province):
    jiangsu = make("江苏省公告", level=Level.PROVINCE, region="320000")
    ministry_row = make("部级通知")
    client.force_login(gd_province)
    body = client.get(f"{ADMIN}?q=公告").content.decode()
    assert "江苏省公告" not in body and "部级通知" not in body
    for row in (jiangsu, ministry_row):
        for suffix in ["change/", "preview/", "publish/", "withdraw/", "history/"]:
            assert client.get(f"{ADMIN}{row.pk}/{suffix}").status_code == 404, suffix
        assert client.post(f"{ADMIN}{row.pk}/withdraw/").status_code == 404
    assert client.get(f"{ADMIN}abc/preview/").status_code == 404
    jiangsu.refresh_from_db()
    assert jiangsu.status == Status.PUBLISHED


def test_the_bulk_withdraw_cannot_reach_another_region(client, gd_province, js_province):
    jiangsu = make("江苏省公告", level=Level.PROVINCE, region="320000")
    client.force_login(gd_province)
    client.post(ADMIN, {"action": "withdraw_selected", "_selected_action": [jiangsu.pk],
                        "confirm": "yes"})
    jiangsu.refresh_from_db()
    assert jiangsu.status == Status.PUBLISHED


def test_preview_then_publish_with_a_confirmation(client, ministry):
    draft = services.announcement_save(by=ministry, title="预览中的通知",
                                       body="<p>正文<script>x()</script></p>", kind="notice")
    client.force_login(ministry)
    change = client.get(f"{ADMIN}{draft.pk}/change/").content.decode()
    assert "预览" in change and "publish-link" in change
    preview = client.get(f"{ADMIN}{draft.pk}/preview/").content.decode()
    assert "预览中的通知" in preview and "<script>x()" not in preview
    page = client.get(f"{ADMIN}{draft.pk}/publish/").content.decode()
    assert "确认发布" in page and "预览中的通知" in page
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT  # the GET only asks
    response = client.post(f"{ADMIN}{draft.pk}/publish/", {"publish_at_0": "", "publish_at_1": ""})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED and draft.is_visible


def test_a_past_publish_time_is_shown_at_the_field(client, ministry):
    draft = make("草稿", status=Status.DRAFT)
    client.force_login(ministry)
    response = client.post(f"{ADMIN}{draft.pk}/publish/",
                           {"publish_at_0": "2020-01-01", "publish_at_1": "09:00"})
    assert response.status_code == 200
    assert "发布时间不能早于当前时间" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_withdraw_asks_first_then_hides_it(client, ministry):
    announcement = make("将被撤回的通知")
    client.force_login(ministry)
    page = client.get(f"{ADMIN}{announcement.pk}/withdraw/").content.decode()
    assert "确定撤回" in page
    announcement.refresh_from_db()
    assert announcement.status == Status.PUBLISHED
    client.post(f"{ADMIN}{announcement.pk}/withdraw/")
    announcement.refresh_from_db()
    assert announcement.status == Status.WITHDRAWN
    assert client.get(f"/announcements/{announcement.pk}/").status_code == 404


def test_the_bulk_withdraw_shows_a_confirmation_page_first(client, ministry):
    rows = [make(f"通知{i}") for i in range(2)]
    client.force_login(ministry)
    data = {"action": "withdraw_selected", "_selected_action": [r.pk for r in rows]}
    page = client.post(ADMIN, data)
    assert page.status_code == 200 and "确认撤回" in page.content.decode()
    assert Announcement.objects.filter(status=Status.PUBLISHED).count() == 2
    client.post(ADMIN, {**data, "confirm": "yes"})
    assert Announcement.objects.filter(status=Status.WITHDRAWN).count() == 2


def test_a_published_announcement_cannot_be_deleted_in_the_admin(client, ministry):
    announcement = make("已发布")
    client.force_login(ministry)
    assert client.get(f"{ADMIN}{announcement.pk}/delete/").status_code == 403
    client.post(ADMIN, {"action": "delete_selected", "_selected_action": [announcement.pk],
                        "post": "yes"})
    assert Announcement.objects.filter(pk=announcement.pk).exists()


def test_the_admin_list_does_not_count_the_whole_table(client, ministry):
    from django.contrib import admin as django_admin
    assert django_admin.site._registry[Announcement].show_full_result_count is False


def test_only_the_ministry_edits_the_home_settings(client, ministry, gd_province):
    client.force_login(gd_province)
    assert client.get("/admin/announcements/sitesettings/1/change/").status_code in (403, 404)
    client.force_login(ministry)
    assert client.get("/admin/announcements/sitesettings/")["Location"].endswith("/1/change/")
    response = client.post("/admin/announcements/sitesettings/1/change/", {
        "recognition_query_open": "on", "maker_contest_url": "https://cx.example.cn/",
        "maker_contest_title": "“创客中国”大赛"})
    assert response.status_code == 302
    row = SiteSettings.objects.get()
    assert row.recognition_query_open and row.maker_contest_url == "https://cx.example.cn/"
