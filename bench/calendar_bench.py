"""Calendar benchmark: the daily run over 100 000 recognitions, and a broadcast to 50 000.

One command from the project root:

    .venv/bin/python bench/calendar_bench.py              # SQLite in a scratch folder, no Redis
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_cal \\
    .venv/bin/python bench/calendar_bench.py              # PostgreSQL (the database is recreated)

It migrates a fresh database and seeds 100 000 enterprise accounts, each with its enterprise
and one recognition whose end date is spread over [today − 30 days, today + 90 days] — the
worst case: every title is inside the reminder stages or just expired, so every one gets a
message. 50 000 accounts are in 广州 (广东), 50 000 in 南京 (江苏). Then, timed, with the queries
counted: the daily jobs (认定到期, 信息更新 on a day inside the reminder stage, 申报提醒), the
same again (nothing new: the claim by unique key), and a 广东 province official's broadcast to
its 50 000 enterprises. Targets: daily run < 60 s, broadcast < 30 s; exit status 1 if missed.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNT = int(os.environ.get("BENCH_COUNT", "100000"))
TARGET_DAILY, TARGET_BROADCAST = 60.0, 30.0


def main() -> int:
    scratch = tempfile.mkdtemp(prefix="calendar-bench-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from contextlib import contextmanager

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    if connection.vendor == "postgresql":
        # A fresh schema each time (the benchmark's own database, never the product's).
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)

    from declarations.tasks import window_remind
    from enterprises.models import Enterprise, Recognition
    from enterprises.services import info_update_remind, recognition_expiry_remind
    from messaging.models import Message
    from messaging.services import broadcast_send
    from portal.accounts.models import User
    from portal.accounts.services import official_create
    from portal.regions.models import DeclarationRegion, Region

    today = timezone.localdate().replace(month=4, day=25)  # inside the 7-day 信息更新 stage
    regions = [Region.objects.get(code="440106"), Region.objects.get(code="320102")]
    started = time.perf_counter()
    users = [User(username=f"bench{i}", kind=User.Kind.ENTERPRISE, uscc=f"91B{i:015d}",
                  org_name=f"基准企业{i}", email=f"bench{i}@example.cn", mobile="13800000000",
                  password="!", region=regions[i % 2]) for i in range(COUNT)]
    User.objects.bulk_create(users, batch_size=2000)
    ids = dict(User.objects.filter(username__startswith="bench").values_list("username", "pk"))
    Enterprise.objects.bulk_create(
        [Enterprise(uscc=f"91B{i:015d}", name=f"基准企业{i}", account_id=ids[f"bench{i}"],
                    region=regions[i % 2]) for i in range(COUNT)], batch_size=2000)
    firms = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    Recognition.objects.bulk_create(
        [Recognition(enterprise_id=pk, tier="specialized", valid_from=dt.date(2020, 1, 1),
                     valid_until=today + dt.timedelta(days=(n % 121) - 30))
         for n, pk in enumerate(firms)], batch_size=2000)
    print(f"seeded {COUNT} accounts, enterprises and recognitions in {time.perf_counter() - started:.1f} s"
          f" ({connection.vendor})")

    @contextmanager
    def counting():
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(1)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            yield queries

    def daily() -> tuple[float, int, dict]:
        with counting() as queries:
            t0 = time.perf_counter()
            counts = {**recognition_expiry_remind(today=today), **info_update_remind(today=today),
                      **window_remind(today=today)}
            elapsed = time.perf_counter() - t0
        return elapsed, len(queries), counts

    first = daily()
    print(f"daily run: {first[0]:.1f} s, {first[1]} queries, {sum(first[2].values())} messages {first[2]}")
    again = daily()
    print(f"daily run again: {again[0]:.1f} s, {again[1]} queries, {sum(again[2].values())} new messages")

    province = official_create(by=None, username="bench_gd", password="Bench@2026pass",
                               level="province", region=None,
                               declaration_region=DeclarationRegion.objects.get(code="440000"),
                               person_name="基准")
    with counting() as queries:
        t0 = time.perf_counter()
        broadcast, _ = broadcast_send(by=province, token=uuid.uuid4(), title="申报提醒", body="请及时申报。")
        broadcast_time = time.perf_counter() - t0
    print(f"broadcast: {broadcast_time:.1f} s, {len(queries)} queries, {broadcast.recipients} enterprises")
    print(f"messages in the database: {Message.objects.count()}")
    ok = first[0] < TARGET_DAILY and again[0] < TARGET_DAILY and broadcast_time < TARGET_BROADCAST
    ok = ok and sum(again[2].values()) == 0 and broadcast.recipients == COUNT // 2
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
