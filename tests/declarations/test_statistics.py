"""统计分析: numbers against a hand-built data set and, after the enterprise counts are rebuilt,
against live counts of every row; scope; the counts' rebuild; constant queries; SVG charts."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import threading
from collections import defaultdict

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from common.tiers import Tier
from declarations import statistics
from declarations.models import Declaration, DeclarationWindow
from enterprises.models import Enterprise, EnterpriseCount, Industry, Recognition
from enterprises.services import enterprise_counts_refresh
from portal.accounts.models import OfficialLevel
from portal.accounts.scoping import for_user
from portal.regions.models import Region
from tests.declarations.conftest import open_window
from tests.declarations.test_exports import company, filed

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 4, tzinfo=dt.UTC)  # 12:00 in Beijing
CST = dt.timezone(dt.timedelta(hours=8))


def rows(table) -> dict[str, list[int]]:
    return dict(table.items)


def by_title(stats, title):
    return next(t for t in stats["tables"] if t.title == title)


def title(enterprise: Enterprise, tier: str, start: dt.date, **extra) -> Recognition:
    """A title as the services record it: with its enterprise's 注册地."""
    return Recognition.objects.create(enterprise=enterprise, region_id=enterprise.region_id,
                                      tier=tier, batch=f"{start.year}年第一批", valid_from=start,
                                      valid_until=start + dt.timedelta(days=3 * 365), **extra)


@pytest.fixture
def world():
    """广州天河 ×2, 广州越秀 ×1, 深圳 ×1 (its own declaration region), 南京 ×1; the enterprise
    counts rebuilt at NOW."""
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
        title(a, "specialized", dt.date(2026, 1, 1))
        title(c, "specialized", dt.date(2025, 1, 1))
        title(b, "innovative", dt.date(2025, 1, 1), revoked_at=NOW, state="revoked")
        title(nj, "specialized", dt.date(2026, 1, 1))
        enterprise_counts_refresh()


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
    assert rows(by_title(stats, "认定数（按地区）")) == {"广东省 广州市": [1, 2, 2]}
    assert rows(by_title(stats, "企业数（按地区）")) == {"广东省 广州市": [2, 1, 3]}
    assert rows(by_title(stats, "企业数（按行业门类）")) == {"C 制造业": [1, 1, 2],
                                                      "I 信息传输、软件和信息技术服务业": [1, 0, 1]}
    assert stats["enterprises_as_of"] == dt.datetime(2026, 6, 1, 12, tzinfo=CST)


def test_the_ministry_counts_by_declaration_region(ministry, world):
    with time_machine.travel(NOW, tick=False):
        stats = statistics.overview(user=ministry)
    assert rows(by_title(stats, "企业数（按地区）")) == {"广东省": [2, 1, 3],
                                                    "深圳市": [1, 0, 1], "江苏省": [1, 0, 1]}
    assert rows(by_title(stats, "申报数（按地区）")) == {"广东省": [2, 1, 3],
                                                    "深圳市": [1, 0, 1], "江苏省": [1, 0, 1]}
    assert rows(by_title(stats, "认定数（按地区）")) == {"广东省": [1, 2, 2], "江苏省": [1, 0, 1]}
    assert stats["totals"] == {"enterprises": 5, "declarations_this": 4, "declarations_last": 1,
                               "valid_titles": 3}


def test_a_county_sees_only_its_county(tianhe_county, world):
    with time_machine.travel(NOW, tick=False):
        stats = statistics.overview(user=tianhe_county)
    assert stats["totals"]["enterprises"] == 2
    assert list(rows(by_title(stats, "申报数（按地区）"))) == ["广东省 广州市 天河区"]
    assert rows(by_title(stats, "企业数（按地区）")) == {"广东省 广州市 天河区": [2, 0, 2]}


def test_another_provinces_numbers_never_appear(js_province, world):
    with time_machine.travel(NOW, tick=False):
        stats = statistics.overview(user=js_province)
    assert stats["totals"] == {"enterprises": 1, "declarations_this": 1, "declarations_last": 0,
                               "valid_titles": 1}
    labels = {label for table in stats["tables"] for label in table.rows}
    assert not any("广东" in label or "广州" in label or "深圳" in label for label in labels)


# --- the enterprise counts: rebuilt on the calendar, the page says when -----------------------


def test_before_the_first_count_the_page_says_so_and_lists_no_enterprises(client, gd_province):
    filed(company("天河甲"), open_window("440000", "innovative"))
    client.force_login(gd_province)
    body = client.get(reverse("admin:declarations_statistics")).content.decode()
    assert "企业数据尚未汇总" in body
    assert 'data-testid="total-enterprises">0<' in body
    assert '<tr data-label="广东省 广州市"><th scope="row">广东省 广州市</th><td>1</td>' in body  # 申报


def test_the_page_says_when_the_enterprises_were_counted(client, gd_province, world):
    client.force_login(gd_province)
    with time_machine.travel(NOW + dt.timedelta(minutes=7), tick=False):
        body = client.get(reverse("admin:declarations_statistics")).content.decode()
    assert "企业数据截至 2026-06-01 12:00" in body


def test_an_enterprise_added_after_a_count_is_counted_by_the_next_one(gd_province, world):
    later = NOW + dt.timedelta(minutes=3)
    with time_machine.travel(later, tick=False):
        company("天河新设")
        assert statistics.overview(user=gd_province)["totals"]["enterprises"] == 3
        declarations = statistics.overview(user=gd_province)["totals"]["declarations_this"]
        enterprise_counts_refresh()
        stats = statistics.overview(user=gd_province)
    assert stats["totals"]["enterprises"] == 4 and declarations == 2
    assert rows(by_title(stats, "企业数（按行业门类）"))["未填行业"] == [1, 0, 1]
    assert stats["enterprises_as_of"] == timezone.localtime(later)


def test_on_new_years_day_before_the_next_count_last_years_enterprises_are_last_year(gd_province):
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 55, tzinfo=CST), tick=False):
        company("天河甲")
        enterprise_counts_refresh()
    with time_machine.travel(dt.datetime(2027, 1, 1, 0, 3, tzinfo=CST), tick=False):
        stats = statistics.overview(user=gd_province)
        assert rows(by_title(stats, "企业数（按地区）")) == {"广东省 广州市": [0, 1, 1]}
        enterprise_counts_refresh()
        assert rows(by_title(statistics.overview(user=gd_province), "企业数（按地区）")) == {
            "广东省 广州市": [0, 1, 1]}


def test_the_year_an_enterprise_counts_in_is_beijings(gd_province):
    # 31 December 2025 20:00 UTC is already 2026 in Beijing.
    with time_machine.travel(dt.datetime(2025, 12, 31, 20, tzinfo=dt.UTC), tick=False):
        company("天河甲")
    with time_machine.travel(NOW, tick=False):
        enterprise_counts_refresh()
        stats = statistics.overview(user=gd_province)
    assert rows(by_title(stats, "企业数（按地区）")) == {"广东省 广州市": [1, 0, 1]}


def test_a_second_count_gives_the_same_rows(world):
    def snapshot():
        return sorted(EnterpriseCount.objects.values_list(
            "region__code", "section", "enterprises", "created_this_year", "created_last_year"))

    with time_machine.travel(NOW, tick=False):
        first = snapshot()
        assert enterprise_counts_refresh() == len(first) == 5
        assert snapshot() == first


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="row locks: PostgreSQL (SQLite runs one writer at a time anyway)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_counts_at_once_run_one_after_the_other():
    for i in range(30):
        company(f"企业{i}", random.Random(i).choice(["440106", "440104", "440305"]))
    errors = []

    def run() -> None:
        try:
            enterprise_counts_refresh()
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(EnterpriseCount.objects.values_list("enterprises", flat=True)) == 30
    assert EnterpriseCount.objects.count() == 3


# --- after a rebuild every number equals the live count ----------------------------------------

COUNTIES = ["440106", "440104", "440305", "441900", "320102", "110101"]
SECTIONS = ["3311", "6511", "0111", "4420", None]


@pytest.fixture
def crowd():
    """A random mix over six counties (广州 ×2, 深圳, 东莞, 南京, 北京), five industries (one
    blank), three years of creation, every declaration status and tier, titles valid, expired,
    cancelled and not yet valid; the counts rebuilt at NOW."""
    rng = random.Random(2026)
    industries = {code: Industry.objects.get(code=code) if code else None for code in SECTIONS}
    windows = {}
    enterprises = []
    with time_machine.travel(NOW, tick=False):
        for i in range(80):
            e = company(f"样本企业{i}", rng.choice(COUNTIES))
            created = NOW - dt.timedelta(days=rng.randrange(0, 900), hours=rng.randrange(24))
            Enterprise.objects.filter(pk=e.pk).update(
                industry=industries[rng.choice(SECTIONS)], created_at=created)
            enterprises.append(e)
        Enterprise.objects.create(name="无注册地企业", uscc="91000000MA00000010", region=None)
        statuses = [s for s in Declaration.Status.values if s != Declaration.Status.DRAFT]
        for e in enterprises[:60]:
            dr = e.region.declaration_region
            tier = rng.choice([Tier.INNOVATIVE, Tier.SPECIALIZED])
            last_year = rng.random() < 0.4
            if (dr.code, tier, last_year) not in windows:
                windows[(dr.code, tier, last_year)] = (DeclarationWindow.objects.create(
                    declaration_region=dr, tier=tier, note="2025年第二批",
                    starts_at=dt.datetime(2025, 9, 1, tzinfo=CST),
                    ends_at=dt.datetime(2025, 9, 30, tzinfo=CST)) if last_year
                    else open_window(dr.code, tier))
            d = filed(e, windows[(dr.code, tier, last_year)], status=rng.choice(statuses))
            Declaration.objects.filter(pk=d.pk).update(
                submitted_at=NOW - dt.timedelta(days=rng.randrange(0, 700)))
        filed(enterprises[60], windows[next(iter(windows))], status=Declaration.Status.DRAFT)
        for e in enterprises[20:75]:
            start = dt.date(2026, 6, 1) - dt.timedelta(days=rng.randrange(-30, 1300))
            revoked = rng.random() < 0.15
            title(e, rng.choice(Tier.values), start, revoked_at=NOW if revoked else None,
                  state="revoked" if revoked else "in_force")
        enterprise_counts_refresh()


def live(user, today: dt.date) -> dict[str, dict[str, list[int]]]:
    """The page's tables counted row by row from the live tables, the plain way."""
    level = OfficialLevel.MINISTRY if user.is_superuser else user.official_level
    sections = dict(Industry.objects.filter(level="门类").values_list("code", "name"))
    tiers, statuses = dict(Tier.choices), dict(Declaration.Status.choices)
    cities = dict(Region.objects.filter(level="city").values_list("code", "full_name"))

    def place(region: Region | None) -> str:
        if region is None:
            return "未填注册地"
        if level == OfficialLevel.MINISTRY:
            return region.declaration_region.name
        if level == OfficialLevel.PROVINCE:
            return cities[region.code[:4] + "00"]
        return region.full_name

    def section(code: str | None) -> str:
        return f"{code} {sections[code]}" if code else "未填行业"

    tables: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))

    def add(name: str, label: str, this: bool, last: bool, total: bool = True) -> None:
        counts = tables[name][label]
        counts[0] += this
        counts[1] += last
        counts[2] += total

    def year(moment: dt.datetime) -> int:
        return timezone.localtime(moment).year

    for e in for_user(Enterprise.objects.select_related("region__declaration_region",
                                                        "industry"), user, "region"):
        this, last = year(e.created_at) == today.year, year(e.created_at) == today.year - 1
        add("企业数（按地区）", place(e.region), this, last)
        add("企业数（按行业门类）", section(e.industry.section if e.industry else None), this, last)
    for d in for_user(Declaration.objects.exclude(status="draft").select_related(
            "region__declaration_region", "window__declaration_region",
            "enterprise__industry"), user, "region"):
        this, last = year(d.submitted_at) == today.year, year(d.submitted_at) == today.year - 1
        add("申报数（按层级）", tiers[d.tier], this, last)
        add("申报数（按状态）", statuses[d.status], this, last)
        add("申报数（按地区）", place(d.region), this, last)
        industry = d.enterprise.industry
        add("申报数（按行业门类）", section(industry.section if industry else None), this, last)
        add("申报数（按批次）", f"{d.window.declaration_region.name} {d.window.note}", this, last)
    for t in for_user(Recognition.objects.select_related("enterprise__region__declaration_region"),
                      user, "enterprise__region"):
        this, last = t.valid_from.year == today.year, t.valid_from.year == today.year - 1
        valid = t.status_on(today) == "有效"
        add("认定数（按层级）", tiers[t.tier], this, last, valid)
        add("认定数（按批次）", t.batch, this, last, valid)
        add("认定数（按地区）", place(t.enterprise.region), this, last, valid)
    return {name: dict(counts) for name, counts in tables.items()}


@pytest.mark.parametrize("who", ["ministry", "gd_province", "sz_province", "js_province",
                                 "gz_city", "tianhe_county"])
def test_after_a_count_every_number_equals_the_live_count(request, who, crowd):
    user = request.getfixturevalue(who)
    with time_machine.travel(NOW, tick=False):
        stats = statistics.overview(user=user)
        expected = live(user, timezone.localdate())
    shown = {t.title: {label: n for label, n in t.items if n != [0, 0, 0] or t.title not in (
        "申报数（按层级）", "认定数（按层级）")} for t in stats["tables"]}
    assert {k: v for k, v in shown.items() if v} == expected
    enterprises = expected.get("企业数（按地区）", {})
    assert stats["totals"]["enterprises"] == sum(n[2] for n in enterprises.values())
    assert stats["totals"].get("valid_titles", 0) == sum(
        n[2] for n in expected.get("认定数（按层级）", {}).values())


# --- the page ------------------------------------------------------------------------------------


def test_the_page_makes_the_same_few_queries_whatever_the_data(client, gd_province, world,
                                                               django_assert_max_num_queries):
    client.force_login(gd_province)
    url = reverse("admin:declarations_statistics")
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    seq = itertools.count()
    for i in range(5):
        filed(company(f"新增{i}", "440104"), open_window("440000", "giant", days_left=400 + i))
        title(company(f"新认定{next(seq)}", "440305"), "giant", dt.date(2026, 2, 1))
    enterprise_counts_refresh()
    with django_assert_max_num_queries(len(before)), CaptureQueriesContext(connection) as after:
        page = client.get(url)
    assert len(after) == len(before) <= 16
    body = page.content.decode()
    assert "<svg" in body and "申报数（按层级）" in body and "<script" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_the_charts_escape_what_they_draw(client, gd_province):
    with time_machine.travel(NOW, tick=False):
        e = company("天河甲")
        title(e, "innovative", dt.date(2026, 1, 1))
        Recognition.objects.filter(enterprise=e).update(batch='<script>alert("x")</script>')
    client.force_login(gd_province)
    body = client.get(reverse("admin:declarations_statistics")).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 本年新认定" in body


def test_enterprise_accounts_cannot_open_the_page(client, ent_tianhe):
    client.force_login(ent_tianhe)
    assert client.get(reverse("admin:declarations_statistics")).status_code == 302


def test_the_page_is_listed_for_officials(client, tianhe_county):
    client.force_login(tianhe_county)
    body = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:declarations_statistics") in body
    assert "exports/jobs" not in body
