"""Page benchmark: 10 000 announcements, gunicorn (2 workers), wrk; anonymous and logged-in pages.

One command from the project root:

    .venv/bin/python bench/home_bench.py            # SQLite in a scratch folder, no Redis
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/home_bench.py

With BENCH_DATABASE_URL the schema of that database is dropped and re-created first: give it a
database of its own. BENCH_REDIS_URL's database is flushed.

It migrates a fresh database, seeds 10 000 published announcements (5 000 部级, 5 000 省级
over the 37 declaration regions), starts the product under gunicorn with production settings
(DEBUG off, collected static files) and measures, in the same run and one after the other,
requests per second of the trivial view `/bench/ping` (same middleware) and of each page in
TARGETS: anonymous `/`, `/announcements/`, an announcement's page and the login page, and —
with the session cookie of a recognised enterprise the seed logs in — `/enterprise/`, the
profile, the assessment index and 认证到期管理. Targets: home ≥ 50 % of the trivial view, the
list and an announcement ≥ 30 %, the login page and every enterprise page ≥ 20 %. Exit status 1
when a target is missed or any response is not 2xx/3xx.

Options (environment): BENCH_DURATION (seconds per URL and round, default 10), BENCH_ROUNDS
(default 3; the median is reported), BENCH_CONNECTIONS
(default 16), BENCH_THREADS (default 2), BENCH_PORT (default 8765), BENCH_WORKERS (default 2).
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
COUNT = 10_000
# Page → share of the trivial view's requests per second it must reach. A name starting with
# "@" is measured logged in as a recognised enterprise (a session cookie made by the seed).
TARGETS = {
    "/": 0.50, "/announcements/": 0.30, "/announcements/{notice}/": 0.30,
    "/accounts/login/": 0.20,
    "@/announcements/{notice}/": 0.30,
    "@/enterprise/": 0.20, "@/enterprise/profile/": 0.20, "@/enterprise/profile/update/": 0.20,
    "@/assessment/": 0.20, "@/enterprise/declarations/": 0.20, "@/enterprise/rereviews/": 0.20,
    "@/enterprise/changes/": 0.20, "@/enterprise/messages/": 0.20,
}
# Measured for reference, no target: the trivial view logged in (session, user, the middleware
# of a logged-in request) — the floor of every logged-in page.
REFERENCE = ["@/bench/ping"]
LOGGED_IN = {name for name in [*TARGETS, *REFERENCE] if name.startswith("@")}


def seed() -> None:
    """Runs inside the benchmark's environment (called as `home_bench.py --seed`)."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from announcements.html import html_to_text
    from announcements.models import Announcement, Level, Status
    from announcements.services import _bump_content_version
    from portal.regions.models import DeclarationRegion

    regions = list(DeclarationRegion.objects.order_by("code"))
    now = timezone.now()
    body = ("<p>各有关单位：</p><p>根据《优质中小企业梯度培育管理暂行办法》，现就做好相关工作通知如下。"
            "请按要求组织企业在平台完成申报。</p>")
    rows = []
    for i in range(COUNT):
        ministry = i % 2 == 0
        rows.append(Announcement(
            level=Level.MINISTRY if ministry else Level.PROVINCE,
            issuing_region=None if ministry else regions[i % len(regions)],
            kind=("notice", "bulletin", "publicity")[i % 3],
            title=f"关于做好2026年优质中小企业梯度培育工作的通知（第{i + 1}号）",
            body=body, body_text=html_to_text(body), status=Status.PUBLISHED,
            publish_at=now - timedelta(minutes=i + 1), pinned=i < 4,
        ))
    Announcement.objects.all().delete()
    Announcement.objects.bulk_create(rows, batch_size=2000)
    _bump_content_version()
    print(f"seeded {Announcement.objects.count()} announcements")
    seed_enterprise()


def seed_enterprise() -> None:
    """A recognised enterprise with a complete profile, and a logged-in session for it; the
    cookie and a notice's id go to BENCH_STATE for the measuring process."""
    import datetime as dt
    import json
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.utils import timezone

    from announcements.models import Announcement
    from enterprises.models import Enterprise, Industry, Recognition, UpdateWindow, YearFigures
    from messaging.services import Outgoing, message_send
    from portal.accounts.middleware import LAST_SEEN
    from portal.accounts.models import User
    from portal.accounts.validators import uscc_check_char
    from portal.regions.models import Region

    first = "91440106MA5CKB001"
    code = first + uscc_check_char(first)
    user = User.objects.create_user(username="bench_ent", password=secrets.token_urlsafe(16),
                                    kind="enterprise", uscc=code)
    today = timezone.localdate()
    company, _ = Enterprise.objects.update_or_create(uscc=code, defaults={
        "account": user, "name": "广州基准测试有限公司", "region": Region.objects.get(code="440106"),
        "address": "广州市天河区", "industry": Industry.objects.get(code="3311"),
        "founded_on": dt.date(2010, 1, 1), "registered_capital": Decimal(1000), "scale": "small",
        "legal_representative": "张三", "contact_person": "李四", "contact_phone": "02000000000",
        "contact_email": "bench@example.cn", "main_product": "精密部件", "niche_market": "部件",
        "niche_since": dt.date(2015, 1, 1), "employees": 100, "rd_staff": 20})
    for year in (today.year - 1, today.year - 2, today.year - 3):
        YearFigures.objects.update_or_create(enterprise=company, year=year, defaults={
            "operating_revenue": Decimal(9000), "main_business_revenue": Decimal(8800),
            "rd_expense": Decimal(500), "net_profit": Decimal(600), "total_assets": Decimal(12000),
            "total_liabilities": Decimal(5000), "new_equity_financing": Decimal(0)})
    Recognition.objects.create(enterprise=company, tier="innovative", batch="基准批次",
                               valid_from=today - dt.timedelta(days=400),
                               valid_until=today + dt.timedelta(days=700))
    # This year's 信息更新 window open today, so its page is the form, not "not open yet".
    UpdateWindow.objects.update_or_create(year=today.year, declaration_region=None, defaults={
        "starts_on": today - dt.timedelta(days=10), "ends_on": today + dt.timedelta(days=10)})
    # A full inbox: the badge and the message list have something to count.
    message_send(category="declaration", kind="bench", outgoing=[
        Outgoing(recipient_id=user.pk, title=f"申报提醒{n}", body="请按时完成申报。",
                 subject=f"bench-{n}") for n in range(30)])
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[LAST_SEEN] = int(timezone.now().timestamp())
    session.set_expiry(24 * 3600)  # the run is longer than the idle limit's first minutes
    session.save()
    notice = Announcement.objects.order_by("-publish_at").values_list("pk", flat=True).first()
    # A browser that has opened one page holds the CSRF cookie too.
    from django.middleware.csrf import _get_new_csrf_string

    cookie = (f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
              f"{settings.CSRF_COOKIE_NAME}={_get_new_csrf_string()}")
    Path(os.environ["BENCH_STATE"]).write_text(json.dumps({"cookie": cookie, "notice": notice}))


def run(cmd: list[str], env: dict[str, str]) -> None:
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback  # nosec B310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url}")


def wrk(url: str, *, duration: int, connections: int, threads: int,
        cookie: str = "") -> tuple[float, str]:
    wrk_bin = shutil.which("wrk") or "/usr/bin/wrk"
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        [wrk_bin, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", *headers, url],
        capture_output=True, text=True, check=True,
    ).stdout
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"non-2xx responses from {url}:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise SystemExit(f"cannot read wrk output:\n{out}")
    return float(match.group(1)), out


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def main() -> int:
    if not shutil.which("wrk") and not Path("/usr/bin/wrk").exists():
        raise SystemExit("wrk is missing: apt-get install wrk")
    scratch = Path(tempfile.mkdtemp(prefix="home-bench-"))
    duration = int(os.environ.get("BENCH_DURATION", "10"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", "16"))
    threads = int(os.environ.get("BENCH_THREADS", "2"))
    port = int(os.environ.get("BENCH_PORT", "8765"))
    workers = os.environ.get("BENCH_WORKERS", "2")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.home_settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "BENCH_STATIC_ROOT": str(scratch / "static"),
        "MEDIA_ROOT": str(scratch / "media"),
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{scratch / 'bench.sqlite3'}"),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", ""),
        "LOG_LEVEL": "ERROR",
        # Personal data at rest: throw-away keys for this run (production refuses to start
        # without its own, and the development keys are refused with DEBUG off).
        "FIELD_ENCRYPTION_KEYS": new_key(),
        "FIELD_HASH_KEY": new_key(),
        "BENCH_STATE": str(scratch / "state.json"),
    }
    print(f"database: {env['DATABASE_URL']}  cache: {env['REDIS_URL'] or 'local memory'}")
    manage = [PYTHON, "manage.py"]
    if env["DATABASE_URL"].startswith("postgres"):
        # A fresh database on every run: the benchmark's own database only (its URL says so).
        run([*manage, "shell", "-c", "from django.db import connection\n"
             "connection.cursor().execute('DROP SCHEMA public CASCADE; CREATE SCHEMA public')"],
            env)
    run([*manage, "migrate", "--noinput"], env)
    run([*manage, "collectstatic", "--noinput"], env)
    subprocess.run([PYTHON, __file__, "--seed"], cwd=ROOT, env=env, check=True)
    if env["REDIS_URL"]:
        run([*manage, "shell", "-c", "from django.core.cache import cache; cache.clear()"], env)

    gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent)) or "gunicorn"
    server = subprocess.Popen(
        [gunicorn, "portal.wsgi:application", "--workers", workers, "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    results: dict[str, float] = {}
    state = json.loads(Path(env["BENCH_STATE"]).read_text())
    try:
        wait_until_up(f"{base}/bench/ping")
        paths = ["/bench/ping", *REFERENCE, *TARGETS]

        def url(name: str) -> str:
            return f"{base}{name.lstrip('@').format(notice=state['notice'])}"

        def fetch(name: str, seconds: int) -> tuple[float, str]:
            cookie = state["cookie"] if name in LOGGED_IN else ""
            return wrk(url(name), duration=seconds, connections=connections, threads=threads,
                       cookie=cookie)

        # A logged-in page that redirects (to the login page) would measure the wrong thing.
        for name in LOGGED_IN:
            request = urllib.request.Request(url(name), headers={"Cookie": state["cookie"]})  # noqa: S310  # nosec B310
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback  # nosec B310
                if response.url.rstrip("/") != url(name).rstrip("/"):
                    raise SystemExit(f"{name} is not served logged in (went to {response.url})")
        for path in paths:
            # Warm every worker's caches and connections before measuring.
            fetch(path, 2)
        # Interleaved rounds, median per URL: a busy machine disturbs all three alike.
        samples: dict[str, list[float]] = {path: [] for path in paths}
        for round_no in range(rounds):
            for path in paths:
                rps, out = fetch(path, duration)
                samples[path].append(rps)
                latency = re.search(r"Latency Distribution\s+50%\s+(\S+).*?99%\s+(\S+)", out, re.S)
                extra = f"  p50 {latency.group(1)}  p99 {latency.group(2)}" if latency else ""
                print(f"round {round_no + 1}  {path:<32} {rps:>10.1f} req/s{extra}", flush=True)
        for path in paths:
            results[path] = statistics.median(samples[path])
            print(f"median  {path:<32} {results[path]:>10.1f} req/s")
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(scratch, ignore_errors=True)

    baseline = results["/bench/ping"]
    failed = False
    for path in REFERENCE:
        print(f"{path:<32} {results[path] / baseline:>6.1%} of the trivial view (reference)")
    for path, target in TARGETS.items():
        ratio = results[path] / baseline
        verdict = "ok" if ratio >= target else "MISSED"
        failed |= ratio < target
        print(f"{path:<32} {ratio:>6.1%} of the trivial view (target ≥ {target:.0%}) {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    if "--seed" in sys.argv:
        seed()
    else:
        sys.exit(main())
