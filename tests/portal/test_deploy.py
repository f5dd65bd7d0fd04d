"""deploy/ (systemd units, nginx site) describes the layout `make cluster` runs: the same
upstream and proxy rules, the same gunicorn, worker and beat command lines."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bench import cluster

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def directives(text: str, block: str) -> list[str]:
    """The directives of the first `block { … }` (no nested blocks inside it)."""
    text = "\n".join(line for line in text.splitlines() if not line.strip().startswith("#"))
    body = re.search(re.escape(block) + r"\s*\{(.*?)\}", text, re.S).group(1)
    return [" ".join(part.split()) for part in body.split(";") if part.strip()]


def unit_command(name: str) -> list[str]:
    text = (DEPLOY / "systemd" / name).read_text().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    return line.removeprefix("ExecStart=").split()


def test_the_site_proxies_exactly_as_the_cluster_does():
    site = (DEPLOY / "nginx-site.conf").read_text()
    template = (DEPLOY / "nginx.conf.template").read_text().replace("{{", "{").replace("}}", "}")
    template = template.replace("{node_a}", "8481").replace("{node_b}", "8482")
    assert directives(site, "upstream portal") == directives(template, "upstream portal")
    assert directives(site, "location / ") == directives(template, "location / ")
    rules = directives(site, "location / ")
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for" in rules
    assert "proxy_set_header X-Forwarded-Proto $scheme" in rules
    assert "proxy_next_upstream error timeout http_502 http_503 non_idempotent" in rules


def test_the_units_run_the_commands_the_cluster_runs():
    commands = cluster.commands()
    node = commands["node-a"]
    gunicorn = unit_command("portal-gunicorn@.service")
    assert gunicorn[1] == node[1] == "portal.wsgi:application"
    for flag in ("--workers", "--timeout", "--graceful-timeout"):
        assert gunicorn[gunicorn.index(flag) + 1] == node[node.index(flag) + 1]
    worker = unit_command("portal-celery-worker@.service")
    assert worker[1:4] == commands["worker-1"][1:4] == ["-A", "portal", "worker"]
    beat = unit_command("portal-celery-beat.service")
    assert beat[1:4] == commands["beat"][1:4] == ["-A", "portal", "beat"]


def test_the_units_restart_what_dies():
    for name in ("portal-gunicorn@.service", "portal-celery-worker@.service",
                 "portal-celery-beat.service"):
        assert "Restart=always" in (DEPLOY / "systemd" / name).read_text()


@pytest.mark.skipif(not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists(),
                    reason="Debian's nginx (make system-deps) checks the configuration")
def test_nginx_accepts_the_clusters_configuration(tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "STATE", tmp_path)
    for sub in ("nginx", "logs", "tls", "static"):
        (tmp_path / sub).mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(tmp_path / "tls" / "key.pem"),
                    "-out", str(tmp_path / "tls" / "cert.pem")], check=True, capture_output=True)
    conf = cluster.nginx_conf()
    check = subprocess.run([cluster.NGINX, "-t", "-p", str(tmp_path / "nginx"), "-c", str(conf)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_a_server_process_freezes_what_it_loaded_at_start():
    """portal.wsgi moves the objects loaded at start out of the collector's reach."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", "import gc, portal.wsgi; print(gc.get_freeze_count())"],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True,
        check=True).stdout.strip()
    assert int(out) > 10_000
