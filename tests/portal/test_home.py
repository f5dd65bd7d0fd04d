"""The public home page: announcement panels, cards, declaration by tier, query counts."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from announcements import services
from announcements.models import Level, SiteSettings
from announcements.selectors import clear_local_pages
from tests.announcements.conftest import bulk, make

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def panel(body: str, name: str) -> list[str]:
    block = body.split(f'data-testid="panel-{name}"', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"<[^>]+>", "", t).strip()
            for t in re.findall(r'class="announcement-link[^"]*"[^>]*>(.*?)</a>', block, re.S)]


def test_both_panels_show_the_latest_8_pinned_first_with_dates_and_more_links(client):
    now = timezone.now()
    for i in range(10):
        make(f"部级通知{i}", publish_at=now - timedelta(days=i + 1))
    make("置顶的部级通知", publish_at=now - timedelta(days=30), pinned=True)
    make("广东省通知", level=Level.PROVINCE, region="440000",
         publish_at=datetime(2026, 3, 5, 10, 0, tzinfo=SH))
    body = client.get("/").content.decode()
    ministry = panel(body, "ministry")
    assert len(ministry) == 8
    assert ministry[0] == "置顶置顶的部级通知" and ministry[1] == "部级通知0"
    assert panel(body, "province") == ["[广东省]广东省通知"]
    assert "2026-03-05" in body
    assert 'href="/announcements/?level=ministry">【更多】' in body
    assert 'href="/announcements/?level=province">【更多】' in body


def test_an_empty_home_says_there_are_no_announcements_yet(client):
    assert client.get("/").content.decode().count("暂无公告") == 2


def statements(ctx) -> list[str]:
    # Savepoints are the test's transaction wrapping atomic blocks; not queries in production.
    return [q["sql"] for q in ctx.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def test_the_home_page_makes_at_most_6_queries_with_10000_announcements(client, ent_tianhe):
    bulk(5_000)
    bulk(5_000, level=Level.PROVINCE, region="440000", prefix="省级批量")
    # Cold cache, anonymous: the settings row (+ content version + next due) and two panels.
    with CaptureQueriesContext(connection) as cold:
        assert client.get("/").status_code == 200
    assert len(cold.captured_queries) == 3
    # Warm: the settings row at most (none within the state's one-second memo).
    with CaptureQueriesContext(connection) as warm:
        client.get("/")
    assert len(warm.captured_queries) <= 1
    # Logged in, everything cold (session not in the cache either): session read, user,
    # settings row, two panels, the header's unread-message count (then cached per account);
    # no session write (the idle clock writes at most once a minute).
    client.force_login(ent_tianhe)
    cache.clear()
    clear_local_pages()
    with CaptureQueriesContext(connection) as logged_in:
        assert client.get("/").status_code == 200
    assert len(statements(logged_in)) == 6
    with CaptureQueriesContext(connection) as logged_in_warm:
        client.get("/")
    assert len(statements(logged_in_warm)) <= 2


def test_publishing_and_withdrawing_refresh_the_cached_panels_at_once(client, ministry):
    client.get("/")
    draft = services.announcement_save(by=ministry, title="刚刚发布的通知", body="", kind="notice")
    assert "刚刚发布的通知" not in client.get("/").content.decode()
    services.announcement_publish(announcement=draft, by=ministry)
    assert "刚刚发布的通知" in client.get("/").content.decode()
    services.announcement_save(by=ministry, announcement=draft, title="改过标题的通知", body="",
                               kind="notice")
    assert "改过标题的通知" in client.get("/").content.decode()
    services.announcement_withdraw(announcement=draft, by=ministry)
    assert "改过标题的通知" not in client.get("/").content.decode()


def test_a_scheduled_announcement_appears_on_the_home_page_by_itself(client, ministry):
    draft = services.announcement_save(by=ministry, title="明早八点的通知", body="", kind="notice")
    with time_machine.travel(datetime(2026, 5, 1, 18, 0, tzinfo=SH), tick=False):
        services.announcement_publish(announcement=draft, by=ministry,
                                      publish_at=datetime(2026, 5, 2, 8, 0, tzinfo=SH))
        assert "明早八点的通知" not in client.get("/").content.decode()  # cached now
    with time_machine.travel(datetime(2026, 5, 2, 7, 59, tzinfo=SH), tick=False):
        assert "明早八点的通知" not in client.get("/").content.decode()
    with time_machine.travel(datetime(2026, 5, 2, 8, 0, tzinfo=SH), tick=False):
        assert "明早八点的通知" in client.get("/").content.decode()


def test_the_recognition_query_card_follows_the_switch(client, ministry):
    body = client.get("/").content.decode()
    assert 'data-testid="recognition-closed">稍后开放' in body
    assert "稍后开放" in client.get("/recognition/query/").content.decode()
    services.site_settings_update(by=ministry, recognition_query_open=True,
                                  maker_contest_url="", maker_contest_title="大赛")
    body = client.get("/").content.decode()
    assert "recognition-closed" not in body and 'href="/recognition/query/">进入查询' in body


def test_the_maker_contest_card_links_to_the_address_officials_set(client, ministry):
    assert "maker-link" not in client.get("/").content.decode()
    services.site_settings_update(by=ministry, recognition_query_open=False,
                                  maker_contest_url="https://cxzg.example.cn/2026",
                                  maker_contest_title="第十一届“创客中国”大赛")
    body = client.get("/").content.decode()
    assert 'href="https://cxzg.example.cn/2026" target="_blank" rel="noopener noreferrer"' in body
    assert "第十一届“创客中国”大赛" in body


def test_self_assessment_sends_anonymous_visitors_to_login_and_back(client, ent_tianhe):
    body = client.get("/").content.decode()
    assert 'href="/accounts/login/?next=%2Fassessment%2F" data-testid="go-assessment"' in body
    login = client.get("/accounts/login/?next=%2Fassessment%2F")
    assert login.status_code == 200
    client.force_login(ent_tianhe)
    assert 'href="/assessment/" data-testid="go-assessment"' in client.get("/").content.decode()


def test_each_tier_has_a_declare_button_opening_its_regions(client):
    body = client.get("/").content.decode()
    for tier in ["innovative", "specialized", "giant"]:
        assert f'href="/declare/{tier}/regions/"' in body
    assert 'id="declare-modal"' in body and "/static/js/home.js" in body


def test_the_site_settings_row_is_recreated_if_missing(client):
    SiteSettings.objects.all().delete()
    assert client.get("/").status_code == 200
    assert SiteSettings.objects.count() == 1


def test_garbage_query_strings_on_the_home_page_are_ignored(client):
    assert client.get("/", {"page": "10" * 50, "q": "<script>"}).status_code == 200
