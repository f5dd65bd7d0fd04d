"""统计分析: numbers against a hand-built data set and, after the summary tables are rebuilt,
against live counts of every row; scope; the rebuild (its years, drafts, titles' validity, the
time it is made); constant queries; SVG charts."""

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
from declarations.models import (
    Declaration,
    DeclarationSectionCount,
    DeclarationStatusCount,
    DeclarationTierCount,
    DeclarationWindow,
    DeclarationWindowCount,
)
from declarations.services import statistics_refresh
from enterprises.models import (
    Enterprise,
    EnterpriseCount,
    Industry,
    Recognition,
    RecognitionBatchCount,
    RecognitionTierCount,
)
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
    """广州天河 ×2, 广州越秀 ×1, 深圳 ×1 (its own declaration region), 南京 ×1; the summary
    tables rebuilt at NOW."""
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
        statistics_refresh()


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
    assert stats["as_of"] == dt.datetime(2026, 6, 1, 12, tzinfo=CST)


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


# --- the summary tables: rebuilt on the calendar, the page says when ---------------------------


def gd_window(tier: str = "innovative") -> DeclarationWindow:
    return DeclarationWindow.objects.filter(declaration_region__code="440000", tier=tier).first() \
        or open_window("440000", tier)


def test_before_the_first_rebuild_the_page_says_so_and_counts_nothing(client, gd_province):
    e = company("天河甲")
    filed(e, open_window("440000", "innovative"))
    title(e, "innovative", timezone.localdate())
    client.force_login(gd_province)
    page = client.get(reverse("admin:declarations_statistics"))
    body = page.content.decode()
    assert "统计数据尚未汇总" in body
    assert 'data-testid="total-enterprises">0<' in body
    stats = page.context["stats"]
    assert stats["totals"] == {} and stats["as_of"] is None
    assert {t.title: t.rows for t in stats["tables"] if t.rows} == {
        "申报数（按层级）": dict.fromkeys(Tier.labels, [0, 0, 0]),
        "认定数（按层级）": dict.fromkeys(Tier.labels, [0, 0, 0])}
    assert body.count("暂无数据") == 8
    statistics_refresh()
    body = client.get(reverse("admin:declarations_statistics")).content.decode()
    assert '<tr data-label="广东省 广州市"><th scope="row">广东省 广州市</th><td>1</td>' in body  # 申报


def test_the_page_says_when_the_numbers_were_counted(client, gd_province, world):
    client.force_login(gd_province)
    with time_machine.travel(NOW + dt.timedelta(minutes=7), tick=False):
        body = client.get(reverse("admin:declarations_statistics")).content.decode()
    assert "企业、申报和认定数据截至 2026-06-01 12:00" in body


def test_rows_added_after_a_rebuild_are_counted_by_the_next_one(gd_province, world):
    later = NOW + dt.timedelta(minutes=3)
    with time_machine.travel(later, tick=False):
        e = company("天河新设")
        filed(e, gd_window("specialized"))
        title(e, "giant", dt.date(2026, 5, 1))
        before = statistics.overview(user=gd_province)
        statistics_refresh()
        stats = statistics.overview(user=gd_province)
    assert before["totals"] == {"enterprises": 3, "declarations_this": 2, "declarations_last": 1,
                                "valid_titles": 2}
    assert before["as_of"] == timezone.localtime(NOW)
    assert stats["totals"] == {"enterprises": 4, "declarations_this": 3, "declarations_last": 1,
                               "valid_titles": 3}
    assert rows(by_title(stats, "企业数（按行业门类）"))["未填行业"] == [1, 0, 1]
    assert rows(by_title(stats, "申报数（按行业门类）"))["未填行业"] == [1, 0, 1]
    assert rows(by_title(stats, "认定数（按层级）"))["专精特新“小巨人”企业"] == [1, 0, 1]
    assert stats["as_of"] == timezone.localtime(later)


def test_a_declaration_counts_in_the_beijing_year_it_was_submitted(gd_province):
    # 2025-12-31 23:59 in Beijing is 15:59 UTC; 2026-01-01 00:00 in Beijing is 16:00 UTC.
    moments = {"年末提交": dt.datetime(2025, 12, 31, 23, 59, tzinfo=CST),
               "年初提交": dt.datetime(2026, 1, 1, 0, 0, tzinfo=CST)}
    with time_machine.travel(NOW, tick=False):
        window = open_window("440000", "innovative")
        for name, moment in moments.items():
            d = filed(company(name), window)
            Declaration.objects.filter(pk=d.pk).update(submitted_at=moment)
        statistics_refresh()
        stats = statistics.overview(user=gd_province)
    assert stats["totals"] == {"enterprises": 2, "declarations_this": 1, "declarations_last": 1}
    assert rows(by_title(stats, "申报数（按层级）"))["创新型中小企业"] == [1, 1, 2]
    for name in ("申报数（按状态）", "申报数（按地区）", "申报数（按行业门类）", "申报数（按批次）"):
        assert [n for _label, n in by_title(stats, name).items] == [[1, 1, 2]], name


def test_drafts_are_not_counted(gd_province):
    with time_machine.travel(NOW, tick=False):
        window = open_window("440000", "innovative")
        filed(company("草稿企业"), window, status=Declaration.Status.DRAFT)
        filed(company("提交企业"), window)
        statistics_refresh()
        stats = statistics.overview(user=gd_province)
    assert stats["totals"]["declarations_this"] == 1
    assert rows(by_title(stats, "申报数（按状态）")) == {"省级审核中": [1, 0, 1]}
    assert rows(by_title(stats, "申报数（按批次）")) == {"广东省 2026年第一批": [1, 0, 1]}
    assert list(DeclarationStatusCount.objects.values_list("status", "declarations")) == [
        ("at_province", 1)]


def test_a_title_counts_as_valid_on_the_day_of_the_rebuild(gd_province):
    """当前有效: not cancelled and valid_from ≤ the rebuild's Beijing day ≤ valid_until; the
    figure stays the rebuild's until the next one."""
    day = dt.date(2026, 6, 1)  # NOW in Beijing

    def titled(name: str, start: dt.date, end: dt.date, **extra) -> None:
        e = company(name)
        Recognition.objects.create(enterprise=e, region_id=e.region_id, tier="innovative",
                                   batch="批次", valid_from=start, valid_until=end, **extra)

    with time_machine.travel(NOW, tick=False):
        titled("有效", dt.date(2025, 3, 1), dt.date(2028, 2, 29))
        titled("今日到期", dt.date(2023, 6, 2), day)
        titled("昨日到期", dt.date(2023, 6, 1), day - dt.timedelta(days=1))
        titled("后天生效", day + dt.timedelta(days=2), dt.date(2029, 6, 1))
        titled("已取消", dt.date(2026, 1, 5), dt.date(2029, 1, 4), revoked_at=NOW, state="revoked")
        statistics_refresh()
        stats = statistics.overview(user=gd_province)
    # new this year: 后天生效, 已取消; last year: 有效; valid on the day: 有效, 今日到期
    assert rows(by_title(stats, "认定数（按批次）")) == {"批次": [2, 1, 2]}
    assert stats["totals"]["valid_titles"] == 2
    after_midnight = dt.datetime(2026, 6, 2, 0, 5, tzinfo=CST)
    with time_machine.travel(after_midnight, tick=False):
        assert statistics.overview(user=gd_province)["totals"]["valid_titles"] == 2  # as of 6-01
        statistics_refresh()
        stats = statistics.overview(user=gd_province)
    # 今日到期 has expired since
    assert rows(by_title(stats, "认定数（按批次）")) == {"批次": [2, 1, 1]}
    assert list(RecognitionTierCount.objects.values_list("valid", flat=True)) == [1]


def test_on_new_years_day_before_the_next_rebuild_last_years_rows_are_last_year(gd_province):
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 55, tzinfo=CST), tick=False):
        e = company("天河甲")
        filed(e, open_window("440000", "innovative"))
        title(e, "innovative", dt.date(2026, 12, 31))
        statistics_refresh()
    expected = {"企业数（按地区）": {"广东省 广州市": [0, 1, 1]},
                "申报数（按地区）": {"广东省 广州市": [0, 1, 1]},
                "认定数（按地区）": {"广东省 广州市": [0, 1, 1]}}
    with time_machine.travel(dt.datetime(2027, 1, 1, 0, 3, tzinfo=CST), tick=False):
        stats = statistics.overview(user=gd_province)
        assert {name: rows(by_title(stats, name)) for name in expected} == expected
        statistics_refresh()
        stats = statistics.overview(user=gd_province)
        assert {name: rows(by_title(stats, name)) for name in expected} == expected


def test_the_year_an_enterprise_counts_in_is_beijings(gd_province):
    # 31 December 2025 20:00 UTC is already 2026 in Beijing.
    with time_machine.travel(dt.datetime(2025, 12, 31, 20, tzinfo=dt.UTC), tick=False):
        company("天河甲")
    with time_machine.travel(NOW, tick=False):
        statistics_refresh()
        stats = statistics.overview(user=gd_province)
    assert rows(by_title(stats, "企业数（按地区）")) == {"广东省 广州市": [1, 0, 1]}


def test_a_city_official_never_counts_another_citys_rows(gz_city, world):
    with time_machine.travel(NOW, tick=False):
        dg = company("东莞己", "441900")  # 广东, another city
        filed(dg, gd_window())
        title(dg, "innovative", dt.date(2026, 1, 1))
        statistics_refresh()
        stats = statistics.overview(user=gz_city)
    assert DeclarationTierCount.objects.filter(region__code="441900").exists()
    assert RecognitionTierCount.objects.filter(region__code="441900").exists()
    assert stats["totals"] == {"enterprises": 3, "declarations_this": 2, "declarations_last": 1,
                               "valid_titles": 2}
    for name in ("企业数（按地区）", "申报数（按地区）", "认定数（按地区）"):
        assert set(rows(by_title(stats, name))) == {"广东省 广州市 天河区", "广东省 广州市 越秀区"}
    assert rows(by_title(stats, "申报数（按批次）")) == {"广东省 2026年第一批": [2, 1, 3]}


SUMMARY = {"enterprises": (EnterpriseCount, "section"),
           "title_tiers": (RecognitionTierCount, "tier"),
           "title_batches": (RecognitionBatchCount, "batch"),
           "declaration_tiers": (DeclarationTierCount, "tier"),
           "declaration_statuses": (DeclarationStatusCount, "status"),
           "declaration_sections": (DeclarationSectionCount, "section"),
           "declaration_windows": (DeclarationWindowCount, "window_id")}


def summary() -> dict[str, list[tuple]]:
    """Every row of every summary table, without its id."""
    return {name: sorted(model.objects.values_list(*[
        f.attname for f in model._meta.concrete_fields if not f.primary_key]))
        for name, (model, _dimension) in SUMMARY.items()}


def test_a_second_rebuild_gives_the_same_rows(world):
    with time_machine.travel(NOW, tick=False):
        first = summary()
        assert statistics_refresh() == {name: len(r) for name, r in first.items()} == {
            "enterprises": 5, "title_tiers": 4, "title_batches": 4, "declaration_tiers": 4,
            "declaration_statuses": 5, "declaration_sections": 5,
            "declaration_windows": 4}  # 天河's two share a window
        assert summary() == first


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="row locks: PostgreSQL (SQLite runs one writer at a time anyway)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_rebuilds_at_once_run_one_after_the_other():
    window = open_window("440000", "innovative")
    for i in range(30):
        e = company(f"企业{i}", random.Random(i).choice(["440106", "440104", "440305"]))
        if e.region.declaration_region.code == "440000":
            filed(e, window)
        title(e, "innovative", timezone.localdate())
    errors = []

    def run() -> None:
        try:
            statistics_refresh()
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
    filed_count = Declaration.objects.exclude(status="draft").count()
    assert sum(EnterpriseCount.objects.values_list("enterprises", flat=True)) == 30
    assert EnterpriseCount.objects.count() == 3
    for model in (DeclarationTierCount, DeclarationStatusCount, DeclarationSectionCount,
                  DeclarationWindowCount):
        assert sum(model.objects.values_list("declarations", flat=True)) == filed_count > 0
    for model in (RecognitionTierCount, RecognitionBatchCount):
        assert sum(model.objects.values_list("granted_this_year", flat=True)) == 30


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
        statistics_refresh()


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
    statistics_refresh()
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
        statistics_refresh()
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
