"""Fault runs against a cluster of its own (bench/cluster.py), loopback only, bounded in time.

    .venv/bin/python bench/faults.py all          # every fault below, one after the other
    .venv/bin/python bench/faults.py redis        # or one: redis | postgres | node | worker | disk

The cluster here is started with its own state (CLUSTER_DIR=/tmp/portal-faults), its own
PostgreSQL (a scratch `initdb` on port 5440, Debian's binaries, run as the postgres user, so it
can be restarted without touching the shared server), its own Redis (6390, no persistence), and
its uploads on a 16 MB tmpfs (root) so the disk can really be filled. Stop the `make cluster`
one first (same ports).

During each run a small load loop (8 threads, plain HTTPS through nginx: the home page, the
announcement list, an announcement, and a logged-in enterprise's home and messages) records
every request; the report gives the errors before, during and after the fault and the recovery
time (from the end of the fault to the last failed request).

* redis    — redis-server killed (SIGKILL) for 10 s, then started again (empty: no persistence).
* postgres — `pg_ctl restart -m fast` (the database down about a second).
* node     — gunicorn node A killed with SIGKILL (master and workers) under load.
* worker   — a Celery worker killed (SIGKILL) in the middle of the 认定到期 job (blocked on its
             INSERT by a table lock this script holds); the job must run again (visibility
             timeout 15 s here) and every reminder exist exactly once.
* disk     — the upload folder filled; an enterprise's 佐证材料 upload must be refused with the
             file's name and leave no file; after freeing space the same upload succeeds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

PG_PORT = 5440
PG_DIR = Path(os.environ.get("FAULTS_PG_DIR", "/tmp/portal-faults-pg"))  # noqa: S108  # nosec B108 - the fault run's own scratch cluster (FAULTS_PG_DIR overrides)
MEDIA = Path(os.environ.get("FAULTS_MEDIA", "/tmp/portal-faults-media"))  # noqa: S108  # nosec B108 - the fault run's own tmpfs mount point (FAULTS_MEDIA overrides)
os.environ.setdefault("CLUSTER_DIR", "/tmp/portal-faults")  # noqa: S108  # nosec B108 - the fault run's scratch folder (CLUSTER_DIR overrides)
os.environ.setdefault("CLUSTER_DATABASE_URL", f"postgres://postgres@127.0.0.1:{PG_PORT}/portal_faults")
os.environ.setdefault("CLUSTER_MEDIA_ROOT", str(MEDIA))
os.environ.setdefault("CLUSTER_VISIBILITY_TIMEOUT", "15")
os.environ.setdefault("CLUSTER_LOAD_ACCOUNTS", "60")
os.environ.setdefault("CLUSTER_CAPTCHAS", "300")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import cluster  # noqa: E402  (reads the environment above)
import requests  # noqa: E402  (comes with locust, requirements-dev.txt)

PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
RESULTS = cluster.STATE / "faults.json"


def log(message: str) -> None:
    print(f"[faults {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- our own PostgreSQL and upload filesystem ------------------------------------------------


def as_postgres(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


def pg_ctl(*args: str) -> None:
    subprocess.run(as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(PG_DIR / "data"), "-w", *args),
                   check=True, stdout=subprocess.DEVNULL)


def postgres_up() -> None:
    data = PG_DIR / "data"
    if not data.exists():
        PG_DIR.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(PG_DIR, "postgres", "postgres")
        subprocess.run(as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres",
                                   "-A", "trust", "-E", "UTF8"), check=True,
                       stdout=subprocess.DEVNULL)
    if not cluster.port_open(PG_PORT):
        pg_ctl("-l", str(PG_DIR / "postgres.log"), "-o",
               f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -k {PG_DIR}", "start")


def postgres_down() -> None:
    if (PG_DIR / "data" / "postmaster.pid").exists():
        pg_ctl("-m", "fast", "stop")


def media_up() -> None:
    MEDIA.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0 and not os.path.ismount(MEDIA):
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0755", "tmpfs", str(MEDIA)],
                       check=True)


def media_down() -> None:
    if os.geteuid() == 0 and os.path.ismount(MEDIA):
        subprocess.run(["umount", str(MEDIA)], check=False)


# --- the load loop ------------------------------------------------------------------------------


class LoadLoop:
    """8 threads through nginx; every request kept as (start, end, ok, what)."""

    def __init__(self, threads: int = 8) -> None:
        self.records: list[tuple[float, float, bool, str]] = []
        self.stop = threading.Event()
        self.threads = threads
        self.lock = threading.Lock()
        self.cookie = enterprise_session()

    def run(self, index: int) -> None:
        session = client()
        paths = ["/", "/announcements/", "/enterprise/", "/announcements/", "/enterprise/messages/"]
        n = index
        while not self.stop.is_set():
            path = paths[n % len(paths)]
            n += 1
            cookies = self.cookie if path.startswith("/enterprise/") else None
            started = time.monotonic()
            try:
                response = session.get(cluster.BASE + path, cookies=cookies, timeout=10,
                                       allow_redirects=False)
                ok = response.status_code == 200
                what = f"{response.status_code} {path}"
            except requests.RequestException as exc:
                ok, what = False, f"{type(exc).__name__} {path}"
            with self.lock:
                self.records.append((started, time.monotonic(), ok, what))
            time.sleep(0.02)

    def __enter__(self) -> LoadLoop:
        self.started = time.monotonic()
        self.workers = [threading.Thread(target=self.run, args=(i,), daemon=True)
                        for i in range(self.threads)]
        for worker in self.workers:
            worker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for worker in self.workers:
            worker.join(15)

    def report(self, name: str, fault_start: float, fault_end: float, **extra: object) -> dict:
        # A request belongs to the phase in which it started: one sent while the database was
        # down and answered just after it came back counts as "during".
        before = [r for r in self.records if r[1] < fault_start]
        during = [r for r in self.records if r[1] >= fault_start and r[0] <= fault_end]
        after = [r for r in self.records if r[0] > fault_end]
        failed_after = [r for r in after if not r[2]]
        last_error = max((r[1] for r in failed_after), default=None)
        result = {
            "fault": name,
            "requests": len(self.records),
            "errors_before": sum(not r[2] for r in before),
            "errors_during": sum(not r[2] for r in during), "requests_during": len(during),
            "errors_after": len(failed_after), "requests_after": len(after),
            "fault_seconds": round(fault_end - fault_start, 2),
            "recovery_seconds": round(last_error - fault_end, 2) if last_error else 0.0,
            "p50_ms_after": round(statistics.median([(r[1] - r[0]) * 1000 for r in after]), 1)
            if after else None,
            "error_kinds": sorted({r[3] for r in self.records if not r[2]})[:8],
            **extra,
        }
        log(json.dumps(result, ensure_ascii=False))
        saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        saved[name] = result
        RESULTS.write_text(json.dumps(saved, ensure_ascii=False, indent=1))
        return result


def client() -> requests.Session:
    """A session for loopback: the cluster's own certificate, no proxy or CA bundle from the
    environment (trust_env off, which would otherwise override `verify`)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(cluster.STATE / "tls" / "cert.pem")
    return session


def enterprise_session() -> dict[str, str]:
    """Log a load account in through the login form (captcha from the seeded pool)."""
    load = json.loads((cluster.STATE / "load.json").read_text())
    cursor = cluster.STATE / "faults-captcha.cursor"
    position = int(cursor.read_text()) if cursor.exists() else 0
    cursor.write_text(str(position + 1))
    hashkey, answer = load["captchas"][position]
    session = client()
    page = session.get(cluster.BASE + "/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(cluster.BASE + "/accounts/login/", timeout=20, data={
        "csrfmiddlewaretoken": token, "username": load["enterprises"][-1],
        "password": load["password"], "captcha_0": hashkey, "captcha_1": answer},
        headers={"Referer": cluster.BASE + "/accounts/login/"})
    if "/enterprise/" not in response.url:
        raise SystemExit(f"the load account could not log in (landed on {response.url})")
    return {name: value for name, value in session.cookies.items()}


def settle(seconds: float) -> None:
    time.sleep(seconds)


def healthz() -> str:
    try:
        return cluster.get(cluster.BASE + "/healthz", timeout=10)[1].strip()
    except OSError as exc:
        return repr(exc)


# --- the faults ------------------------------------------------------------------------------------


def fault_redis() -> dict:
    with LoadLoop() as load:
        settle(5)
        log("redis: SIGKILL")
        start = time.monotonic()
        cluster.kill_group("redis", signal.SIGKILL)
        cluster.wait_gone("redis", 5)
        settle(3)
        during_health = healthz()
        settle(7)
        log("redis: started again (empty)")
        cluster.start_process("redis")
        cluster.wait_port(cluster.REDIS_PORT)
        end = time.monotonic()
        settle(15)
    # Celery recovers without a restart: a job queued now must run.
    job = queued_job_runs()
    return load.report("redis", start, end, healthz_during=during_health,
                       healthz_after=healthz(), celery_after=job,
                       session_kept=session_still_valid(load.cookie))


def session_still_valid(cookie: dict[str, str]) -> bool:
    response = client().get(cluster.BASE + "/enterprise/", cookies=cookie, timeout=10,
                            allow_redirects=False)
    return response.status_code == 200


def queued_job_runs(seconds: float = 60) -> str:
    """Queue the statistics rebuild through the broker and wait for a worker to run it."""
    script = (
        "import time\n"
        "from enterprises.models import EnterpriseCount\n"
        "from declarations.tasks import statistics_refresh\n"
        "from common.jobs import enqueue\n"
        "EnterpriseCount.objects.all().delete()\n"
        "print('queued' if enqueue(statistics_refresh) else 'broker down')\n"
        f"deadline = time.monotonic() + {seconds}\n"
        "while time.monotonic() < deadline and not EnterpriseCount.objects.exists():\n"
        "    time.sleep(0.5)\n"
        "print('ran' if EnterpriseCount.objects.exists() else 'did not run')\n")
    done = subprocess.run([cluster.PYTHON, "manage.py", "shell", "-c", script], cwd=cluster.ROOT,
                          env=cluster.product_env(), capture_output=True, text=True, check=False)
    return " ".join(done.stdout.split()) or done.stderr.strip()[-300:]


def fault_postgres() -> dict:
    with LoadLoop() as load:
        settle(5)
        log("postgres: pg_ctl restart -m fast")
        start = time.monotonic()
        pg_ctl("-m", "fast", "restart", "-l", str(PG_DIR / "postgres.log"), "-o",
               f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -k {PG_DIR}")
        end = time.monotonic()
        settle(15)
    return load.report("postgres", start, end, healthz_after=healthz(),
                       celery_after=queued_job_runs(),
                       processes_alive=all(cluster.alive(p) for p in cluster.pids().values()))


def fault_node() -> dict:
    with LoadLoop() as load:
        settle(5)
        log("node: SIGKILL to gunicorn node A (master and workers)")
        start = time.monotonic()
        cluster.kill_group("node-a", signal.SIGKILL)
        end = start + 1.0  # the run's bound: no failure allowed after the first second
        settle(15)
        log("node: node A started again")
        cluster.start_process("node-a")
        cluster.wait_port(cluster.NODE_PORTS[0])
        settle(10)
    # Both nodes serve again: nginx's log names the upstream of each request.
    lines = (cluster.STATE / "logs" / "nginx-access.log").read_text().splitlines()[-200:]
    upstreams = sorted({line.split()[4] for line in lines if len(line.split()) > 4})
    return load.report("node", start, end, upstreams_at_the_end=upstreams)


def fault_worker() -> dict:
    """Kill a worker while it runs the 认定到期 job; the job runs again, each message once."""
    import psycopg

    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()  # Beijing, as the job
    setup = (
        "import datetime as dt\n"
        "from enterprises.models import Enterprise, Recognition\n"
        "from messaging.models import Message\n"
        "Message.objects.filter(kind__startswith='expiry').delete()\n"
        "Recognition.objects.filter(batch='故障演练').delete()\n"
        "firms = Enterprise.objects.filter(account__username__startswith='load_').order_by('pk')\n"
        f"end = dt.date.fromisoformat('{today.isoformat()}') + dt.timedelta(days=30)\n"
        "Recognition.objects.bulk_create([Recognition(enterprise=f, tier='innovative', "
        "batch='故障演练', valid_from=end - dt.timedelta(days=3 * 365), valid_until=end) "
        "for f in firms])\n"
        "print(firms.count())\n")
    subprocess.run([cluster.PYTHON, "manage.py", "shell", "-c", setup], cwd=cluster.ROOT,
                   env=cluster.product_env(), check=True, capture_output=True)
    # What the job will send: its own dry run (the load titles, and the demo's title that ends
    # in 90 days).
    dry = subprocess.run([cluster.PYTHON, "manage.py", "remind_expiry", "--dry-run", "--today",
                          today.isoformat()], cwd=cluster.ROOT, env=cluster.product_env(),
                         check=True, capture_output=True, text=True).stdout
    expected = int(re.search(r"将发送 (\d+) 条消息", dry).group(1))
    url = os.environ["CLUSTER_DATABASE_URL"]
    blocker = psycopg.connect(url)
    killed = ""
    started = time.monotonic()
    try:
        with blocker.cursor() as cursor:
            cursor.execute("LOCK TABLE messaging_message IN EXCLUSIVE MODE")
            subprocess.run([cluster.PYTHON, "manage.py", "shell", "-c",
                            "from enterprises.tasks import recognition_expiry_remind as t\n"
                            f"t.apply_async(args=['{today.isoformat()}'])"],
                           cwd=cluster.ROOT, env=cluster.product_env(), check=True)

            def waiting() -> list[int]:
                cursor.execute("SELECT pid FROM pg_locks WHERE NOT granted AND "
                               "relation = 'messaging_message'::regclass")
                return [row[0] for row in cursor.fetchall()]

            deadline = time.monotonic() + 60
            while not waiting() and time.monotonic() < deadline:
                time.sleep(0.2)
            stuck = waiting()
            if not stuck:
                raise SystemExit("the job never reached its INSERT")
            killed = worker_running_the_job()
            log(f"worker: SIGKILL to {killed} (its job waits on the INSERT)")
            cluster.kill_group(killed, signal.SIGKILL)
            cluster.wait_gone(killed, 5)
            for pid in stuck:  # the dead worker's half-done transaction goes away
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        blocker.rollback()
        killed_at = time.monotonic()
        sent_before = count_expiry_messages()
    finally:
        blocker.close()
    # The other worker takes the unacknowledged job once the visibility timeout has passed.
    deadline = time.monotonic() + 120
    while count_expiry_messages() < expected and time.monotonic() < deadline:
        time.sleep(0.5)
    ran_again_after = round(time.monotonic() - killed_at, 1)
    # systemd restarts the killed worker (Restart=always); so does this run.
    cluster.start_process(killed)
    # Queue it once more on purpose: the unique key keeps every message single.
    subprocess.run([cluster.PYTHON, "manage.py", "shell", "-c",
                    "from enterprises.tasks import recognition_expiry_remind as t\n"
                    f"t.apply_async(args=['{today.isoformat()}'])"],
                   cwd=cluster.ROOT, env=cluster.product_env(), check=True)
    time.sleep(10)
    total, distinct = count_expiry_messages(distinct=True)
    result = {"fault": "worker", "killed": killed, "expected_messages": expected,
              "messages_before_redelivery": sent_before, "messages_after": total,
              "distinct_keys": distinct, "ran_again_after_seconds": ran_again_after,
              "visibility_timeout": int(os.environ["CLUSTER_VISIBILITY_TIMEOUT"]),
              "exactly_once": total == distinct == expected,
              "seconds": round(time.monotonic() - started, 1)}
    log(json.dumps(result, ensure_ascii=False))
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    saved["worker"] = result
    RESULTS.write_text(json.dumps(saved, ensure_ascii=False, indent=1))
    return result


def count_expiry_messages(distinct: bool = False):  # noqa: ANN201
    import psycopg

    with psycopg.connect(os.environ["CLUSTER_DATABASE_URL"]) as conn:
        total = conn.execute("SELECT count(*) FROM messaging_message WHERE kind LIKE 'expiry%%'"
                             ).fetchone()[0]
        if not distinct:
            return total
        keys = conn.execute("SELECT count(*) FROM (SELECT DISTINCT recipient_id, kind, subject, "
                            "period FROM messaging_message WHERE kind LIKE 'expiry%%') k"
                            ).fetchone()[0]
        return total, keys


def worker_running_the_job() -> str:
    """Which of worker-1 / worker-2 holds the job (Celery's remote control, over Redis)."""
    script = ("import json\nfrom portal.celery import app\n"
              "print(json.dumps({k: len(v) for k, v in "
              "(app.control.inspect(timeout=2).active() or {}).items()}))")
    out = subprocess.run([cluster.PYTHON, "manage.py", "shell", "-c", script], cwd=cluster.ROOT,
                         env=cluster.product_env(), capture_output=True, text=True, check=True)
    active = json.loads(out.stdout.strip().splitlines()[-1])
    for name, count in active.items():
        if count:
            return "worker-1" if name.startswith("worker1@") else "worker-2"
    raise SystemExit(f"no worker reports the job as active: {active}")


def fault_disk() -> dict:
    """Fill the upload filesystem, upload 佐证材料 through nginx, then free it and upload again."""
    load = json.loads((cluster.STATE / "load.json").read_text())
    session = client()
    session.cookies.update(enterprise_session())
    token_of = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    page = session.get(cluster.BASE + "/declare/innovative/regions/", timeout=10)
    response = session.post(cluster.BASE + "/enterprise/declarations/start/innovative/", timeout=20,
                            data={"csrfmiddlewaretoken": token_of.search(page.text).group(1),
                                  "region": "440000"},
                            headers={"Referer": cluster.BASE + "/declare/innovative/regions/"})
    edit = response.url
    if "/edit/" not in edit:
        raise SystemExit(f"no draft to upload to (landed on {edit}; the account "
                         f"{load['enterprises'][-1]} may have filed already)")
    base = edit.rsplit("/edit/", 1)[0]
    token = token_of.search(response.text).group(1)
    filler = MEDIA / "filler.bin"
    free = shutil.disk_usage(MEDIA).free
    with open(filler, "wb") as out:  # leave 200 KB: less than the 2 MB file below
        out.write(b"\0" * max(0, free - 200_000))
    before = sorted(p.relative_to(MEDIA).as_posix() for p in MEDIA.rglob("*") if p.is_file())
    body = b"%PDF-1.4\n" + os.urandom(2_000_000)

    def upload() -> str:
        answer = session.post(f"{base}/evidence/", timeout=30, headers={"Referer": edit},
                              data={"csrfmiddlewaretoken": token, "indicator": ""},
                              files={"files": ("研发费用专项审计报告.pdf", body, "application/pdf")})
        found = re.search(r"(文件“[^”]+”未能保存[^<]*|已上传 \d+ 个佐证材料文件[^<]*)", answer.text)
        return f"{answer.status_code} {found.group(1) if found else answer.url}"

    refused = upload()
    after = sorted(p.relative_to(MEDIA).as_posix() for p in MEDIA.rglob("*") if p.is_file())
    filler.unlink()
    accepted = upload()
    files_now = [p for p in MEDIA.rglob("*") if p.is_file()]
    result = {"fault": "disk", "refused": refused, "files_left_by_the_refusal": sorted(
        set(after) - set(before)), "after_freeing": accepted,
        "stored_after_freeing": [p.stat().st_size for p in files_now]}
    log(json.dumps(result, ensure_ascii=False))
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    saved["disk"] = result
    RESULTS.write_text(json.dumps(saved, ensure_ascii=False, indent=1))
    return result


FAULTS = {"redis": fault_redis, "postgres": fault_postgres, "node": fault_node,
          "worker": fault_worker, "disk": fault_disk}


def main() -> int:
    names = sys.argv[1:] or ["all"]
    if names == ["all"]:
        names = list(FAULTS)
    if unknown := [n for n in names if n not in FAULTS]:
        raise SystemExit(f"unknown fault {unknown}; choose from {', '.join(FAULTS)} or all")
    postgres_up()
    media_up()
    try:
        cluster.start_all()
        for name in names:
            FAULTS[name]()
            with contextlib.suppress(OSError):
                cluster.get(cluster.BASE + "/healthz", timeout=10)
    finally:
        cluster.stop_all()
        postgres_down()
        media_down()
    log(f"results in {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
