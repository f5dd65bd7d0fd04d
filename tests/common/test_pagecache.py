"""The per-account page cache (common/pagecache.py): a page is served again only while nothing
it shows has changed — and every way a shown row changes renews it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common.tiers import Tier
from common.workflow import decide_many
from declarations.models import Declaration, DeclarationWindow
from declarations.services import WORKFLOW, declaration_start
from enterprises.models import Enterprise, Recognition
from enterprises.services import enterprise_for_account
from messaging.models import Message
from messaging.services import Outgoing, message_send
from portal import pagecache as table
from portal.accounts.models import User

pytestmark = pytest.mark.django_db

PAGES = ["/enterprise/", "/enterprise/profile/", "/enterprise/profile/update/",
         "/enterprise/changes/", "/enterprise/messages/", "/assessment/",
         "/enterprise/declarations/", "/enterprise/rereviews/"]


# --- the table covers every model --------------------------------------------------------------

def test_every_model_of_the_product_is_classified_once():
    missing, twice = [], []
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label in table.NOT_SHOWN_APPS or model.__name__.startswith("Historical"):
            continue
        places = [label in table.OWNED, label in table.SITE, label in table.NOT_SHOWN]
        if not any(places):
            missing.append(label)
        elif sum(places) > 1:
            twice.append(label)
    assert not missing, f"say whether the enterprise pages show these (portal/pagecache.py): {missing}"
    assert not twice


def test_every_owner_path_leads_to_an_account():
    for label, path in table.OWNED.items():
        model = apps.get_model(label)
        # The lookup is valid SQL on that model (a typo would only fail on the first write).
        list(model._default_manager.values_list(path, flat=True)[:1])


# --- serving from the cache --------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _cache_on(settings):
    # On by default only with Redis (the versions must be shared by every process); here one
    # process, so the local-memory cache of the SQLite runs serves as well.
    settings.PAGE_CACHE_SECONDS = 120


@pytest.fixture
def demo(settings, client: Client) -> User:
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    user = User.objects.get(username="gz_kejie")  # recognised, with windows open
    client.force_login(user)
    client.get("/enterprise/")  # the browser now holds its CSRF cookie
    return user


def body(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_a_second_view_is_served_without_rendering(client, demo):
    for url in PAGES:
        first = body(client, url)
        with CaptureQueriesContext(connection) as queries:
            second = body(client, url)
        assert second == first, url
        # The user (and the enterprise check of the page's guard): nothing the page itself reads.
        assert len(queries) <= 3, (url, [q["sql"] for q in queries])


@pytest.mark.parametrize(("redis_url", "seconds"), [("", "0"), ("redis://127.0.0.1:6379/15", "120")])
def test_the_cache_is_on_by_default_only_where_every_process_shares_it(redis_url, seconds):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PAGE_CACHE_SECONDS")}
    env["REDIS_URL"] = redis_url
    out = subprocess.run([sys.executable, "-c", "import portal.settings as s; print(s.PAGE_CACHE_SECONDS)"],
                         cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == seconds


def test_pages_are_rendered_every_time_when_turned_off(client, demo, settings):
    settings.PAGE_CACHE_SECONDS = 0
    body(client, "/enterprise/profile/")
    with CaptureQueriesContext(connection) as queries:
        body(client, "/enterprise/profile/")
    assert len(queries) > 3


def test_an_account_never_receives_another_accounts_page(client, demo):
    other = User.objects.get(username="gz_huaxin")
    mine = body(client, "/enterprise/profile/")
    stranger = Client()
    stranger.cookies = client.cookies  # even the same CSRF cookie (copied from this browser)
    stranger.force_login(other)
    theirs = body(stranger, "/enterprise/profile/")
    assert "广州华信精密制造有限公司" in theirs and "广州华信精密制造有限公司" not in mine
    assert "广州科捷智能装备有限公司" in mine and "广州科捷智能装备有限公司" not in theirs


def test_a_cached_pages_form_token_is_accepted(client, demo):
    body(client, "/enterprise/messages/")
    page = body(client, "/enterprise/messages/")  # from the cache
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    response = strict.post("/enterprise/messages/read-all/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_a_flash_message_is_shown_once_and_never_kept(client, demo):
    body(client, "/enterprise/messages/")
    message_send(category="declaration", kind="t", outgoing=[
        Outgoing(recipient_id=demo.pk, title="待读通知", body="内容", subject="t1")])
    response = client.post("/enterprise/messages/read-all/", follow=True)
    shown = response.content.decode()
    assert 'role="alert"' in shown
    assert 'role="alert"' not in body(client, "/enterprise/messages/")


def test_only_enterprise_and_person_accounts_pages_are_kept(rf, demo, gd_province):
    from common.pagecache import account_page

    rendered = []

    @account_page
    def page(request):
        rendered.append(request.user.username)
        from django.http import HttpResponse

        return HttpResponse("页面")

    for user in (gd_province, gd_province, demo, demo):
        request = rf.get("/enterprise/")
        request.user, request.session, request.META["CSRF_COOKIE"] = user, {}, "x" * 32
        page(request)
    assert rendered == ["o_gd", "o_gd", "gz_kejie"]


# --- every way a shown row changes renews the page ----------------------------------------------

def test_a_saved_row_renews_its_accounts_pages(client, demo):
    assert "测试联系人甲" not in body(client, "/enterprise/profile/")
    company = Enterprise.objects.get(account=demo)
    company.contact_person = "测试联系人甲"
    company.save()
    assert "测试联系人甲" in body(client, "/enterprise/profile/")


def test_messages_written_in_one_insert_renew_the_inbox_and_the_badge(
        client, demo, django_capture_on_commit_callbacks):
    before = body(client, "/enterprise/profile/")
    with django_capture_on_commit_callbacks(execute=True):
        message_send(category="declaration", kind="t", outgoing=[
        Outgoing(recipient_id=demo.pk, title="批量写入的通知", body="内容", subject="bulk")])
    assert "批量写入的通知" in body(client, "/enterprise/messages/")
    assert body(client, "/enterprise/profile/") != before  # the header's unread badge


def test_reading_a_message_renews_the_badge(client, demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message_send(category="declaration", kind="t", outgoing=[
        Outgoing(recipient_id=demo.pk, title="一条通知", body="内容", subject="one")])
    unread = body(client, "/enterprise/profile/")
    assert 'data-testid="header-unread"' in unread
    for message in Message.objects.filter(recipient=demo, read_at__isnull=True):
        client.get(f"/enterprise/messages/{message.pk}/")
    assert 'data-testid="header-unread"' not in body(client, "/enterprise/profile/")


def test_a_bulk_decision_renews_the_declarations_page(client, demo):
    declaration = declaration_start(enterprise=enterprise_for_account(user=demo), by=demo,
                                    tier=Tier.INNOVATIVE)
    before = body(client, "/enterprise/declarations/")
    # An UPDATE of the status, as the batch decisions make: no signal is sent.
    decide_many(workflow=WORKFLOW, queryset=Declaration.objects.filter(pk=declaration.pk),
                source=Declaration.Status.DRAFT, action="submit_to_county", by=demo)
    after = body(client, "/enterprise/declarations/")
    assert after != before
    assert Declaration.Status.AT_COUNTY.label in after


def test_titles_granted_in_bulk_renew_the_pages(client, demo):
    from enterprises.services import _first_terms

    before = body(client, "/enterprise/rereviews/")
    title = Recognition.objects.filter(enterprise__account=demo).first()
    Recognition.objects.filter(pk=title.pk).update(valid_until=title.valid_until + dt.timedelta(days=1))
    _first_terms([title], "import")  # what every bulk grant calls after its INSERT
    assert body(client, "/enterprise/rereviews/") != before


def test_a_window_change_renews_every_accounts_pages(client, demo):
    before = body(client, "/enterprise/declarations/")
    DeclarationWindow.objects.all().delete()  # each delete sends its signal
    assert body(client, "/enterprise/declarations/") != before


def test_an_accounts_own_post_renews_its_pages(client, demo):
    before = body(client, "/enterprise/profile/")
    # Changed behind the ORM's back (no signal), then any POST of the account:
    Enterprise.objects.filter(account=demo).update(contact_person="测试联系人乙")
    assert body(client, "/enterprise/profile/") == before
    client.post("/enterprise/messages/read-all/")
    assert "测试联系人乙" in body(client, "/enterprise/profile/")


def test_a_page_is_not_served_past_a_window_opening(client, demo):
    now = timezone.now()
    window = DeclarationWindow.objects.filter(tier=Tier.INNOVATIVE).first()
    window.starts_at, window.ends_at = now + dt.timedelta(seconds=30), now + dt.timedelta(days=30)
    window.save()
    with time_machine.travel(now, tick=False):
        before = body(client, "/enterprise/declarations/")
        assert body(client, "/enterprise/declarations/") == before  # kept …
    with time_machine.travel(now + dt.timedelta(seconds=31), tick=False):
        assert body(client, "/enterprise/declarations/") != before  # … until it opens


def test_a_page_is_not_served_past_beijing_midnight(client, demo):
    tz = timezone.get_current_timezone()
    late = dt.datetime(2026, 12, 1, 23, 59, 30, tzinfo=tz)
    with time_machine.travel(late, tick=False):
        client.force_login(demo)
        body(client, "/enterprise/")
        with CaptureQueriesContext(connection) as kept:
            body(client, "/enterprise/")
    with (time_machine.travel(late + dt.timedelta(seconds=40), tick=False),
          CaptureQueriesContext(connection) as next_day):
        body(client, "/enterprise/")
    assert len(next_day) > len(kept)  # rendered again on the new day


def test_pages_render_when_the_cache_fails(client, demo, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", broken)
    assert "广州科捷智能装备有限公司" in body(client, "/enterprise/profile/")


def test_a_profile_change_is_shown_at_once(client, demo):
    body(client, "/enterprise/profile/")
    company = Enterprise.objects.get(account=demo)
    company.registered_capital = Decimal("4321")
    company.save()
    assert "4321" in body(client, "/enterprise/profile/")


def test_an_announcement_page_counts_every_view_and_follows_a_withdrawal(client, demo, ministry):
    from announcements import counters
    from announcements.models import Announcement
    from announcements.services import announcement_withdraw

    notice = Announcement.objects.filter(status="published", level="ministry").first()
    url = f"/announcements/{notice.pk}/"
    counters.flush()
    before = notice.view_count
    for _ in range(3):
        body(client, url)  # rendered once, then served from the cache
    counters.flush()
    notice.refresh_from_db()
    assert notice.view_count == before + 3
    announcement_withdraw(announcement=notice, by=ministry)
    assert client.get(url).status_code == 404


def test_a_page_using_a_csp_nonce_is_never_kept(rf, demo):
    from django.http import HttpResponse

    from common.pagecache import account_page

    rendered = []

    @account_page
    def page(request):
        rendered.append(1)
        request._csp_nonce = "n0nce"  # what reading request.csp_nonce in a template leaves
        return HttpResponse(f'<script nonce="{request._csp_nonce}"></script>')

    for _ in range(2):
        request = rf.get("/enterprise/")
        request.user, request.session, request.META["CSRF_COOKIE"] = demo, {}, "x" * 32
        page(request)
    assert len(rendered) == 2
