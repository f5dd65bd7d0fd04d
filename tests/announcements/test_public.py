"""The public announcement pages: list, search, detail, attachments, 404 rules, garbage."""

from datetime import datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from announcements import counters, services
from announcements.models import Level, Status
from announcements.selectors import clear_local_pages
from tests.announcements.conftest import PDF_BYTES, bulk, make, pdf

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def titles(response) -> list[str]:
    import re
    body = response.content.decode()
    return [re.sub(r"<[^>]+>", "", re.sub(r"<span class=\"badge[^>]*>置顶</span>", "", t)).strip()
            for t in re.findall(r'class="announcement-link">(.*?)</a>', body, re.S)]


def test_the_list_is_newest_first_with_pinned_on_top(client):
    now = timezone.now()
    make("旧通知", publish_at=now - timedelta(days=3))
    make("新通知", publish_at=now - timedelta(days=1))
    make("置顶的旧通知", publish_at=now - timedelta(days=9), pinned=True)
    response = client.get("/announcements/")
    assert response.status_code == 200
    assert titles(response) == ["置顶的旧通知", "新通知", "旧通知"]


def test_drafts_withdrawn_and_future_announcements_are_not_public(client):
    public = make("已发布")
    hidden = [make("草稿", status=Status.DRAFT), make("已撤回", status=Status.WITHDRAWN),
              make("定时", publish_at=timezone.now() + timedelta(days=1))]
    assert titles(client.get("/announcements/")) == ["已发布"]
    assert client.get(f"/announcements/{public.pk}/").status_code == 200
    for row in hidden:
        assert client.get(f"/announcements/{row.pk}/").status_code == 404


def test_search_by_keyword_in_title_or_body(client):
    make("关于专精特新中小企业认定的通知", body="<p>请各地做好组织工作</p>")
    make("关于创新型中小企业评价的通知", body="<p>附：专精特新名单</p>")
    make("其他通知", body="<p>无关内容</p>")
    found = titles(client.get("/announcements/", {"q": "专精特新"}))
    assert sorted(found) == ["关于专精特新中小企业认定的通知", "关于创新型中小企业评价的通知"]
    # Markup is not searched: every body contains <p>.
    assert titles(client.get("/announcements/", {"q": "<p>"})) == []


def test_search_by_level_and_region(client):
    make("部级通知")
    make("广东省通知", level=Level.PROVINCE, region="440000")
    make("江苏省通知", level=Level.PROVINCE, region="320000")
    assert titles(client.get("/announcements/", {"level": "ministry"})) == ["部级通知"]
    assert sorted(titles(client.get("/announcements/", {"level": "province"}))) == [
        "广东省通知", "江苏省通知"]
    assert titles(client.get("/announcements/", {"region": "320000"})) == ["江苏省通知"]


def test_search_by_date_range_includes_both_whole_days_in_beijing_time(client):
    make("3月1日零点", publish_at=datetime(2026, 3, 1, 0, 0, tzinfo=SH))
    make("3月2日深夜", publish_at=datetime(2026, 3, 2, 23, 59, 59, tzinfo=SH))
    make("3月3日零点", publish_at=datetime(2026, 3, 3, 0, 0, tzinfo=SH))
    make("2月28日深夜", publish_at=datetime(2026, 2, 28, 23, 59, 59, tzinfo=SH))
    found = titles(client.get("/announcements/", {"date_from": "2026-03-01",
                                                  "date_to": "2026-03-02"}))
    assert found == ["3月2日深夜", "3月1日零点"]


def test_a_reversed_date_range_is_reported_at_the_field(client):
    response = client.get("/announcements/", {"date_from": "2026-03-02", "date_to": "2026-03-01"})
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()


@pytest.mark.parametrize("query", [
    {"date_to": "9999-12-31"}, {"date_from": "0001-01-01"},
    {"date_from": "0001-01-01", "date_to": "9999-12-31"},
])
def test_a_date_outside_the_calendar_is_reported_at_the_field_and_ignored(client, query):
    make("部级通知")
    response = client.get("/announcements/", query)
    assert response.status_code == 200
    assert "请输入1900年1月1日至2099年12月31日之间的日期。" in response.content.decode()
    assert titles(response) == ["部级通知"]


def test_the_search_selector_survives_the_ends_of_the_calendar():
    from datetime import date

    from announcements.selectors import Filters, search

    make("部级通知")
    found = search(Filters(date_from=date.min, date_to=date.max))
    assert [a.title for a in found] == ["部级通知"]


def test_an_empty_search_says_so_helpfully(client):
    make("部级通知")
    body = client.get("/announcements/", {"q": "不存在的关键词"}).content.decode()
    assert "没有找到符合条件的公告" in body and "查看全部公告" in body
    assert "没有找到符合条件的公告" in client.get(
        "/announcements/", {"level": "province"}).content.decode()


def test_an_empty_site_says_there_is_nothing_yet(client):
    assert "暂无公告" in client.get("/announcements/").content.decode()


def test_pagination_keeps_the_filters(client):
    bulk(45)
    first = client.get("/announcements/", {"q": "批量"})
    body = first.content.decode()
    assert len(titles(first)) == 20 and "共 45 条" in body and "第 1 / 3 页" in body
    assert "q=%E6%89%B9%E9%87%8F&amp;page=2" in body
    third = client.get("/announcements/", {"q": "批量", "page": "3"})
    assert len(titles(third)) == 5


@pytest.mark.parametrize("query", [
    {"q": "' OR 1=1; DROP TABLE announcements_announcement; --"},
    {"q": "<script>alert(1)</script>"},
    {"q": "%_%"},
    {"q": "x" * 5000},
    {"page": str(10**9)}, {"page": str(10**30)}, {"page": "-5"}, {"page": "abc"},
    {"page": "1e9"}, {"level": "<b>"}, {"region": "999999"}, {"region": "' or 1=1"},
    {"date_from": "2026-13-45"}, {"date_to": "yesterday"}, {"date_from": "9999-12-31"},
    {"unknown": "x"},
])
def test_garbage_in_the_query_string_gives_a_normal_page(client, query):
    make("部级通知")
    response = client.get("/announcements/", query)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_page_past_the_end_offers_the_way_back(client):
    bulk(3)
    body = client.get("/announcements/", {"page": "99"}).content.decode()
    assert "回到第一页" in body


@pytest.mark.parametrize("path", ["/announcements/abc/", "/announcements/-1/",
                                  f"/announcements/{10**30}/", "/announcements/1/attachments/x/",
                                  f"/announcements/1/attachments/{10**30}/",
                                  "/announcements/%27%20or%201=1/"])
def test_a_non_numeric_or_huge_id_answers_404(client, path):
    assert client.get(path).status_code == 404


def test_the_detail_counts_views_and_links_previous_and_next(client):
    now = timezone.now()
    older = make("较早的通知", publish_at=now - timedelta(days=2))
    middle = make("中间的通知", publish_at=now - timedelta(days=1))
    newer = make("最新的通知", publish_at=now - timedelta(hours=2))
    make("省级通知不混入", level=Level.PROVINCE, region="440000",
         publish_at=now - timedelta(days=1, hours=1))
    body = client.get(f"/announcements/{middle.pk}/").content.decode()
    assert f'href="/announcements/{newer.pk}/">最新的通知' in body
    assert f'href="/announcements/{older.pk}/">较早的通知' in body
    assert "省级通知不混入" not in body
    client.get(f"/announcements/{middle.pk}/")
    counters.flush()
    middle.refresh_from_db()
    assert middle.view_count == 2
    assert "没有了" in client.get(f"/announcements/{newer.pk}/").content.decode()


def test_an_attachment_downloads_under_its_chinese_name(client, ministry):
    draft = services.announcement_save(by=ministry, title="附件通知", body="", kind="notice")
    attachment = services.attachment_add(announcement=draft, by=ministry,
                                         file=pdf("附件1：2026年申报指南.pdf"))
    url = f"/announcements/{draft.pk}/attachments/{attachment.pk}/"
    assert client.get(url).status_code == 404  # still a draft
    services.announcement_publish(announcement=draft, by=ministry)
    detail = client.get(f"/announcements/{draft.pk}/").content.decode()
    assert "附件1：2026年申报指南.pdf" in detail and url in detail
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"] == (
        f"attachment; filename*=UTF-8''{quote('附件1：2026年申报指南.pdf', safe='')}")
    services.announcement_withdraw(announcement=draft, by=ministry)
    assert client.get(url).status_code == 404


def test_an_attachment_of_another_announcement_answers_404(client, ministry):
    first = make("一")
    second = make("二")
    services.attachment_add(announcement=first, by=ministry, file=pdf())
    attachment = first.attachments.get()
    assert client.get(f"/announcements/{second.pk}/attachments/{attachment.pk}/").status_code == 404


def test_the_list_makes_a_fixed_number_of_queries_whatever_the_rows(client, django_assert_max_num_queries):
    bulk(10_000)
    make("广东省通知", level=Level.PROVINCE, region="440000")
    client.get("/announcements/")  # warm the region choices and the count
    with django_assert_max_num_queries(2):
        assert client.get("/announcements/").status_code == 200
    # Searching reads the settings row (memo cleared here), counts (up to a cap) and fetches one
    # page: 3 queries.
    clear_local_pages()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/announcements/", {"q": "批量", "page": "400"}).status_code == 200
    assert len(ctx.captured_queries) == 3
    body = client.get("/announcements/", {"q": "批量"}).content.decode()
    assert "共 10000 条" in body and "第 1 / 500 页" in body


def test_a_scheduled_announcement_appears_in_the_list_by_itself(client, ministry):
    draft = services.announcement_save(by=ministry, title="定时发布的通知", body="", kind="notice")
    with time_machine.travel(datetime(2026, 5, 1, 9, 0, tzinfo=SH), tick=False):
        services.announcement_publish(announcement=draft, by=ministry,
                                      publish_at=datetime(2026, 5, 1, 10, 0, tzinfo=SH))
        assert titles(client.get("/announcements/")) == []
        assert client.get(f"/announcements/{draft.pk}/").status_code == 404
    with time_machine.travel(datetime(2026, 5, 1, 10, 0, tzinfo=SH), tick=False):
        assert titles(client.get("/announcements/")) == ["定时发布的通知"]
        assert client.get(f"/announcements/{draft.pk}/").status_code == 200


def test_views_are_buffered_and_written_in_one_update_per_announcement(
        client, settings, django_assert_num_queries):
    settings.ANNOUNCEMENT_VIEW_FLUSH_SECONDS = 3600
    counters.flush()  # start the interval now
    first, second = make("甲通知"), make("乙通知")
    for _ in range(3):
        client.get(f"/announcements/{first.pk}/")
    client.get(f"/announcements/{second.pk}/")
    first.refresh_from_db()
    assert first.view_count == 0 and counters.pending(first.pk) == 3  # nothing written yet
    with django_assert_num_queries(2):  # one UPDATE per announcement viewed
        assert counters.flush() == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.view_count, second.view_count, counters.pending(first.pk)) == (3, 1, 0)


def test_once_the_interval_has_passed_a_view_writes_the_tally(client, settings):
    settings.ANNOUNCEMENT_VIEW_FLUSH_SECONDS = 0
    notice = make("丙通知")
    client.get(f"/announcements/{notice.pk}/")
    notice.refresh_from_db()
    assert notice.view_count == 1 and counters.pending(notice.pk) == 0


def test_an_announcements_page_is_cached_for_visitors_counted_and_gone_once_withdrawn(
        client, ministry, settings):
    settings.ANNOUNCEMENT_VIEW_FLUSH_SECONDS = 3600
    counters.flush()
    notice = services.announcement_save(by=ministry, title="缓存的通知", body="<p>正文</p>",
                                        kind="notice")
    services.announcement_publish(announcement=notice, by=ministry)
    assert "缓存的通知" in client.get(f"/announcements/{notice.pk}/").content.decode()
    with CaptureQueriesContext(connection) as warm:
        assert "缓存的通知" in client.get(f"/announcements/{notice.pk}/").content.decode()
    assert len(warm.captured_queries) <= 1  # the settings row at most
    assert counters.pending(notice.pk) == 2  # both views counted
    services.announcement_withdraw(announcement=notice, by=ministry)
    assert client.get(f"/announcements/{notice.pk}/").status_code == 404


def test_an_attachment_changed_on_disk_is_refused_and_logged(client, ministry, caplog):
    from tests.conftest import refused_and_logged, tamper

    draft = services.announcement_save(by=ministry, title="附件通知", body="", kind="notice")
    attachment = services.attachment_add(announcement=draft, by=ministry, file=pdf("指南.pdf"))
    services.announcement_publish(announcement=draft, by=ministry)
    url = f"/announcements/{draft.pk}/attachments/{attachment.pk}/"
    assert client.get(url).status_code == 200
    tamper(attachment.file)
    assert refused_and_logged(client.get(url), caplog)
