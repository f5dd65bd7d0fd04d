"""The portal as several nodes on one machine: nginx in front of two gunicorn nodes, sharing
PostgreSQL, Redis (cache, sessions' cache, Celery broker) and the upload folder; two Celery
workers and one beat. The layout of deploy/ (systemd units, nginx site) on real servers.

    .venv/bin/python bench/cluster.py up       # set up, start, print the address; Ctrl-C stops
    .venv/bin/python bench/cluster.py start    # the same in the background (load test, faults)
    .venv/bin/python bench/cluster.py stop     # stop everything it started
    .venv/bin/python bench/cluster.py memo-check   # publish/withdraw seen by node B within 1 s
    .venv/bin/python bench/cluster.py load-test    # locust (LOAD_USERS, LOAD_TIME) + CPU per request

Everything lives in CLUSTER_DIR (default /tmp/portal-cluster): the secrets of this cluster,
nginx's prefix and its self-signed certificate, collected static files, uploads, logs, the
process ids and `load.json` (the load test's accounts and captcha answers).

Production settings throughout: DEBUG off, manifest static files, secure cookies (hence HTTPS,
nginx on https://127.0.0.1:8480), BEHIND_PROXY with one proxy. The demo data and the load
accounts are written into the database beforehand by a separate DEBUG-on process (`seed_demo`
refuses to run in production); the nodes never run with DEBUG.

Environment knobs: CLUSTER_DIR, CLUSTER_PORT (8480), CLUSTER_NODE_PORTS (8481,8482),
CLUSTER_DATABASE_URL (postgres://postgres@127.0.0.1:5432/portal_cluster), CLUSTER_REDIS_URL
(unset: a redis-server of its own on CLUSTER_REDIS_PORT, 6390, no persistence),
CLUSTER_MEDIA_ROOT, CLUSTER_NODE_WORKERS (2), CLUSTER_CELERY_CONCURRENCY (2),
CLUSTER_VISIBILITY_TIMEOUT (3600), CLUSTER_LOAD_ACCOUNTS (1500).
"""

from __future__ import annotations

import base64
import contextlib
import getpass
import json
import os
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
# A fixed folder, so that `stop` finds what `start` began.
STATE = Path(os.environ.get("CLUSTER_DIR", "/tmp/portal-cluster"))  # noqa: S108  # nosec B108 - a fixed, documented scratch folder of the benchmark (CLUSTER_DIR overrides)
PORT = int(os.environ.get("CLUSTER_PORT", "8480"))
NODE_PORTS = [int(p) for p in os.environ.get("CLUSTER_NODE_PORTS", "8481,8482").split(",")]
REDIS_PORT = int(os.environ.get("CLUSTER_REDIS_PORT", "6390"))
OWN_REDIS = not os.environ.get("CLUSTER_REDIS_URL")
REDIS_URL = os.environ.get("CLUSTER_REDIS_URL", f"redis://127.0.0.1:{REDIS_PORT}/0")
DATABASE_URL = os.environ.get("CLUSTER_DATABASE_URL",
                              "postgres://postgres@127.0.0.1:5432/portal_cluster")
BASE = f"https://127.0.0.1:{PORT}"
DEMO_PASSWORD = "Demo@2026pass"  # seed_demo's officials
LOAD_PREFIX = "load_"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def log(message: str) -> None:
    print(f"[cluster {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- settings shared by every process ---------------------------------------------------------


def cluster_secrets() -> dict[str, str]:
    """This cluster's SECRET_KEY and field keys, made once and kept in CLUSTER_DIR (sessions
    and encrypted fields stay valid across restarts)."""
    path = STATE / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    STATE.mkdir(parents=True, exist_ok=True)
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "FIELD_HASH_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "LOAD_PASSWORD": "Load@" + secrets.token_urlsafe(12),
    }
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return values


def product_env(**extra: str) -> dict[str, str]:
    keys = cluster_secrets()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        "SECRET_KEY": keys["SECRET_KEY"],
        "FIELD_ENCRYPTION_KEYS": keys["FIELD_ENCRYPTION_KEYS"],
        "FIELD_HASH_KEY": keys["FIELD_HASH_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BEHIND_PROXY": "true",
        "PROXY_COUNT": "1",
        "SITE_URL": BASE,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "MEDIA_ROOT": os.environ.get("CLUSTER_MEDIA_ROOT", str(STATE / "media")),
        "STATIC_ROOT": str(STATE / "static"),
        "CELERY_VISIBILITY_TIMEOUT": os.environ.get("CLUSTER_VISIBILITY_TIMEOUT", "3600"),
        "LOG_LEVEL": os.environ.get("CLUSTER_LOG_LEVEL", "WARNING"),
    }
    env.update(extra)
    return env


# --- setup: database, static files, seed --------------------------------------------------------


def ensure_database() -> None:
    """CREATE DATABASE when missing (only the cluster's own database is ever touched)."""
    import psycopg
    from psycopg import sql

    name = DATABASE_URL.rsplit("/", 1)[1].split("?")[0]
    server = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            log(f"created database {name}")


def setup() -> None:
    for sub in ("logs", "nginx", "tls", "static", "media"):
        (STATE / sub).mkdir(parents=True, exist_ok=True)
    os.chmod(STATE, 0o755)  # noqa: S103 - nginx workers read the static files  # nosec B103
    if OWN_REDIS and not port_open(REDIS_PORT):
        spawn("redis", redis_command())
        wait_port(REDIS_PORT)
    ensure_database()
    env = product_env()
    manage = [PYTHON, "manage.py"]
    log("migrate")
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    # A second start reuses the collected files and the seed (remove CLUSTER_DIR to redo them).
    if not (STATE / "static" / "staticfiles.json").exists():
        log("collectstatic")
        subprocess.run([*manage, "collectstatic", "--noinput", "--clear"], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)
    if not (STATE / "load.json").exists():
        log("seed (a separate DEBUG process: demo data, load accounts, captcha answers)")
        subprocess.run([PYTHON, __file__, "seed"], cwd=ROOT, env={**env, "DEBUG": "true"},
                       check=True)
    make_certificate()


def seed() -> None:
    """Runs with DEBUG on, before any node starts: seed_demo, then CLUSTER_LOAD_ACCOUNTS
    enterprises of 天河区 with complete profiles (each can file one 创新型 declaration in the
    demo's open 广东 window), and captcha answers for the load test's logins."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    import datetime as dt

    from captcha.models import CaptchaStore
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from enterprises.services import enterprise_for_account
    from portal.accounts.models import User
    from portal.accounts.services import account_register_enterprise
    from portal.management.commands.seed_demo import _complete, demo_uscc

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    password = cluster_secrets()["LOAD_PASSWORD"]
    count = int(os.environ.get("CLUSTER_LOAD_ACCOUNTS", "1500"))
    # One real PBKDF2 hash for every load account: hashing 1 500 times would take 15 minutes.
    hashed = make_password(password)
    original = User.set_password
    User.set_password = lambda self, raw: setattr(self, "password", hashed)  # type: ignore[method-assign]
    last_year = timezone.localdate().year - 1
    made = 0
    try:
        for n in range(count):
            username = f"{LOAD_PREFIX}{n:05d}"
            if User.objects.filter(username=username).exists():
                continue
            user = account_register_enterprise(
                username=username, uscc=demo_uscc("440106", f"7{n:08d}"),
                org_name=f"广州负载测试{n:05d}号科技有限公司", person_name="负载测试",
                mobile=f"139{n:08d}", email=f"{username}@example.cn", password=password)
            _complete(enterprise_for_account(user=user), "440106", "3311", last_year)
            made += 1
    finally:
        User.set_password = original  # type: ignore[method-assign]
    expires = timezone.now() + dt.timedelta(days=2)
    CaptchaStore.objects.filter(challenge="LOAD").delete()
    captchas = []
    for _ in range(int(os.environ.get("CLUSTER_CAPTCHAS", "6000"))):
        answer = secrets.token_hex(3)
        store = CaptchaStore(challenge="LOAD", response=answer, expiration=expires)
        store.save()
        captchas.append([store.hashkey, answer])
    enterprises = sorted(User.objects.filter(username__startswith=LOAD_PREFIX)
                         .values_list("username", flat=True))
    from portal.management.commands import seed_demo

    (STATE / "load.json").write_text(json.dumps({
        "password": password, "enterprises": enterprises, "captchas": captchas,
        "officials": ["gz_tianhe", "gz_shi", "gd_sheng", "bu_admin"],
        "official_password": DEMO_PASSWORD,
        # The demo officials' enrolled authenticator (seed_demo, DEBUG only).
        "totp_key_hex": getattr(seed_demo, "DEMO_TOTP_KEY_HEX", "")}))
    # New captchas: the load test starts at the first one again (the accounts' cursor stays:
    # an account that filed cannot file again in the same window).
    (STATE / "captchas.cursor").unlink(missing_ok=True)
    print(f"seeded {made} new load accounts ({len(enterprises)} in all), {len(captchas)} captchas")


def make_certificate() -> None:
    cert, key = STATE / "tls" / "cert.pem", STATE / "tls" / "key.pem"
    if cert.exists() and key.exists():
        return
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)


def nginx_conf() -> Path:
    template = (ROOT / "deploy" / "nginx.conf.template").read_text()
    # As root nginx would switch its workers to `nobody`; the scratch prefix belongs to us.
    user_line = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    conf = template.format(user_line=user_line, state=STATE, port=PORT, node_a=NODE_PORTS[0],
                           node_b=NODE_PORTS[1], server_name="127.0.0.1 localhost",
                           static_root=STATE / "static")
    path = STATE / "nginx" / "nginx.conf"
    path.write_text(conf)
    return path


# --- processes ----------------------------------------------------------------------------------


def redis_command() -> list[str]:
    return ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"]


def commands() -> dict[str, list[str]]:
    workers = os.environ.get("CLUSTER_NODE_WORKERS", "2")
    concurrency = os.environ.get("CLUSTER_CELERY_CONCURRENCY", "2")
    gunicorn, celery = str(BIN / "gunicorn"), str(BIN / "celery")
    procs: dict[str, list[str]] = {}
    if OWN_REDIS:
        procs["redis"] = redis_command()
    for letter, port in zip("ab", NODE_PORTS, strict=True):
        procs[f"node-{letter}"] = [
            gunicorn, "portal.wsgi:application", "--workers", workers, "--bind",
            f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60",
            "--graceful-timeout", "10", "--name", f"portal-node-{letter}"]
    for n in (1, 2):
        procs[f"worker-{n}"] = [celery, "-A", "portal", "worker", "-n", f"worker{n}@%h",
                                "--concurrency", concurrency, "-l", "warning"]
    procs["beat"] = [celery, "-A", "portal", "beat", "-l", "warning",
                     "-s", str(STATE / "celerybeat-schedule")]
    procs["nginx"] = [NGINX, "-p", str(STATE / "nginx"), "-c", str(STATE / "nginx" / "nginx.conf"),
                      "-g", "daemon off;"]
    return procs


def pids() -> dict[str, int]:
    path = STATE / "pids.json"
    return json.loads(path.read_text()) if path.exists() else {}


def save_pid(name: str, pid: int) -> None:
    table = pids()
    table[name] = pid
    (STATE / "pids.json").write_text(json.dumps(table))


def spawn(name: str, command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start one process in its own process group (a node is killed whole: master and workers)."""
    out = open(STATE / "logs" / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
    process = subprocess.Popen(command, cwd=ROOT, env=env or product_env(), stdout=out,
                               stderr=subprocess.STDOUT, start_new_session=True)
    save_pid(name, process.pid)
    return process


def start_process(name: str) -> subprocess.Popen:
    return spawn(name, commands()[name])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_group(name: str, sig: int = signal.SIGTERM) -> None:
    pid = pids().get(name)
    if pid and alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)


def wait_gone(name: str, seconds: float = 15) -> None:
    pid = pids().get(name)
    deadline = time.monotonic() + seconds
    while pid and alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)
    if pid and alive(pid):
        kill_group(name, signal.SIGKILL)


def port_open(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if port_open(port):
            return
        time.sleep(0.2)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def insecure_context() -> ssl.SSLContext:
    """The cluster's own self-signed certificate on loopback."""
    context = ssl.create_default_context(cafile=str(STATE / "tls" / "cert.pem"))
    return context


def get(url: str, *, headers: dict[str, str] | None = None, timeout: float = 5) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback  # nosec B310
    context = insecure_context() if url.startswith("https") else None
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # noqa: S310 - loopback  # nosec B310
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def node_get(port: int, path: str, timeout: float = 5) -> tuple[int, str]:
    """A page straight from one node, with the headers nginx would add."""
    return get(f"http://127.0.0.1:{port}{path}", timeout=timeout, headers={
        "Host": f"127.0.0.1:{PORT}", "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "127.0.0.1"})


def start_all() -> None:
    if pids() and any(alive(pid) for pid in pids().values()):
        raise SystemExit(f"a cluster is already running from {STATE} (bench/cluster.py stop)")
    (STATE / "pids.json").unlink(missing_ok=True)
    setup()
    nginx_conf()
    for name in commands():
        if name == "redis" and port_open(REDIS_PORT):
            continue
        start_process(name)
    for port in (*NODE_PORTS, PORT):
        wait_port(port)
    deadline = time.monotonic() + 90
    while True:  # the masters listen before their workers have loaded Django
        try:
            status, body = get(f"{BASE}/healthz", timeout=10)
        except OSError as exc:
            status, body = 0, repr(exc)
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    log(f"healthz {status} {body.strip()}")
    print(f"\n  优质中小企业梯度培育平台 (cluster): {BASE}/   管理端: {BASE}/admin/\n"
          f"  nginx :{PORT} → gunicorn node-a :{NODE_PORTS[0]}, node-b :{NODE_PORTS[1]} "
          f"(each {os.environ.get('CLUSTER_NODE_WORKERS', '2')} workers); 2 Celery workers, 1 beat\n"
          f"  PostgreSQL {DATABASE_URL}   Redis {REDIS_URL}\n"
          f"  state, logs: {STATE}\n", flush=True)


def stop_all() -> None:
    table = pids()
    order = ["nginx", "node-a", "node-b", "beat", "worker-1", "worker-2", "redis"]
    for name in sorted(table, key=lambda n: order.index(n) if n in order else 99):
        kill_group(name)
        wait_gone(name)
    (STATE / "pids.json").unlink(missing_ok=True)
    log("stopped")


def up() -> None:
    start_all()
    stopping = False

    def on_signal(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    log("running — Ctrl-C stops every process")
    while not stopping:
        time.sleep(0.5)
    stop_all()


# --- the per-process memo across nodes ---------------------------------------------------------


def memo_check(rounds: int = 3) -> int:
    """Publish, then withdraw, an announcement from a process other than node B (the service
    the admin's 发布/撤回 calls) while polling node B's home page every 50 ms: each change must
    show within STATE_MEMO_SECONDS (+ 0.3 s for the poll and the page)."""
    env = product_env()
    limit = 1.0 + 0.3
    worst = 0.0
    failed = False
    port = NODE_PORTS[1]
    for n in range(rounds):
        title = f"跨节点可见性检查第{n + 1}号{secrets.token_hex(3)}"
        for action in ("publish", "withdraw"):
            want_present = action == "publish"
            # Both of node B's workers must show the old state first (20 polls in a row).
            steady = 0
            while steady < 20:
                status, body = node_get(port, "/")
                steady = steady + 1 if status == 200 and (title in body) != want_present else 0
            script = (
                "from announcements.models import Announcement\n"
                "from announcements.services import announcement_publish, announcement_save, "
                "announcement_withdraw\n"
                "from portal.accounts.models import User\n"
                "by = User.objects.get(username='bu_admin')\n"
                f"if {action!r} == 'publish':\n"
                f"    item = announcement_save(by=by, title={title!r}, body='<p>检查</p>', kind='notice')\n"
                "    announcement_publish(announcement=item, by=by)\n"
                "else:\n"
                f"    announcement_withdraw(announcement=Announcement.objects.get(title={title!r}), by=by)\n"
                "import time; print(time.time())\n")
            # The change runs in another process while this one polls node B, so the delay
            # is measured from the commit (printed by that process) to the first page showing it.
            change = subprocess.Popen([PYTHON, "manage.py", "shell", "-c", script], cwd=ROOT,
                                      env=env, stdout=subprocess.PIPE, text=True)
            # Seen = the first poll after which no poll (either worker) shows the old state for
            # 2 s; polls go on until then.
            seen_at = None
            started = time.time()
            while time.time() - started < 20:
                status, body = node_get(port, "/")
                now = time.time()
                if status == 200 and (title in body) == want_present:
                    seen_at = seen_at or now
                    if now - seen_at >= 2:
                        break
                else:
                    seen_at = None
                time.sleep(0.05)
            out, _ = change.communicate(timeout=60)
            changed_at = float(out.strip().splitlines()[-1])
            delay = seen_at - changed_at if seen_at is not None else float("inf")
            worst = max(worst, delay)
            ok = delay <= limit
            failed |= not ok
            print(f"round {n + 1} {action:<8} seen on node B after {delay:.2f} s "
                  f"({'ok' if ok else 'TOO LATE'}, limit {limit:.1f} s)", flush=True)
    print(f"worst {worst:.2f} s over {rounds} publish + {rounds} withdraw")
    return 1 if failed else 0


# --- the load test, with the CPU it costs ---------------------------------------------------


def cpu_seconds() -> dict[str, float]:
    """CPU seconds (user + system) used so far by the cluster's processes — every member of
    each process group — and by the PostgreSQL backends serving its database."""
    tick = os.sysconf("SC_CLK_TCK")
    groups = {pgid: name for name, pgid in pids().items()}
    database = DATABASE_URL.rsplit("/", 1)[1].split("?")[0]
    used: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        pgid, seconds = int(fields[2]), (int(fields[11]) + int(fields[12])) / tick
        if pgid in groups:
            name = groups[pgid].rstrip("-ab12").rstrip("-") or groups[pgid]
        elif cmdline.startswith("postgres: ") and f" {database} " in cmdline:
            name = "postgres"
        else:
            continue
        used[name] = used.get(name, 0.0) + seconds
    return used


def load_test() -> int:
    """locust (bench/locustfile.py) through nginx, LOAD_USERS for LOAD_TIME; then the CPU the
    cluster spent per request (for the capacity estimate in the README)."""
    users, duration = os.environ.get("LOAD_USERS", "50"), os.environ.get("LOAD_TIME", "5m")
    before, started = cpu_seconds(), time.monotonic()
    done = subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"),
                           "--headless", "-u", users, "-r", "5", "-t", duration, "--host", BASE,
                           "--csv", str(STATE / "load"), "--only-summary"], cwd=ROOT, check=False)
    elapsed = time.monotonic() - started
    after = cpu_seconds()
    import csv

    with open(STATE / "load_stats.csv") as handle:
        total = next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")
    requests = int(total["Request Count"])
    spent = {name: after.get(name, 0.0) - before.get(name, 0.0) for name in after}
    cpu = sum(spent.values())
    print(f"\nCPU seconds over {elapsed:.0f} s: "
          + ", ".join(f"{name} {value:.1f}" for name, value in sorted(spent.items()))
          + f"; total {cpu:.1f} ({cpu / elapsed:.2f} cores busy)")
    print(f"{requests} requests: {cpu / requests * 1000:.1f} ms CPU per request, "
          f"{requests / cpu:.1f} requests per CPU-second (per core)")
    return done.returncode


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "up"
    if command == "up":
        up()
    elif command == "start":
        start_all()
    elif command == "stop":
        stop_all()
    elif command == "setup":
        setup()
    elif command == "seed":
        seed()
    elif command == "load-test":
        return load_test()
    elif command == "memo-check":
        return memo_check()
    elif command == "status":
        for name, pid in pids().items():
            print(f"{name:<10} {pid:>8} {'up' if alive(pid) else 'DOWN'}")
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
