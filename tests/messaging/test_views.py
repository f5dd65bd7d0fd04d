"""我的消息: five tabs with unread counts, opening marks read, 全部已读, the home card, the header."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging.models import Category, Message
from tests.messaging.conftest import send

pytestmark = pytest.mark.django_db


def unread_badges(body: str) -> dict[str, int]:
    """Each tab's unread badge, by its data-tab."""
    tabs = re.findall(r'data-tab="([a-z_]+)">\s*[^<]+(?:<span[^>]*data-testid="tab-unread">(\d+)</span>)?', body)
    return {tab: int(n or 0) for tab, n in tabs}


@pytest.fixture
def inbox(ent_tianhe):
    sent = {category: send(ent_tianhe, title=f"{label}消息", category=category, kind=category)
            for category, label in Category.choices}
    send(ent_tianhe, title="第二条申报提醒", category=Category.DECLARATION, kind="other")
    return sent


def test_the_five_tabs_show_their_unread_counts(client, ent_tianhe, inbox):
    client.force_login(ent_tianhe)
    body = client.get("/enterprise/messages/").content.decode()
    for label in ["认定到期", "信息更新", "认定通知", "取消认定", "申报提醒"]:
        assert label in body
    assert unread_badges(body) == {"all": 6, "expiry": 1, "info_update": 1, "recognition": 1,
                                   "revocation": 1, "declaration": 2}


def test_a_tab_lists_only_its_category_newest_first(client, ent_tianhe, inbox):
    client.force_login(ent_tianhe)
    body = client.get("/enterprise/messages/?category=declaration").content.decode()
    assert body.index("第二条申报提醒") < body.index("申报提醒消息")
    assert "认定到期消息" not in body


def test_an_unknown_category_shows_every_message(client, ent_tianhe, inbox):
    client.force_login(ent_tianhe)
    response = client.get("/enterprise/messages/?category=%3Cscript%3E&page=abc")
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="message-row"') == 6


def test_the_list_is_paginated_with_a_bounded_number_of_queries(client, ent_tianhe):
    for n in range(45):
        send(ent_tianhe, title=f"消息{n:02d}", subject=f"s{n}")
    client.force_login(ent_tianhe)
    client.get("/enterprise/messages/")
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/enterprise/messages/?page=2").content.decode()
    assert body.count('data-testid="message-row"') == 20
    assert "第 2 / 3 页" in body
    assert len(queries) <= 8


def test_opening_a_message_marks_it_read_and_the_counts_drop(client, ent_tianhe, inbox):
    client.force_login(ent_tianhe)
    message = inbox[Category.EXPIRY]
    assert 'data-testid="header-unread"' in client.get("/enterprise/").content.decode()
    body = client.get(f"/enterprise/messages/{message.pk}/").content.decode()
    assert "认定到期消息的内容" in body
    message.refresh_from_db()
    assert message.read_at is not None
    listing = client.get("/enterprise/messages/").content.decode()
    assert unread_badges(listing)["expiry"] == 0 and unread_badges(listing)["all"] == 5
    assert 'aria-label="未读消息5条"' in listing


def test_read_all_marks_one_tab_or_everything(client, ent_tianhe, inbox):
    client.force_login(ent_tianhe)
    response = client.post("/enterprise/messages/read-all/", {"category": "declaration"})
    assert response["Location"] == "/enterprise/messages/?category=declaration"
    assert Message.objects.unread().count() == 4
    client.post("/enterprise/messages/read-all/")
    assert Message.objects.unread().count() == 0
    assert 'data-testid="header-unread"' not in client.get("/enterprise/messages/").content.decode()


def test_read_all_needs_a_post(client, ent_tianhe, inbox):
    client.force_login(ent_tianhe)
    assert client.get("/enterprise/messages/read-all/").status_code == 405
    assert Message.objects.unread().count() == 6


def test_another_enterprises_message_is_404_and_stays_unread(client, ent_tianhe, ent_yuexiu):
    theirs = send(ent_yuexiu, title="越秀的消息")
    client.force_login(ent_tianhe)
    assert client.get(f"/enterprise/messages/{theirs.pk}/").status_code == 404
    assert "越秀的消息" not in client.get("/enterprise/messages/").content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_natural_person_and_an_anonymous_visitor_cannot_open_the_inbox(client, person):
    assert client.get("/enterprise/messages/")["Location"].startswith("/accounts/login/")
    client.force_login(person)
    response = client.get("/enterprise/messages/")
    assert response.status_code == 403 and "自然人账户" in response.content.decode()


def test_the_home_shows_the_latest_five_with_more(client, ent_tianhe):
    for n in range(7):
        send(ent_tianhe, title=f"首页消息{n}", subject=f"s{n}")
    client.force_login(ent_tianhe)
    body = client.get("/enterprise/").content.decode()
    assert body.count('data-testid="home-message"') == 5
    assert "首页消息6" in body and "首页消息1" not in body
    assert 'href="/enterprise/messages/" data-testid="messages-more">【更多】' in body


def test_the_header_count_is_cached_until_a_message_is_sent_or_read(client, ent_tianhe,
                                                                   django_capture_on_commit_callbacks):
    send(ent_tianhe, title="第一条", subject="a")
    client.force_login(ent_tianhe)
    assert 'aria-label="未读消息1条"' in client.get("/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert 'aria-label="未读消息1条"' in client.get("/").content.decode()
    assert not [q for q in queries if "messaging_message" in q["sql"]]
    with django_capture_on_commit_callbacks(execute=True):
        send(ent_tianhe, title="第二条", subject="b")
    assert 'aria-label="未读消息2条"' in client.get("/").content.decode()
