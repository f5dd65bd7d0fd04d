"""Every enterprise page stays within its query budget, warm, with the demo data.

Warm: the same page asked twice first, as a logged-in visitor does (the session is written
at most once a minute, caches fill on the first view). The budget counts every statement of
the request: the session, the user, the enterprise, the header's unread badge and the page.
The pages are rendered each time here (the per-account page cache off): the budget is what a
page costs when something it shows has changed. A page served from that cache is in
tests/common/test_pagecache.py.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from announcements.models import Announcement
from assessment.models import Attempt
from common.tiers import Tier
from declarations.models import Declaration
from declarations.services import declaration_start
from enterprises.models import MajorChange
from enterprises.services import enterprise_for_account
from messaging.models import Message
from messaging.services import Outgoing, message_send
from portal.accounts.models import User

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 8
FORM_BUDGET = 15  # the declaration form: the profile, the figures, the result and its evidence


@pytest.fixture
def demo(settings, client):
    settings.PAGE_CACHE_SECONDS = 0  # rendered every time: the cost of a page after a change
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    user = User.objects.get(username="gz_kejie")  # recognised, with titles and a window open
    # What the demo leaves out: messages, and a declaration in progress.
    message_send(category="declaration", kind="demo", outgoing=[
        Outgoing(recipient_id=user.pk, title=f"通知{n}", body="内容", subject=f"s{n}")
        for n in range(25)])
    declaration_start(enterprise=enterprise_for_account(user=user), by=user,
                      tier=Tier.INNOVATIVE)
    client.force_login(user)
    return user


def enterprise_pages(user: User) -> list[str]:
    change = MajorChange.objects.filter(enterprise__account=user).first()
    message = Message.objects.filter(recipient=user).first()
    attempt = Attempt.objects.filter(enterprise__account=user, status="submitted").first()
    declaration = Declaration.objects.filter(enterprise__account=user).first()
    notice = Announcement.objects.filter(status="published").first()
    pages = ["/enterprise/", "/enterprise/profile/", "/enterprise/profile/update/",
             "/enterprise/changes/", "/enterprise/changes/new/", "/enterprise/messages/",
             "/assessment/", "/enterprise/declarations/", "/enterprise/rereviews/",
             f"/announcements/{notice.pk}/", "/", "/announcements/"]
    assert message and declaration, "the fixture lost an object"
    pages.append(f"/enterprise/messages/{message.pk}/")  # the draft's page is its form, below
    if change:
        pages.append(f"/enterprise/changes/{change.public_id}/")
    if attempt:
        pages.append(f"/assessment/{attempt.public_id}/result/")
    return pages


def warm_queries(client, url: str) -> tuple[int, list[str]]:
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code in (200, 403), (url, response.status_code)
    return len(queries), [q["sql"] for q in queries]


def test_every_enterprise_page_makes_at_most_8_queries_warm(client, demo):
    over = {}
    for url in enterprise_pages(demo):
        count, sql = warm_queries(client, url)
        if count > PAGE_BUDGET:
            over[url] = (count, sql)
    assert not over, "\n".join(f"{url}: {count} queries\n  " + "\n  ".join(sql)
                               for url, (count, sql) in over.items())


def test_no_page_writes_when_warm(client, demo):
    for url in enterprise_pages(demo):
        _, sql = warm_queries(client, url)
        writes = [s for s in sql if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
        assert not writes, (url, writes)


def test_the_declaration_form_makes_at_most_15_queries_warm(client, demo):
    draft = Declaration.objects.filter(enterprise__account=demo,
                                       status__in=Declaration.EDITABLE_STATES).first()
    assert draft is not None, "the demo data has no draft to edit"
    count, sql = warm_queries(client, f"/enterprise/declarations/{draft.public_id}/edit/")
    assert count <= FORM_BUDGET, "\n".join(sql)


def test_the_budget_test_sees_a_page_that_is_over_it(client, demo, monkeypatch):
    """The counting itself works: a page made to run extra queries is caught."""
    from portal import enterprise_views

    real = enterprise_views.render

    def chatty(*args, **kwargs):
        for _ in range(PAGE_BUDGET):
            list(User.objects.all()[:1])
        return real(*args, **kwargs)

    monkeypatch.setattr(enterprise_views, "render", chatty)
    count, _ = warm_queries(client, "/enterprise/")
    assert count > PAGE_BUDGET


def test_the_login_page_makes_no_insert(client, demo):
    client.logout()
    _, sql = warm_queries(client, "/accounts/login/")
    assert not [s for s in sql if "INSERT" in s.upper()], sql
