"""Load data at national scale: enterprises, their accounts, titles, declarations and messages.

`manage.py generate_load_data` (and the benchmarks in `bench/`) call `generate()`. Rows are
written in batches — PostgreSQL `COPY … FROM STDIN` through psycopg 3's `cursor.copy()`,
`bulk_create` elsewhere (small sizes only: the tests) — with primary keys assigned here, so
rows can point at each other without reading anything back; the sequences are moved past
them at the end.

The spread is meant to look like the real population (domain.md §1–§2):
* 注册地: every county-level region, weighted by the province's share of SMEs
  (`PROVINCE_WEIGHTS`), uniform among a province's counties;
* 所属行业: a 小类 of a 门类 drawn by `SECTION_WEIGHTS` (manufacturing first);
* titles: ~60 % 创新型, 14 % 专精特新 (all also 创新型), 1.7 % 小巨人 (all also 专精特新),
  recognised in 2022–2026, with certificate numbers in the product's format;
* declarations: one per (enterprise, tier, year) at most, over each declaration region's
  windows of 2022–2026; the past years decided (认定 / 未予认定 / 不予推荐), this year's
  window open and its declarations at every step of the chain (草稿, each review level,
  退回, 审核通过, 公示中, 已认定, 不予推荐);
* messages: to the enterprises' own accounts (法人账户), every 我的消息 tab, most read.

Generated accounts have no usable password and no 手机号 / 身份证号 (the encrypted fields
stay empty).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

# Share of SMEs by province (GB/T 2260 two-digit prefix), rounded from the 2023 economic
# census order of magnitude: the east coast first. Relative weights, not percentages.
PROVINCE_WEIGHTS = {
    "11": 4.0, "12": 2.0, "13": 4.0, "14": 1.5, "15": 1.0, "21": 2.5, "22": 1.0, "23": 1.0,
    "31": 4.0, "32": 11.0, "33": 10.0, "34": 5.0, "35": 3.5, "36": 3.0, "37": 9.0, "41": 4.0,
    "42": 4.5, "43": 4.0, "44": 13.0, "45": 1.5, "46": 0.5, "50": 2.5, "51": 3.5, "52": 1.0,
    "53": 1.0, "54": 0.1, "61": 2.0, "62": 0.6, "63": 0.2, "64": 0.3, "65": 0.6,
}
# GB/T 4754-2017 门类 among quality SMEs: manufacturing most, then software/IT and R&D services.
SECTION_WEIGHTS = {
    "A": 2.0, "B": 0.5, "C": 58.0, "D": 1.5, "E": 2.0, "F": 3.5, "G": 5.0, "H": 0.4, "I": 12.0,
    "J": 0.3, "K": 0.8, "L": 3.0, "M": 8.5, "N": 1.5, "O": 0.3, "P": 0.2, "Q": 0.3, "R": 0.7,
    "S": 0.1,
}
INNOVATIVE_SHARE, SPECIALIZED_SHARE, GIANT_SHARE = 0.60, 0.14, 0.017
YEARS = (2022, 2023, 2024, 2025, 2026)
TIER_LETTER = {"innovative": "C", "specialized": "Z", "giant": "J"}
TIERS = ("innovative", "specialized", "giant")
# Declarations of a decided (past) window, and of this year's open one.
PAST_STATUSES = {"recognised": 55, "not_recognised": 10, "not_recommended": 35}
OPEN_STATUSES = {"draft": 18, "at_county": 20, "at_city": 12, "at_province": 12,
                 "at_ministry": 3, "returned": 6, "recommended": 8, "publicized": 4,
                 "recognised": 9, "not_recommended": 8}
MESSAGE_CATEGORIES = {"declaration": 40, "info_update": 25, "expiry": 15, "recognition": 17,
                      "revocation": 3}
MESSAGE_TITLES = {"declaration": "申报提醒：{y}年度优质中小企业申报已开始",
                  "info_update": "信息更新提醒：请于4月30日前完成{y}年度信息更新",
                  "expiry": "认定到期提醒：您的认定称号将于90天后到期",
                  "recognition": "认定通知：贵企业已通过{y}年度认定",
                  "revocation": "取消认定通知"}
NAME_CHARS = ("华", "恒", "瑞", "宏", "鑫", "泰", "博", "盛", "达", "隆", "兴", "安", "康", "源",
              "创", "新", "科", "智", "精", "诚", "信", "德", "远", "明", "天", "中", "金", "正",
              "凯", "嘉", "永", "昌", "晟", "卓", "越", "汇", "联", "通", "海", "峰", "宇", "航",
              "立", "方", "森", "蓝", "星", "辰", "光", "亿", "锐", "翔", "启", "融", "睿", "拓",
              "捷", "力", "腾", "云")
NAME_TRADES = {"C": ("精密机械", "新材料", "电子", "智能装备", "汽车零部件", "化工", "医疗器械",
                     "仪器仪表", "模具", "光电", "传感器", "包装材料"),
               "I": ("软件", "信息技术", "数据科技", "网络科技", "智能科技"),
               "M": ("检测技术", "工程技术", "生物技术", "环境科技", "设计")}
NAME_TRADE_OTHER = ("科技", "实业", "发展", "技术服务", "贸易")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华"

EMPTY_FORM: dict = {}  # one shared object: written as JSON once per batch
SQLITE_LIMITS = {"enterprises": 5000, "declarations": 15000, "messages": 50000}


@dataclass
class Plan:
    enterprises: int
    declarations: int
    messages: int
    seed: int = 2026
    batch: int = 50000
    append: bool = False
    today: dt.date | None = None
    # Only these county codes as 注册地 (a province's or a test's data); None: the whole country.
    regions: Sequence[str] | None = None
    log: Callable[[str], None] = print
    timings: dict[str, float] = field(default_factory=dict)


class LoadDataError(Exception):
    """The generation cannot run as asked (the message says why, in Chinese)."""


def check(plan: Plan) -> None:
    """Refuse what would not work or not end: sizes, SQLite at scale, a non-empty database."""
    from declarations.models import Declaration
    from enterprises.models import Enterprise
    from messaging.models import Message

    for name in ("enterprises", "declarations", "messages"):
        if getattr(plan, name) < 0:
            raise LoadDataError(f"--{name} 不能为负数。")
    if plan.batch < 1:
        raise LoadDataError("--batch 至少为 1。")
    if plan.declarations > plan.enterprises * len(TIERS) * len(YEARS):
        raise LoadDataError(f"申报数不能超过企业数的 {len(TIERS) * len(YEARS)} 倍"
                            "（每家企业每年每个层级至多一份申报）。")
    if plan.messages and not plan.enterprises:
        raise LoadDataError("消息发给生成的企业账户：--messages 需要 --enterprises 大于 0。")
    if plan.regions is not None:
        from portal.regions.models import Region

        known = set(Region.objects.filter(registrable=True, code__in=plan.regions)
                    .values_list("code", flat=True))
        unknown = [c for c in plan.regions if c not in known]
        if unknown or not plan.regions:
            raise LoadDataError(f"--regions 须为可作为注册地的区县级代码：{'、'.join(unknown)} 不是。")
    if connection.vendor != "postgresql":
        too_big = [f"--{k} {getattr(plan, k)}（上限 {v}）" for k, v in SQLITE_LIMITS.items()
                   if getattr(plan, k) > v]
        if too_big:
            raise LoadDataError("大规模数据只能写入 PostgreSQL（COPY）；当前数据库为 "
                                f"{connection.vendor}，超出小规模上限：{'，'.join(too_big)}。"
                                "请设置 DATABASE_URL=postgres://…")
    if not plan.append and (Enterprise.objects.exists() or Declaration.objects.exists()
                            or Message.objects.exists()):
        raise LoadDataError("数据库中已有企业、申报或消息数据。追加生成请加 --append，"
                            "或换一个空数据库。")


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1


class Writer:
    """Batched inserts of tuples in a fixed column order (attnames, primary key included)."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], batch: int) -> None:
        self.model, self.columns, self.batch = model, list(columns), batch
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [c for c in self.columns if c not in fields]
        if unknown:
            raise ValueError(f"{model.__name__} has no column {unknown}")
        # Every column the rows leave out gets the field's default, so a column added to the
        # model later does not break the generation.
        self.rest = [f for f in model._meta.concrete_fields
                     if f.attname not in self.columns and not f.primary_key]
        self.rest_values = tuple(f.get_default() for f in self.rest)
        self.json_at = [i for i, c in enumerate(self.columns)
                        if isinstance(fields[c], models.JSONField)]
        self.rows: list[tuple] = []
        self.count = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        if connection.vendor == "postgresql":
            self._copy()
        else:
            self.model.objects.bulk_create(
                [self.model(**dict(zip(self.columns, r, strict=True)),
                            **{f.attname: v for f, v in zip(self.rest, self.rest_values,
                                                            strict=True)})
                 for r in self.rows], batch_size=500)
        self.count += len(self.rows)
        self.rows = []

    def _copy(self) -> None:
        fields = {f.attname: f for f in self.model._meta.concrete_fields}
        names = ", ".join(f'"{fields[c].column}"' for c in self.columns)
        names += "".join(f', "{f.column}"' for f in self.rest)
        rest = tuple(json.dumps(v) if isinstance(v, dict | list) else v for v in self.rest_values)
        # The same JSON object (a shared constant) is written many times: dump it once. The
        # cache keeps the object itself, so its id cannot be reused by another while cached.
        dumped: dict[int, tuple[Any, str]] = {}
        json_at = self.json_at
        with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(
                f'COPY "{self.model._meta.db_table}" ({names}) FROM STDIN') as copy:
            for row in self.rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        v = row[i]
                        if v is None:
                            continue
                        hit = dumped.get(id(v))
                        if hit is not None:
                            row[i] = hit[1]
                        else:
                            row[i] = json.dumps(v, ensure_ascii=False)
                            if len(dumped) < 64:
                                dumped[id(v)] = (v, row[i])
                copy.write_row((*row, *rest))


def uscc_for(n: int, region_code: str) -> str:
    """A valid 统一社会信用代码 (GB 32100-2015 check digit) for generated account `n`: "91", the
    county, "MA" and `n` in 7 base-31 characters of the code's own alphabet (unique up to
    27 billion)."""
    from portal.accounts.validators import USCC_ALPHABET, uscc_check_char

    serial = ""
    for _ in range(7):
        n, digit = divmod(n, len(USCC_ALPHABET))
        serial = USCC_ALPHABET[digit] + serial
    first = f"91{region_code}MA{serial}"
    return first + uscc_check_char(first)


def _weighted(rng: random.Random, weights: dict[str, float]) -> Callable[[], str]:
    keys = list(weights)
    cum, total = [], 0.0
    for k in keys:
        total += weights[k]
        cum.append(total)

    def draw() -> str:
        return rng.choices(keys, cum_weights=cum)[0]
    return draw


def _aware(d: dt.date, seconds: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(d, dt.time()) + dt.timedelta(seconds=seconds))


@dataclass(slots=True)
class Ent:
    pk: int
    name: str
    uscc: str
    region: str
    employees: int
    region_id: int
    declaration_region_id: int
    plan_region_code: str
    section: str
    municipality: bool


def generate(plan: Plan) -> dict[str, int]:
    """Write the rows; returns the counts written. Call `check(plan)` first."""
    from django.contrib.auth import get_user_model

    from declarations.models import Declaration
    from enterprises.models import Enterprise, Recognition, RecognitionTerm
    from messaging.models import Message

    rng = random.Random(plan.seed)  # noqa: S311 — reproducible test data, not secrets
    today = plan.today or timezone.localdate()
    now = timezone.now()
    user_model = get_user_model()
    counts: dict[str, int] = {}
    t_all = time.perf_counter()

    counties, county_weights = _counties(plan.regions)
    industries = _industries()
    draw_section = _weighted(rng, SECTION_WEIGHTS)

    # --- enterprises and their 法人账户 -------------------------------------------------
    t0 = time.perf_counter()
    first_user, first_ent = _next_id(user_model), _next_id(Enterprise)
    users = Writer(user_model, ["id", "password", "last_login", "is_superuser", "username",
                                "first_name", "last_name", "email", "is_staff", "is_active",
                                "date_joined", "kind", "uscc", "id_number", "id_number_hash",
                                "org_name", "person_name", "mobile", "official_level",
                                "region_id", "declaration_region_id"], plan.batch)
    ents = Writer(Enterprise, ["id", "uscc", "name", "account_id", "region_id", "address",
                               "industry_id", "founded_on", "registered_capital", "scale",
                               "legal_representative", "contact_person", "contact_phone",
                               "contact_email", "main_product", "niche_market", "niche_since",
                               "employees", "rd_staff", "created_at", "updated_at"], plan.batch)
    enterprises: list[Ent] = []
    for k in range(plan.enterprises):
        pk, user_pk = first_ent + k, first_user + k
        county = rng.choices(counties, cum_weights=county_weights)[0]
        section = draw_section()
        trades = NAME_TRADES.get(section, NAME_TRADE_OTHER)
        brand = rng.choice(NAME_CHARS) + rng.choice(NAME_CHARS)
        name = f"{county['short']}{brand}{rng.choice(trades)}有限公司"
        code = uscc_for(user_pk, county["code"])  # account keys only grow: never reused
        created = _aware(dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(
            (today - dt.date(2019, 1, 1)).days + 1)), rng.randrange(8 * 3600, 18 * 3600))
        employees = int(rng.lognormvariate(4.2, 0.8)) + 5
        legal = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        users.add((user_pk, "!", None, False, f"ld{user_pk:08d}", "", "", f"ld{user_pk}@example.cn",
                   False, True, created, "enterprise", code, None, None, name, legal, "", "",
                   county["id"], None))
        ents.add((pk, code, name, user_pk, county["id"], f"{county['full']}工业路{k % 999 + 1}号",
                  rng.choice(industries[section]), created.date() - dt.timedelta(
                      days=rng.randrange(365, 20 * 365)),
                  round(rng.lognormvariate(6.5, 1.0), 2), "small" if employees < 100 else "medium",
                  legal, legal, f"0{rng.randrange(10, 999)}-{rng.randrange(1000000, 9999999)}",
                  f"contact{pk}@example.cn", "主导产品", "细分市场", None, employees,
                  max(1, employees // rng.randrange(5, 12)), created, created))
        enterprises.append(Ent(pk, name, code, county["full"], employees, county["id"], county["dr"], county["dr_code"], section,
                               county["municipality"]))
        if len(users.rows) >= plan.batch:
            users.flush()  # accounts first: the enterprises point at them
            ents.flush()
    users.flush()
    ents.flush()
    counts["users"], counts["enterprises"] = users.count, ents.count
    plan.timings["enterprises"] = time.perf_counter() - t0
    plan.log(f"企业 {ents.count} 家及其法人账户：{plan.timings['enterprises']:.1f} 秒")

    # --- titles (认定记录) and their terms ----------------------------------------------
    t0 = time.perf_counter()
    first_rec, first_term = _next_id(Recognition), _next_id(RecognitionTerm)
    recs = Writer(Recognition, ["id", "enterprise_id", "region_id", "tier", "batch",
                                "document_no", "certificate_no", "valid_from", "valid_until",
                                "state", "standard_version", "created_at"], plan.batch)
    terms = Writer(RecognitionTerm, ["id", "recognition_id", "valid_from", "valid_until",
                                     "source", "batch", "document_no", "created_at"], plan.batch)
    serials: dict[tuple, int] = _existing_serials()
    rec_id = first_rec
    for e in enterprises:
        r = rng.random()
        tiers = (TIERS if r < GIANT_SHARE else TIERS[:2] if r < SPECIALIZED_SHARE
                 else TIERS[:1] if r < INNOVATIVE_SHARE else ())
        for tier in tiers:
            year = rng.choice(YEARS)
            last = min(dt.date(year, 12, 31), today)
            first = dt.date(year, 1, 1)
            valid_from = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
            valid_until = _years_later(valid_from, 3) - dt.timedelta(days=1)
            region_code = e.plan_region_code  # a 小巨人 carries its recommending region's code
            key = (year, region_code, tier)
            serials[key] = serials.get(key, 0) + 1
            cert = f"{year}{region_code}{TIER_LETTER[tier]}{serials[key]:06d}"
            batch = f"{year}年第{1 + (valid_from.month > 6)}批"
            doc = f"工信厅企业函〔{year}〕{rng.randrange(10, 400)}号"
            version = "2026" if valid_from >= dt.date(2026, 4, 1) else "2022"
            created = _aware(valid_from, 9 * 3600)
            recs.add((rec_id, e.pk, e.region_id, tier, batch, doc, cert, valid_from, valid_until,
                      "in_force", version, created))
            terms.add((first_term + (rec_id - first_rec), rec_id, valid_from, valid_until,
                       "recognition", batch, doc, created))
            rec_id += 1
            if len(recs.rows) >= plan.batch:
                recs.flush()
                terms.flush()
    recs.flush()
    terms.flush()
    counts["recognitions"], counts["terms"] = recs.count, terms.count
    plan.timings["recognitions"] = time.perf_counter() - t0
    plan.log(f"认定记录 {recs.count} 条：{plan.timings['recognitions']:.1f} 秒")

    # --- declarations over the windows of 2022–2026 ---------------------------------------
    t0 = time.perf_counter()
    windows = _windows(today, now) if plan.declarations else {}
    first_decl = _next_id(Declaration)
    decls = Writer(Declaration, ["id", "public_id", "number", "kind", "enterprise_id", "tier",
                                 "window_id", "declaration_region_id", "region_id",
                                 "standard_version", "status", "returned_level", "form_data",
                                 "result", "profile", "verification_code", "submitted_at",
                                 "section", "created_at", "updated_at"], plan.batch)
    combos = [(tier, year) for year in YEARS for tier in TIERS]
    draw_past, draw_open = _weighted(rng, PAST_STATUSES), _weighted(rng, OPEN_STATUSES)
    result = {"total": 72, "verdict": "符合", "conditions": [], "indicators": [
        {"key": f"i{k}", "name": f"指标{k}", "value": "12.5", "band": "≥10%", "points": 8,
         "max_points": 10, "reason": "达到第二档"} for k in range(3)]}
    n = len(enterprises)
    for d in range(plan.declarations):
        e = enterprises[d % n]
        # Pass p gives each enterprise another (tier, year): one declaration per key at most.
        tier, year = combos[(e.pk * 7 + d // n) % len(combos)]
        window_id, starts = windows[(e.declaration_region_id, tier, year)]
        is_open = year == today.year
        status = draw_open() if is_open else draw_past()
        if status == "at_ministry" and tier != "giant":
            status = "at_province"
        if status == "at_city" and e.municipality:
            status = "at_county"
        returned = rng.choice(("county", "city", "province")) if status == "returned" else ""
        if returned == "city" and e.municipality:
            returned = "county"
        created = starts + dt.timedelta(hours=rng.randrange(1, 24 * 40))
        if created > now:
            created = now - dt.timedelta(hours=rng.randrange(1, 24 * 20))
        submitted = None if status == "draft" else min(
            now, created + dt.timedelta(hours=rng.randrange(1, 24 * 10)))
        pk = first_decl + d
        profile = None if status == "draft" else {
            "name": e.name, "uscc": e.uscc, "region": e.region, "industry": e.section,
            "scale_label": "小型" if e.employees < 100 else "中型", "main_product": "主导产品",
            "niche_market": "细分市场", "employees": str(e.employees), "figures": {}}
        decls.add((pk, uuid.UUID(int=rng.getrandbits(128), version=4), f"LD{year}{pk:010d}",
                   "new", e.pk, tier, window_id, e.declaration_region_id, e.region_id,
                   "2026" if year >= 2026 else "2022", status, returned, EMPTY_FORM,
                   None if status == "draft" else result, profile, "", submitted,
                   e.section if submitted else "", created, submitted or created))
    decls.flush()
    counts["declarations"] = decls.count
    plan.timings["declarations"] = time.perf_counter() - t0
    plan.log(f"申报 {decls.count} 份：{plan.timings['declarations']:.1f} 秒")

    # --- messages to the enterprises' accounts ---------------------------------------------
    t0 = time.perf_counter()
    first_msg = _next_id(Message)
    msgs = Writer(Message, ["id", "recipient_id", "region_id", "category", "title", "body", "link", "kind",
                            "subject", "period", "created_at", "read_at", "sent_by_id",
                            "copy_email", "copy_sms", "copy_status", "copy_error"], plan.batch)
    draw_category = _weighted(rng, MESSAGE_CATEGORIES)
    start = _aware(dt.date(2022, 1, 1), 0)
    span = int((now - start).total_seconds())
    titles = {(c, y): MESSAGE_TITLES[c].format(y=y) for c in MESSAGE_CATEGORIES for y in YEARS}
    bodies = {c: f"{MESSAGE_TITLES[c].format(y='本')}。详情请登录平台查看。" for c in MESSAGE_CATEGORIES}
    last_chunk = time.perf_counter()
    for m in range(plan.messages):
        # Skewed: a few accounts get many messages (the recognised), most a handful.
        k = int(n * rng.random() ** 1.6)
        category = draw_category()
        created = start + dt.timedelta(seconds=rng.randrange(span))
        read = created + dt.timedelta(hours=rng.randrange(1, 24 * 30)) if rng.random() < 0.7 else None
        if read is not None and read > now:
            read = None
        pk = first_msg + m
        k = min(k, n - 1)
        msgs.add((pk, first_user + k, enterprises[k].region_id, category, titles[(category, created.year)],
                  bodies[category], "", f"load-{category}", f"load:{pk}", "", created, read,
                  None, False, False, "", ""))
        if (m + 1) % 1_000_000 == 0:
            plan.log(f"  消息 {m + 1} 条：本百万条 {time.perf_counter() - last_chunk:.1f} 秒")
            last_chunk = time.perf_counter()
    msgs.flush()
    counts["messages"] = msgs.count
    plan.timings["messages"] = time.perf_counter() - t0
    plan.log(f"消息 {msgs.count} 条：{plan.timings['messages']:.1f} 秒")

    t0 = time.perf_counter()
    _reset_sequences([user_model, Enterprise, Recognition, RecognitionTerm, Declaration, Message])
    from declarations.services import statistics_refresh

    statistics_refresh()  # what the calendar does every 10 minutes
    if connection.vendor == "postgresql":
        # What autovacuum does on a live database: the statistics, and (outside a transaction)
        # the visibility map and hint bits, so the first reads do not rewrite every page and
        # index-only scans read the index alone.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    plan.timings["finish"] = time.perf_counter() - t0
    plan.timings["total"] = time.perf_counter() - t_all
    plan.log(f"统计汇总与 VACUUM ANALYZE：{plan.timings['finish']:.1f} 秒；合计 {plan.timings['total']:.1f} 秒")
    return counts


def _counties(codes: Sequence[str] | None) -> tuple[list[dict], list[float]]:
    from portal.regions.models import Region

    counties = Region.objects.filter(registrable=True)
    if codes is not None:
        counties = counties.filter(code__in=codes)
    rows = list(counties.order_by("code").values(
        "id", "code", "name", "full_name", "declaration_region_id",
        "declaration_region__code", "declaration_region__kind"))
    if not rows:
        raise LoadDataError("没有可作为注册地的区县：请先运行 migrate（加载 GB/T 2260 行政区划），"
                            "--regions 须为区县级代码。")
    per_province: dict[str, int] = {}
    for r in rows:
        per_province[r["code"][:2]] = per_province.get(r["code"][:2], 0) + 1
    counties, cum, total = [], [], 0.0
    municipalities = {"11", "12", "31", "50"}
    for r in rows:
        total += PROVINCE_WEIGHTS.get(r["code"][:2], 0.3) / per_province[r["code"][:2]]
        cum.append(total)
        counties.append({"id": r["id"], "code": r["code"], "short": r["name"][:2],
                         "full": r["full_name"].replace(" ", ""),
                         "dr": r["declaration_region_id"], "dr_code": r["declaration_region__code"],
                         "municipality": r["code"][:2] in municipalities})
    return counties, cum


def _industries() -> dict[str, list[int]]:
    from enterprises.models import Industry

    by_section: dict[str, list[int]] = {}
    for pk, section in Industry.objects.filter(level="小类").values_list("id", "section"):
        by_section.setdefault(section, []).append(pk)
    missing = [s for s in SECTION_WEIGHTS if s not in by_section]
    if missing:
        raise LoadDataError("行业分类（GB/T 4754）未加载：请先运行 migrate。")
    return by_section


def _existing_serials() -> dict[tuple, int]:
    """The highest certificate serial per (year, region code, tier) already used."""
    from enterprises.models import Recognition

    letters = {v: k for k, v in TIER_LETTER.items()}
    serials: dict[tuple, int] = {}
    for cert in Recognition.objects.exclude(certificate_no="").values_list(
            "certificate_no", flat=True).iterator():
        if len(cert) == 17 and cert[:4].isdigit() and cert[10] in letters and cert[11:].isdigit():
            key = (int(cert[:4]), cert[4:10], letters[cert[10]])
            serials[key] = max(serials.get(key, 0), int(cert[11:]))
    return serials


def _windows(today: dt.date, now: dt.datetime) -> dict[tuple, tuple[int, dt.datetime]]:
    """One window per (declaration region, tier, year): an existing one of that year, else a
    new one — 1 May to 31 July for past years, this year's open from 1 September to 31 December."""
    from declarations.models import DeclarationWindow
    from portal.regions.models import DeclarationRegion

    out: dict[tuple, tuple[int, dt.datetime]] = {}
    existing = {(w.declaration_region_id, w.tier, timezone.localtime(w.starts_at).year): w
                for w in DeclarationWindow.objects.all()}
    for dr in DeclarationRegion.objects.all():
        for tier in TIERS:
            for year in YEARS:
                w = existing.get((dr.pk, tier, year))
                if w is None:
                    if year == today.year:
                        starts, ends = dt.date(year, 9, 1), dt.date(year, 12, 31)
                    else:
                        starts, ends = dt.date(year, 5, 1), dt.date(year, 7, 31)
                    w = DeclarationWindow.objects.create(
                        declaration_region=dr, tier=tier, starts_at=_aware(starts, 0),
                        ends_at=_aware(ends, 24 * 3600 - 1), note=f"{year}年度",
                        standard_version="2026" if year >= 2026 else "2022")
                out[(dr.pk, tier, year)] = (w.pk, w.starts_at)
    return out


def _years_later(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _reset_sequences(model_list: list[type[models.Model]]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in model_list:
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608 — our table names  # nosec B608 - model table names, no input
                           f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))')
