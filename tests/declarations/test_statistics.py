"""统计分析: numbers against a hand-built data set, scope, constant queries, SVG charts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from declarations import statistics
from declarations.models import Declaration
from enterprises.models import Enterprise, Industry, Recognition
from tests.declarations.conftest import open_window
from tests.declarations.test_exports import company, filed

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 4, tzinfo=dt.UTC)


def rows(table) -> dict[str, list[int]]:
    return dict(table.items)


def by_title(stats, title):
    return next(t for t in stats["tables"] if t.title == title)


@pytest.fixture
def world():
    """广州天河 ×2, 广州越秀 ×1, 深圳 ×1 (its own declaration region), 南京 ×1."""
    with time_machine.travel(NOW, tick=False):
        metal = Industry.objects.get(code="3311")
        software = Industry.objects.get(code="6511")
        a, b = company("天河甲"), company("天河乙")
        c = company("越秀丙", "440104")
        sz, nj = company("深圳丁", "440305"), company("南京戊", "320102")
        Enterprise.objects.filter(pk__in=[a.pk, c.pk, sz.pk]).update(industry=metal)
        Enterprise.objects.filter(pk__in=[b.pk, nj.pk]).update(industry=software)
        Enterprise.objects.filter(pk=c.pk).update(created_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
        gd = open_window("440000", "innovative")
        gd_sp = open_window("440000", "specialized")
        filed(a, gd)
        filed(b, gd, status=Declaration.Status.RECOMMENDED)
        filed(c, gd_sp, status=Declaration.Status.AT_CITY)
        Declaration.objects.filter(enterprise=c).update(submitted_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC))
        filed(sz, open_window("440300", "innovative"))
        filed(nj, open_window("320000", "innovative"))
        for e, tier, start, revoked in [(a, "specialized", dt.date(2026, 1, 1), None),
                                        (c, "specialized", dt.date(2025, 1, 1), None),
                                        (b, "innovative", dt.date(2025, 1, 1), NOW),
                                        (nj, "specialized", dt.date(2026, 1, 1), None)]:
            Recognition.objects.create(enterprise=e, tier=tier, batch=f"{start.year}年第一批",
                                       valid_from=start, valid_until=start.replace(year=start.year + 3),
                                       revoked_at=revoked,
                                       state="revoked" if revoked else "in_force")


def test_a_province_sees_its_own_numbers_by_city_tier_status_section_and_batch(gd_province, world):
    with time_machine.travel(NOW, tick=False):
        stats = statistics.overview(user=gd_province)
    assert stats["totals"] == {"enterprises": 3, "declarations_this": 2, "declarations_last": 1,
                               "valid_titles": 2}
    assert rows(by_title(stats, "申报数（按层级）"))["创新型中小企业"] == [2, 0, 2]
    assert rows(by_title(stats, "申报数（按层级）"))["专精特新中小企业"] == [0, 1, 1]
    assert rows(by_title(stats, "申报数（按状态）")) == {"审核通过": [1, 0, 1], "市级审核中": [0, 1, 1],
                                                    "省级审核中": [1, 0, 1]}
    assert rows(by_title(stats, "申报数（按地区）")) == {"广东省 广州市": [2, 1, 3]}
    sections = rows(by_title(stats, "申报数（按行业门类）"))
    assert sections["C 制造业"] == [1, 1, 2] and sum(v[2] for v in sections.values()) == 3
    assert rows(by_title(stats, "申报数（按批次）")) == {"广东省 2026年第一批": [2, 1, 3]}
    assert rows(by_title(stats, "认定数（按层级）"))["专精特新中小企业"] == [1, 1, 2]
    assert rows(by_title(stats, "认定数（按层级）"))["创新型中小企业"] == [0, 1, 0]
    assert rows(by_title(stats, "认定数（按批次）")) == {"2025年第一批": [0, 2, 1], "2026年第一批": [1, 0, 1]}
    assert rows(by_title(stats, "企业数（按地区）")) == {"广东省 广州市": [2, 1, 3]}


def test_the_ministry_counts_by_declaration_region(ministry, world):
    with time_machine.travel(NOW, tick=False):
        stats = statistics.overview(user=ministry)
    assert rows(by_title(stats, "企业数（按地区）")) == {"广东省": [2, 1, 3],
                                                    "深圳市": [1, 0, 1], "江苏省": [1, 0, 1]}
    assert stats["totals"]["declarations_this"] == 4


def test_a_county_sees_only_its_county(tianhe_county, world):
    with time_machine.travel(NOW, tick=False):
        stats = statistics.overview(user=tianhe_county)
    assert stats["totals"]["enterprises"] == 2
    assert list(rows(by_title(stats, "申报数（按地区）"))) == ["广东省 广州市 天河区"]


def test_the_page_makes_the_same_queries_whatever_the_data(client, gd_province, world):
    client.force_login(gd_province)
    url = reverse("admin:declarations_statistics")
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for i in range(5):
        filed(company(f"新增{i}", "440104"), open_window("440000", "giant", days_left=400 + i))
    with CaptureQueriesContext(connection) as after:
        page = client.get(url)
    assert len(after) == len(before)
    body = page.content.decode()
    assert "<svg" in body and "申报数（按层级）" in body and "<script" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_enterprise_accounts_cannot_open_the_page(client, ent_tianhe):
    client.force_login(ent_tianhe)
    assert client.get(reverse("admin:declarations_statistics")).status_code == 302


def test_the_page_is_listed_for_officials(client, tianhe_county):
    client.force_login(tianhe_county)
    body = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:declarations_statistics") in body
    assert "exports/jobs" not in body
