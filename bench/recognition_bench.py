"""Benchmark of 公示 and 认定 at 100 000 declarations: the officials' queue and batch pages
(queries and time) and recognising a batch of 2 000 declarations.

Run from the project root:  python bench/recognition_bench.py [declarations] [batch]
Migrates a throw-away in-memory SQLite database (not timed) and seeds `declarations` (100 000)
declarations of 100 000 enterprises — 60 % 广东 (天河), 40 % 江苏 (玄武) — across the review
states, `batch` (2 000) of them 审核通过 in 广东. Then, as the 广东 province official:
the queue 待我审核, the whole list, the batch list and the batch page (median of 5 warm
requests through Django's test client, queries counted); building the batch, opening 公示
(the announcement lists 2 000 enterprises) and recognising it (2 000 titles, certificate
numbers, 2 000 events), each timed with its queries counted.
Exit status 1 when a page makes more than 12 queries or 认定 takes 10 s or more.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402 — after the path insert

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

PAGE_QUERIES, RECOGNISE_SECONDS = 12, 10.0
STATES = ["at_county", "at_city", "at_province", "returned", "not_recommended", "recognised",
          "not_recognised"]


def seed(total: int, batch: int) -> object:
    from declarations.models import Declaration, DeclarationWindow
    from enterprises.models import Enterprise
    from portal.accounts.services import official_create
    from portal.regions.models import DeclarationRegion, Region
    from tests.conftest import make_uscc

    official = official_create(by=None, username="o_gd", password="Bench@2026pass",
                               level="province", region=None, person_name="省级",
                               declaration_region=DeclarationRegion.objects.get(code="440000"))
    places = {}
    for dr_code, region_code in (("440000", "440106"), ("320000", "320102")):
        places[dr_code] = (Region.objects.get(code=region_code), DeclarationWindow.objects.create(
            declaration_region=DeclarationRegion.objects.get(code=dr_code), tier="innovative",
            note="2026年第一批", starts_at=timezone.now() - dt.timedelta(days=60),
            ends_at=timezone.now() - dt.timedelta(days=30)))
    submitted = timezone.now() - dt.timedelta(days=40)
    for start in range(0, total, 10_000):
        chunk = range(start, min(start + 10_000, total))
        homes = ["440000" if i % 5 < 3 else "320000" for i in chunk]
        companies = Enterprise.objects.bulk_create([
            Enterprise(uscc=make_uscc(places[h][0].code, i), name=f"基准企业{i:06d}有限公司",
                       region=places[h][0]) for i, h in zip(chunk, homes, strict=True)])
        Declaration.objects.bulk_create([
            Declaration(number=f"B{i:08d}", enterprise=c, tier="innovative", window=places[h][1],
                        declaration_region_id=places[h][1].declaration_region_id, region=places[h][0], submitted_at=submitted + dt.timedelta(seconds=i),
                        status="recommended" if i < batch * 5 // 3 and h == "440000"
                        else STATES[i % len(STATES)])
            for i, c, h in zip(chunk, companies, homes, strict=True)])
    # Exactly `batch` passed in 广东 (the others that passed are 江苏's).
    extra = Declaration.objects.filter(status="recommended", window=places["440000"][1]) \
        .order_by("pk").values_list("pk", flat=True)[batch:]
    Declaration.objects.filter(pk__in=list(extra)).update(status="at_province")
    return official


def page(client: Client, url: str) -> tuple[int, float]:
    client.get(url)  # warm
    times, queries = [], 0
    for _ in range(5):
        reset_queries()  # the log keeps 9 000 entries: start from an empty one
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return queries, statistics.median(times)


def step(label: str, action: object) -> tuple[object, int, float]:
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = action()  # type: ignore[operator]
        elapsed = time.perf_counter() - started
    print(f"  {label:<34} {elapsed:6.2f} s  {len(captured):5d} queries")
    return result, len(captured), elapsed


def main() -> int:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    started = time.perf_counter()
    official = seed(total, size)
    print(f"seeded {total} declarations ({size} passed in 广东) in {time.perf_counter() - started:.0f} s")

    from declarations import services
    from declarations.models import Declaration
    from enterprises.models import Recognition
    from portal.regions.models import DeclarationRegion

    today = timezone.localdate()
    batch, _, _ = step("build the batch", lambda: services.batch_save(
        by=official, name="2026年第一批", tier="innovative",
        declaration_region=DeclarationRegion.objects.get(code="440000"),
        objection_contact="广东省工业和信息化厅中小企业处",
        publicity_starts_on=today - dt.timedelta(days=10),
        publicity_ends_on=today - dt.timedelta(days=3)))
    step("open 公示 (announcement)", lambda: services.batch_publicize(by=official, batch=batch))

    client = Client()
    client.force_login(official)
    failed = False
    print(f"pages as the 广东 province official (median of 5; target ≤ {PAGE_QUERIES} queries)")
    for label, url in (
            ("queue 待我审核", "/admin/declarations/declaration/"),
            ("all declarations", "/admin/declarations/declaration/?queue=all"),
            ("the batch's declarations", f"/admin/declarations/declaration/?queue=all&batch={batch.pk}"),
            ("batch list", "/admin/declarations/recognitionbatch/"),
            ("batch page", f"/admin/declarations/recognitionbatch/{batch.pk}/change/")):
        queries, seconds = page(client, url)
        failed |= queries > PAGE_QUERIES
        print(f"  {label:<34} {seconds * 1000:6.0f} ms {queries:5d} queries")

    _, queries, seconds = step(f"recognise the batch ({size})", lambda: services.batch_recognise(
        by=official, batch=batch, document_no="粤工信〔2026〕1号"))
    failed |= seconds >= RECOGNISE_SECONDS
    assert Recognition.objects.count() == size
    assert Declaration.objects.filter(batch=batch, status="recognised").count() == size
    print(f"target: 认定 < {RECOGNISE_SECONDS:.0f} s — {'missed' if failed else 'met'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
