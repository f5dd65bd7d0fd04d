"""The officials' pages at a million enterprises: server time, query count and query plans.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_million \\
        .venv/bin/python manage.py generate_load_data --enterprises 1000000 \\
        --declarations 3000000 --messages 20000000
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_million \\
        .venv/bin/python bench/scale_bench.py [--explain] [--only NAME] [--json FILE]

For a ministry, a province (广东), a city (广州) and a county (天河区) official, each page —
the enterprise list, its searches by name and by 统一社会信用代码 and its common filters, the
declaration queue (待我审核 and 全部) with its common filters and searches, the recognition list,
the statistics page and the messages list — is requested through Django's test client in
this process with production settings (DEBUG off, no Redis): 2 warm-up requests, then
BENCH_REQUESTS (20) timed ones; p50 / p95 in ms and the page's query count are printed as a
Markdown table. With --explain every SELECT the page makes runs again under
EXPLAIN (ANALYZE, BUFFERS) and a sequential scan reading more than SCAN_ROWS (20 000)
rows of a big table is flagged. Exit status 1 when
a p95 is over BENCH_TARGET_MS (100) or a big table is scanned sequentially.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BIG_TABLES = ("accounts_user", "enterprises_enterprise", "enterprises_recognition",
              "enterprises_recognitionterm", "declarations_declaration", "messaging_message")
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
ACTUAL = re.compile(r"actual time=[\d.]+\.\.[\d.]+ rows=(\d+) loops=(\d+)")
REMOVED = re.compile(r"Rows Removed by Filter: (\d+)")
SCAN_ROWS = 20000


def setup() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("BENCH_DATABASE_URL=postgres://… (the database generate_load_data filled)")
    os.environ.update(DATABASE_URL=url, DEBUG="false", SECRET_KEY="bench-" + "x" * 50,
                      ALLOWED_HOSTS="localhost", SECURE_SSL_REDIRECT="false")
    os.environ.pop("REDIS_URL", None)
    from common.crypto import DEV_ENCRYPTION_KEY, DEV_HASH_KEY  # generated accounts hold none

    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", DEV_ENCRYPTION_KEY)
    os.environ.setdefault("FIELD_HASH_KEY", DEV_HASH_KEY)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings, setup_test_environment

    import portal.wsgi  # noqa: F401 — what a server process does at start (gc.freeze)

    setup_test_environment()  # the test client's response.context and templates
    # Production settings without collected static files: plain static URLs.
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()


def officials() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from portal.accounts.services import official_create
    from portal.regions.models import DeclarationRegion, Region

    users = get_user_model().objects

    def get(username: str, **kw: Any) -> Any:
        return users.filter(username=username).first() or official_create(
            by=None, username=username, password="Bench@2026pass", person_name=username, **kw)

    bench = {
        "部级": get("scale_ministry", level="ministry"),
        "省级 广东": get("scale_gd", level="province",
                        declaration_region=DeclarationRegion.objects.get(code="440000")),
        "市级 广州": get("scale_gz", level="city", region=Region.objects.get(code="440100")),
        "县级 天河": get("scale_th", level="county", region=Region.objects.get(code="440106")),
    }
    # Past their first login: their own password set (official_create imposes a change).
    users.filter(pk__in=[u.pk for u in bench.values()]).update(must_change_password=False)
    return {who: users.get(pk=u.pk) for who, u in bench.items()}


def login(client: Any, user: Any) -> None:
    """`user` logged in with the second factor passed, as the verification page leaves the
    session (an authenticator is enrolled for the bench account on first use)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name="scale_bench", confirmed=True))
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def pages() -> list[tuple[str, str]]:
    """(name, URL) of every page measured; the searches use an enterprise of 天河区, so every
    official finds it."""
    from urllib.parse import quote

    from enterprises.models import Enterprise

    e = Enterprise.objects.filter(region__code="440106").order_by("pk").first()
    assert e is not None, "no enterprise in 天河区: generate_load_data first"
    part = quote(e.name[2:6])  # a part of a name, as an official types it
    code = quote(e.uscc)
    return [
        ("企业列表", "/admin/enterprises/enterprise/"),
        ("企业 按名称搜索", f"/admin/enterprises/enterprise/?q={part}"),
        ("企业 按代码搜索", f"/admin/enterprises/enterprise/?q={code}"),
        ("企业 门类C", "/admin/enterprises/enterprise/?section=C"),
        ("企业 已认定", "/admin/enterprises/enterprise/?recognised=yes"),
        ("申报 待我审核", "/admin/declarations/declaration/"),
        ("申报 全部", "/admin/declarations/declaration/?queue=all"),
        ("申报 创新型+省级审核中", "/admin/declarations/declaration/"
                          "?queue=all&tier=innovative&status=at_province"),
        ("申报 门类C", "/admin/declarations/declaration/?queue=all&section=C"),
        ("申报 按名称搜索", f"/admin/declarations/declaration/?queue=all&q={part}"),
        ("申报 按代码搜索", f"/admin/declarations/declaration/?queue=all&q={code}"),
        ("认定记录", "/admin/enterprises/recognition/"),
        ("认定记录 专精特新", "/admin/enterprises/recognition/?tier=specialized"),
        ("认定记录 按代码搜索", f"/admin/enterprises/recognition/?q={code}"),
        ("统计分析", "/admin/declarations/statistics/"),
        ("消息", "/admin/messaging/message/"),
        ("消息 申报提醒", "/admin/messaging/message/?category=declaration"),
        ("消息 按代码搜索", f"/admin/messaging/message/?q={code}"),
    ]


def explain(sql: str) -> tuple[list[str], str]:
    """The big tables this statement reads sequentially (more than SCAN_ROWS rows: a scan
    under a LIMIT that stops after a page, or the capped count's 1 001 rows, is not a
    full read), and the plan."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [r[0] for r in cursor.fetchall()]
    scans = []
    for i, line in enumerate(lines):
        m = SEQ_SCAN.search(line)
        if not m or m.group(1) not in BIG_TABLES:
            continue
        rows = ACTUAL.search(line)
        read = int(rows.group(1)) * int(rows.group(2)) if rows else SCAN_ROWS + 1
        # "Rows Removed by Filter" follows the node, after its Filter line.
        removed = next((REMOVED.search(x) for x in lines[i + 1:i + 4] if REMOVED.search(x)), None)
        if removed:
            read += int(removed.group(1)) * (int(rows.group(2)) if rows else 1)
        if read > SCAN_ROWS:
            scans.append(m.group(1))
    return scans, "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) every SELECT")
    parser.add_argument("--only", help="only the pages whose name contains this")
    parser.add_argument("--who", help="only the officials whose label contains this (部级, 省级 …)")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--plans", help="write every plan to this file")
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    requests = int(os.environ.get("BENCH_REQUESTS", "20"))
    target = float(os.environ.get("BENCH_TARGET_MS", "100"))
    results, plans, failed = [], [], False
    print("| 页面 | 账户 | p50 ms | p95 ms | 查询数 | 大表顺序扫描 |")
    print("|---|---|---|---|---|---|")
    page_list = [p for p in pages() if not args.only or args.only in p[0]]
    for who, user in officials().items():
        if args.who and args.who not in who:
            continue
        client = Client(SERVER_NAME="localhost")
        login(client, user)
        for name, url in page_list:
            for _ in range(2):
                response = client.get(url)
                assert response.status_code == 200, (who, name, response.status_code)
            times = []
            for _ in range(requests):
                t0 = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            times.sort()
            p50 = statistics.median(times)
            p95 = times[max(0, round(0.95 * len(times)) - 1)]
            scans: set[str] = set()
            if args.explain:
                for q in captured.captured_queries:
                    # (a UNION of SELECTs starts with its first one's parenthesis)
                    if q["sql"].lstrip(" (").upper().startswith("SELECT"):
                        tables, plan = explain(q["sql"])
                        scans.update(tables)
                        plans.append(f"## {who} {name}\n{q['sql']}\n{plan}\n")
            failed |= p95 > target or bool(scans)
            row = {"page": name, "official": who, "p50": round(p50, 1), "p95": round(p95, 1),
                   "queries": len(captured), "seq_scans": sorted(scans)}
            results.append(row)
            print(f"| {name} | {who} | {p50:.0f} | {p95:.0f} | {len(captured)} | "
                  f"{'、'.join(sorted(scans)) or '—'} |", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))
    if args.plans:
        Path(args.plans).write_text("\n".join(plans))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
