"""Home page benchmark: 10 000 announcements, gunicorn (2 workers), wrk.

One command from the project root:

    .venv/bin/python bench/home_bench.py            # SQLite in a scratch folder, no Redis
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/home_bench.py

It migrates a fresh database, seeds 10 000 published announcements (5 000 部级, 5 000 省级
over the 37 declaration regions), starts the product under gunicorn with production settings
(DEBUG off, collected static files) and measures, in the same run and one after the other,
requests per second of the trivial view `/bench/ping` (same middleware), `/` and
`/announcements/`. Targets: home ≥ 50 % of the trivial view, list ≥ 30 %. Exit status 1 when
a target is missed or any response is not 2xx/3xx.

Options (environment): BENCH_DURATION (seconds per URL and round, default 10), BENCH_ROUNDS
(default 3; the median is reported), BENCH_CONNECTIONS
(default 16), BENCH_THREADS (default 2), BENCH_PORT (default 8765), BENCH_WORKERS (default 2).
"""

from __future__ import annotations

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
TARGETS = {"/": 0.50, "/announcements/": 0.30}


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


def wrk(url: str, *, duration: int, connections: int, threads: int) -> tuple[float, str]:
    wrk_bin = shutil.which("wrk") or "/usr/bin/wrk"
    out = subprocess.run(
        [wrk_bin, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"non-2xx responses from {url}:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise SystemExit(f"cannot read wrk output:\n{out}")
    return float(match.group(1)), out


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
    }
    print(f"database: {env['DATABASE_URL']}  cache: {env['REDIS_URL'] or 'local memory'}")
    manage = [PYTHON, "manage.py"]
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
    try:
        wait_until_up(f"{base}/bench/ping")
        paths = ["/bench/ping", "/", "/announcements/"]
        for path in paths:
            # Warm every worker's caches and connections before measuring.
            wrk(f"{base}{path}", duration=2, connections=connections, threads=threads)
        # Interleaved rounds, median per URL: a busy machine disturbs all three alike.
        samples: dict[str, list[float]] = {path: [] for path in paths}
        for round_no in range(rounds):
            for path in paths:
                rps, out = wrk(f"{base}{path}", duration=duration, connections=connections,
                               threads=threads)
                samples[path].append(rps)
                latency = re.search(r"Latency Distribution\s+50%\s+(\S+).*?99%\s+(\S+)", out, re.S)
                extra = f"  p50 {latency.group(1)}  p99 {latency.group(2)}" if latency else ""
                print(f"round {round_no + 1}  {path:<18} {rps:>10.1f} req/s{extra}")
        for path in paths:
            results[path] = statistics.median(samples[path])
            print(f"median  {path:<18} {results[path]:>10.1f} req/s")
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(scratch, ignore_errors=True)

    baseline = results["/bench/ping"]
    failed = False
    for path, target in TARGETS.items():
        ratio = results[path] / baseline
        verdict = "ok" if ratio >= target else "MISSED"
        failed |= ratio < target
        print(f"{path:<18} {ratio:>6.1%} of the trivial view (target ≥ {target:.0%}) {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    if "--seed" in sys.argv:
        seed()
    else:
        sys.exit(main())
