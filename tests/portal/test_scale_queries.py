"""The officials' pages make as many queries with 30 enterprises as with 3 (and so at a million:
bench/scale_bench.py), for each level of official, on the pages bench/scale_bench.py times."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from declarations.models import Declaration
from enterprises.models import Enterprise, Industry, Recognition
from messaging.models import Message

from ..conftest import official

pytestmark = pytest.mark.django_db

COUNTIES = "440106,440104,440305,320102"  # 天河 (its county and city), 越秀, 深圳南山, 南京玄武

PAGES = [
    "/admin/enterprises/enterprise/",
    "/admin/enterprises/enterprise/?q={name}",
    "/admin/enterprises/enterprise/?q={uscc}",
    "/admin/enterprises/enterprise/?section=C",
    "/admin/enterprises/enterprise/?recognised=yes",
    "/admin/declarations/declaration/",
    "/admin/declarations/declaration/?queue=all",
    "/admin/declarations/declaration/?queue=all&tier=innovative&status=at_province",
    "/admin/declarations/declaration/?queue=all&section=C",
    "/admin/declarations/declaration/?queue=all&q={name}",
    "/admin/declarations/declaration/?queue=all&q={uscc}",
    "/admin/enterprises/recognition/",
    "/admin/enterprises/recognition/?tier=specialized",
    "/admin/enterprises/recognition/?q={uscc}",
    "/admin/declarations/statistics/",
    "/admin/messaging/message/",
    "/admin/messaging/message/?category=declaration",
    "/admin/messaging/message/?q={uscc}",
]


def generate(enterprises: int, *, append: bool, regions: str = COUNTIES) -> None:
    args = ["--enterprises", str(enterprises), "--declarations", str(enterprises * 6),
            "--messages", str(enterprises * 10), "--regions", regions, "--seed", str(enterprises)]
    call_command("generate_load_data", *args, *(["--append"] if append else []), stdout=StringIO())


def every_list_holds_rows(target: Enterprise) -> None:
    """The small data set must not leave a page empty (an empty page skips its prefetches): one
    enterprise of 天河区 gets a filed declaration at each level, a title in force of each tier and
    a 申报提醒, all in 门类 C."""
    today = timezone.localdate()
    target.industry = Industry.objects.filter(level="小类", section="C").first()
    target.save()
    chain = [("innovative", "at_county"), ("innovative", "at_city"),
             ("innovative", "at_province"), ("giant", "at_ministry"),
             ("specialized", "recognised"), ("specialized", "returned")]
    for declaration, (tier, status) in zip(target.declarations.order_by("pk"), chain, strict=True):
        Declaration.objects.filter(pk=declaration.pk).update(
            tier=tier, status=status, section="C", submitted_at=timezone.now())
    for tier in ("innovative", "specialized"):
        Recognition.objects.create(enterprise=target, region=target.region, tier=tier,
                                   valid_from=today, valid_until=today + dt.timedelta(days=1000))
    Message.objects.filter(recipient=target.account).update(category="declaration")


def query_counts(clients: dict[str, Client], target: Enterprise) -> dict[tuple[str, str], int]:
    counts = {}
    for who, client in clients.items():
        for page in PAGES:
            url = page.format(name=target.name[2:6], uscc=target.uscc)
            client.get(url)  # warm: the session's once-a-minute write, cached reference data
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            assert response.status_code == 200, (who, url)
            counts[(who, page)] = len(captured)
    return counts


def test_the_officials_pages_make_the_same_queries_with_3_and_30_enterprises():
    clients = {}
    for who, level, code in [("ministry", "ministry", ""), ("province", "province", "440000"),
                             ("city", "city", "440100"), ("county", "county", "440106")]:
        clients[who] = Client()
        clients[who].force_login(official(f"o_{who}", level, code))
    # One enterprise of 天河区 on both sizes: every official's list holds rows.
    generate(1, append=False, regions="440106")
    target = Enterprise.objects.get()
    every_list_holds_rows(target)
    generate(2, append=True)
    assert Enterprise.objects.count() == 3
    small = query_counts(clients, target)

    generate(27, append=True)
    assert Enterprise.objects.count() == 30
    assert Declaration.objects.count() == 180 and Message.objects.count() == 300
    large = query_counts(clients, target)
    assert large == small
    # And no page is near the old unbounded cost: a handful of queries each.
    assert max(large.values()) <= 14, large
