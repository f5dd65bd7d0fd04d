"""Exports and statistics benchmarks.

    .venv/bin/python bench/exports_bench.py export        # SQLite scratch file
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_exp_bench \\
        .venv/bin/python bench/exports_bench.py export
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_exp_bench \\
        BENCH_ENTERPRISES=1000000 .venv/bin/python bench/exports_bench.py statistics

export: migrates a fresh database, seeds BENCH_DECLARATIONS (default 100 000) filed
declarations (one enterprise each, a frozen profile with three years of figures and a result
with 10 indicators), then, in a fresh child process, builds the 推荐汇总表 of all of them
exactly as the background job does (the change list's queryset, write-only workbook to a
temporary file) and reports the time, the tracemalloc peak and the child's peak RSS.
Target: peak memory < 300 MB. BENCH_TRACEMALLOC=0 times it without tracemalloc (which
slows Python down several times), reporting the peak RSS only.

statistics: PostgreSQL only. Seeds BENCH_ENTERPRISES enterprises (default 1 000 000; COPY,
through portal.loaddata as `manage.py generate_load_data` does, with their accounts and ~76 %
holding titles), 100 000 declarations and 100 000 more titles, ANALYZE, then times GET /admin/declarations/statistics/
through Django's test client for the ministry and a province official (warm-up, then the
median of 7) and counts its queries. Target: < 500 ms. BENCH_REUSE=1 measures again on the
data already seeded.
"""

from __future__ import annotations

import os
import random
import resource
import statistics as stats
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def copy_rows(model: type, rows: list[dict]) -> None:
    """Insert rows fast through the load-data writer (COPY on PostgreSQL, bulk_create elsewhere)."""
    from portal.loaddata import Writer

    writer = Writer(model, list(rows[0]), batch=len(rows))
    for r in rows:
        writer.add(tuple(r.values()))
    writer.flush()


def dt_days(n: int):  # noqa: ANN201
    import datetime as dt

    return dt.timedelta(days=n)


def seed_declarations(count: int) -> None:
    from django.utils import timezone

    from declarations.models import Declaration, DeclarationWindow
    from enterprises.models import Enterprise, Recognition
    from portal.regions.models import DeclarationRegion

    now = timezone.now()
    windows = {}
    for dr in DeclarationRegion.objects.all():
        for tier in ("innovative", "specialized"):
            windows[(dr.pk, tier)] = DeclarationWindow.objects.create(
                declaration_region=dr, tier=tier, starts_at=now - dt_days(10),
                ends_at=now + dt_days(20), note="2026年第一批").pk
    result = {"total": 75, "verdict": "符合", "indicators": [
        {"key": f"i{k}", "name": f"指标{k}", "value": "12.5", "band": "≥10%", "points": 8,
         "max_points": 10, "reason": "达到第二档"} for k in range(10)]}
    ents = list(Enterprise.objects.order_by("pk").values_list(
        "pk", "name", "uscc", "region_id", "region__declaration_region_id",
        "industry__section")[:count])
    rng = random.Random(7)  # noqa: S311 — reproducible test data, not secrets
    rows, titles = [], []
    for n, (pk, name, code, rid, drid, section) in enumerate(ents):
        tier = "innovative" if n % 2 else "specialized"
        profile = {"name": name, "uscc": code, "region": "某省 某市 某区", "industry": "3311 金属结构制造",
                   "scale_label": "小型", "employees": "120", "rd_staff": "20",
                   "figures": {str(y): {"operating_revenue": f"{rng.randrange(1000, 90000)}.00",
                                        "rd_expense": "260.00", "net_profit": "400.00"}
                               for y in (2023, 2024, 2025)}}
        rows.append({"public_id": __import__("uuid").uuid4(), "number": f"B{n:09d}", "kind": "new",
                     "enterprise_id": pk, "tier": tier, "window_id": windows[(drid, tier)],
                     "declaration_region_id": drid, "region_id": rid, "section": section or "",
                     "standard_version": "2022", "status": "at_province",
                     "returned_level": "", "form_data": {}, "result": result, "assessment": None,
                     "profile": profile, "verification_code": "", "reviewed_result": None,
                     "submitted_at": now - dt_days(n % 500), "created_at": now, "updated_at": now})
        titles.append({"enterprise_id": pk, "region_id": rid, "tier": tier,
                       "batch": f"{2023 + n % 3}年第一批",
                       "certificate_no": "", "valid_from": (now - dt_days(n % 900)).date(),
                       "valid_until": (now + dt_days(200)).date(), "document_no": "",
                       "state": "in_force", "revoked_at": None, "revoke_ground": "",
                       "revoke_document_no": "", "revoke_reason": "",
                       "revoked_for_misconduct": False, "rereview_status": "eligible",
                       "rereview_bar_reason": "", "created_at": now})
        if len(rows) == 20000:
            copy_rows(Declaration, rows)
            copy_rows(Recognition, titles)
            rows, titles = [], []
    if rows:
        copy_rows(Declaration, rows)
        copy_rows(Recognition, titles)


def seed(enterprises: int, declarations: int) -> None:
    setup()
    from portal.loaddata import Plan, generate

    t0 = time.perf_counter()
    # The enterprises (with their accounts and titles) as manage.py generate_load_data writes
    # them; the declarations are this benchmark's own (frozen profiles with figures to export).
    generate(Plan(enterprises=enterprises, declarations=0, messages=0, seed=0))
    seed_declarations(declarations)
    from django.contrib.auth import get_user_model
    from django.db import connection

    from declarations.services import statistics_refresh

    t1 = time.perf_counter()
    groups = statistics_refresh()  # what the calendar does every 10 minutes
    print(f"statistics rebuilt: {groups} rows in {time.perf_counter() - t1:.1f} s")

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does on a live database
    get_user_model().objects.create_superuser("bench_root", "root@example.cn", "Bench@2026pass")
    print(f"seeded {enterprises} enterprises, {declarations} declarations in "
          f"{time.perf_counter() - t0:.1f} s")


def export_child() -> None:
    setup()
    from django.contrib.auth import get_user_model

    from declarations import exports

    user = get_user_model().objects.get(username="bench_root")
    request = exports.replay_request(user=user, filters="queue=all")
    traced = os.environ.get("BENCH_TRACEMALLOC", "1") != "0"  # it slows Python down ~3×
    if traced:
        tracemalloc.start()
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        rows = exports.build(exports.RECOMMEND, request, out)
        size = out.tell()
    seconds = time.perf_counter() - t0
    _current, peak = tracemalloc.get_traced_memory() if traced else (0, 0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"export: {rows} rows, {size / 1e6:.1f} MB file, {seconds:.1f} s, "
          f"tracemalloc peak {peak / 1e6:.1f} MB, process peak RSS {rss:.0f} MB")
    sys.exit(0 if peak < 300e6 and rss < 300 else 1)


def statistics_child() -> None:
    setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from portal.accounts.services import official_create
    from portal.regions.models import DeclarationRegion

    users = get_user_model().objects
    ministry = users.filter(username="bench_ministry").first() or official_create(
        by=None, username="bench_ministry", password="Bench@2026pass", level="ministry",
        region=None, declaration_region=None, person_name="部级")
    province = users.filter(username="bench_gd").first() or official_create(
        by=None, username="bench_gd", password="Bench@2026pass", level="province", region=None,
        declaration_region=DeclarationRegion.objects.get(code="440000"), person_name="省级")
    # Production settings without collected static files: plain static URLs.
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
    worst = 0.0
    for user in (ministry, province):
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        client.get("/admin/declarations/statistics/")
        times = []
        for _ in range(7):
            t0 = time.perf_counter()
            response = client.get("/admin/declarations/statistics/")
            times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get("/admin/declarations/statistics/")
        median = stats.median(times)
        worst = max(worst, median)
        print(f"statistics as {user.official_level}: median {median:.0f} ms "
              f"(min {min(times):.0f}, max {max(times):.0f}), {len(queries)} queries")
    from declarations.services import statistics_refresh

    rebuilds = []
    for _ in range(3):
        t0 = time.perf_counter()
        groups = statistics_refresh()
        rebuilds.append(time.perf_counter() - t0)
    print(f"statistics rebuild (the 10-minute job): median {stats.median(rebuilds):.1f} s "
          f"for {groups} rows")
    sys.exit(0 if worst < 500 else 1)


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "export"
    if mode in ("--export-child", "--statistics-child"):
        export_child() if mode == "--export-child" else statistics_child()
        return
    env = dict(os.environ, DEBUG="false", SECRET_KEY="bench-" + "x" * 50, ALLOWED_HOSTS="localhost",
               SECURE_SSL_REDIRECT="false")
    env.pop("REDIS_URL", None)
    # Production settings need the field keys; the generated accounts hold no personal data.
    from common.crypto import DEV_ENCRYPTION_KEY, DEV_HASH_KEY

    env.setdefault("FIELD_ENCRYPTION_KEYS", DEV_ENCRYPTION_KEY)
    env.setdefault("FIELD_HASH_KEY", DEV_HASH_KEY)
    scratch = tempfile.mkdtemp(prefix="exports-bench-")
    env["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{scratch}/bench.sqlite3"
    if mode == "statistics" and not env["DATABASE_URL"].startswith("postgres"):
        sys.exit("statistics needs BENCH_DATABASE_URL=postgres://…")
    child = "--export-child" if mode == "export" else "--statistics-child"
    if os.environ.get("BENCH_REUSE") == "1":  # measure again on the data already seeded
        sys.exit(subprocess.run([sys.executable, __file__, child], cwd=ROOT, env=env).returncode)
    if env["DATABASE_URL"].startswith("postgres"):
        reset = ("from django.db import connection\nc=connection.cursor()\n"
                 "c.execute('DROP SCHEMA public CASCADE; CREATE SCHEMA public')")
        subprocess.run([sys.executable, "-c", "import django,os;os.environ.setdefault("
                        "'DJANGO_SETTINGS_MODULE','portal.settings');django.setup()\n" + reset],
                       cwd=ROOT, env=env, check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    enterprises = int(os.environ.get("BENCH_ENTERPRISES", "1000000" if mode == "statistics" else "100000"))
    declarations = int(os.environ.get("BENCH_DECLARATIONS", "100000"))
    subprocess.run([sys.executable, __file__, "--seed", str(enterprises), str(declarations)],
                   cwd=ROOT, env=env, check=True)
    sys.exit(subprocess.run([sys.executable, __file__, child], cwd=ROOT, env=env).returncode)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--seed":
        seed(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
