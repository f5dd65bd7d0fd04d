"""Load test of the cluster (`make load-test`): anonymous visitors, enterprises filing a
declaration, officials working their queues — through nginx on loopback.

    .venv/bin/python bench/cluster.py start
    .venv/bin/locust -f bench/locustfile.py --headless -u 50 -r 5 -t 5m \\
        --host https://127.0.0.1:8480 --csv /tmp/portal-cluster/load --only-summary

Users (weights 5 : 3 : 2 of 50 → 25 / 15 / 10):
* 访客: the home page, the announcement list and an announcement, the open regions of a tier,
  the login page and 企业认定查询.
* 企业: logs in with a fresh load account (bench/cluster.py seeds them, complete profiles in
  天河区), opens the enterprise home, the profile and its edit form, the assessment, the
  declarations list, starts a 创新型 declaration in 广东's open window, fills the two sections
  (twice autosave + preview each, as the page's script does, then 保存本部分),
  submits with the 承诺 (checked: the detail says 申报已提交), reads its messages, logs out.
* 管理端: logs in once (天河区/广州市/广东省/部级 demo officials) with the password, the captcha
  and the second factor (the TOTP code of the demo authenticator, computed with django-otp), then
  the 工作台, the review queue 待我审核, a declaration in it, the announcements and the messages
  admin.

Logins type the captcha: bench/cluster.py stores captcha challenges whose answers it knows in
the database before the nodes start (load.json), as a person would read them off the image.
Think time 1–3 s between pages. Exit status 1 on any failure or an overall p95 ≥ 500 ms
(LOAD_P95_MS to change the bound).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets
import time
from pathlib import Path

import gevent
from django_otp.oath import totp
from locust import HttpUser, between, events, task

STATE = Path(os.environ.get("CLUSTER_DIR", "/tmp/portal-cluster"))  # noqa: S108  # nosec B108 - a fixed, documented scratch folder of the benchmark (CLUSTER_DIR overrides)
LOAD = json.loads((STATE / "load.json").read_text())


class Pool:
    """Items used once across runs (a captcha is gone once answered; a load account files one
    declaration per window): the position is kept in CLUSTER_DIR/<name>.cursor."""

    def __init__(self, name: str, items: list) -> None:
        self.items, self.path = items, STATE / f"{name}.cursor"
        self.position = int(self.path.read_text()) if self.path.exists() else 0

    def __next__(self):  # noqa: ANN204
        if self.position >= len(self.items):
            raise SystemExit(f"{self.path.stem}: all {len(self.items)} used — reseed: remove "
                             f"{STATE}/load.json and run bench/cluster.py setup")
        item = self.items[self.position]
        self.position += 1
        self.path.write_text(str(self.position))
        return item


ENTERPRISES = Pool("enterprises", LOAD["enterprises"])
CAPTCHAS = Pool("captchas", LOAD["captchas"])
OFFICIALS = itertools.cycle(LOAD["officials"])
# The demo officials' authenticator (seed_demo enrols each on this key, DEBUG seeding only).
TOTP_KEY = bytes.fromhex(LOAD["totp_key_hex"]) if LOAD.get("totp_key_hex") else b""
# django-otp accepts each 30-second step once per device (last_t): officials sharing an account
# take turns, as two people reading one authenticator would.
LAST_STEP: dict[str, int] = {}
P95_LIMIT_MS = float(os.environ.get("LOAD_P95_MS", "500"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NOTICE = re.compile(r'href="/announcements/(\d+)/"')
DECLARATION_ROW = re.compile(r'href="/admin/declarations/declaration/(\d+)/change/')

IP = {"ip-high_value_class1": "1", "ip-self_developed_class1": "2", "ip-class1": "3",
      "ip-class2": "4"}
INNOVATION = {"innovation-strategic_emerging_product": "yes", "innovation-honors": ["high_tech"],
              "innovation-rd_institution": "municipal", "innovation-awards_0_level": "provincial",
              "innovation-awards_0_rank": "2"}


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)

    def on_start(self) -> None:
        # Loopback only: the cluster's own certificate, no proxy or CA bundle from the environment.
        self.client.trust_env = False
        self.client.verify = str(STATE / "tls" / "cert.pem")

    def csrf(self, path: str, name: str | None = None) -> str:
        with self.client.get(path, name=name, catch_response=True) as response:
            found = CSRF.search(response.text)
            if response.status_code != 200 or not found:
                response.failure(f"no form at {path} ({response.status_code})")
                return ""
            response.success()
            return found.group(1)

    def post(self, path: str, data: dict, *, token: str, referer: str, name: str | None = None,
             expect: str | None = None, expect_url: str | None = None):
        """POST a form with its CSRF token and the Referer an HTTPS form post carries; the
        answer (after redirects) must contain `expect` / land on a URL containing `expect_url`."""
        headers = {"Referer": f"{self.host}{referer}"}
        with self.client.post(path, data={"csrfmiddlewaretoken": token, **data}, headers=headers,
                              name=name, catch_response=True) as response:
            if response.status_code >= 400:
                response.failure(f"{response.status_code} from {path}")
            elif expect and expect not in response.text:
                response.failure(f"{path}: the answer does not say {expect!r}")
            elif expect_url and expect_url not in response.url:
                response.failure(f"{path}: landed on {response.url}")
            else:
                response.success()
            return response

    def login(self, path: str, username: str, password: str, landing: str) -> bool:
        token = self.csrf(path, name=path.split("?")[0])
        hashkey, answer = next(CAPTCHAS)
        response = self.post(path, {"username": username, "password": password,
                                    "captcha_0": hashkey, "captcha_1": answer},
                             token=token, referer=path, name=path.split("?")[0] + " [POST]",
                             expect_url=landing)
        return response.ok and landing in response.url


class Visitor(PortalUser):
    weight = 5

    @task(6)
    def home(self) -> None:
        self.client.get("/")

    @task(4)
    def announcements(self) -> None:
        response = self.client.get("/announcements/")
        ids = NOTICE.findall(response.text)
        if ids:
            self.client.get(f"/announcements/{secrets.choice(ids)}/", name="/announcements/[id]/")

    @task(2)
    def open_regions(self) -> None:
        self.client.get(f"/declare/{secrets.choice(['innovative', 'specialized'])}/regions/",
                        name="/declare/[tier]/regions/")

    @task(1)
    def login_page(self) -> None:
        self.client.get("/accounts/login/")

    @task(1)
    def recognition_query(self) -> None:
        self.client.get("/recognition/query/")


class Enterprise(PortalUser):
    weight = 3

    @task
    def declare(self) -> None:
        """One enterprise's visit: profile, assessment, a 创新型 declaration drafted and submitted."""
        self.client.cookies.clear()
        if not self.login("/accounts/login/", next(ENTERPRISES), LOAD["password"], "/enterprise/"):
            return
        self.wait()
        self.client.get("/enterprise/profile/")
        self.wait()
        self.client.get("/enterprise/profile/edit/")
        self.wait()
        self.client.get("/assessment/")
        self.wait()
        self.client.get("/enterprise/declarations/")
        self.wait()
        token = self.csrf("/declare/innovative/regions/", name="/declare/[tier]/regions/")
        response = self.post("/enterprise/declarations/start/innovative/", {"region": "440000"},
                             token=token, referer="/declare/innovative/regions/",
                             name="/enterprise/declarations/start/[tier]/", expect_url="/edit/")
        if not response.ok or "/edit/" not in response.url:
            return
        edit = response.url.replace(self.host, "")
        base = edit.rsplit("/edit/", 1)[0]
        token = CSRF.search(response.text).group(1)
        self.wait()
        for section, data in (("ip", IP), ("innovation", INNOVATION)):
            # As the page's script does while the enterprise types: autosave, then the preview.
            for _ in range(2):
                self.post(f"{base}/autosave/", {"section": section, **data}, token=token,
                          referer=edit, name="/enterprise/declarations/[id]/autosave/",
                          expect='"saved": true')
                self.client.get(f"{base}/preview/", name="/enterprise/declarations/[id]/preview/")
                self.wait()
            self.post(edit, {"section": section, **data}, token=token, referer=edit,
                      name="/enterprise/declarations/[id]/edit/ [POST]", expect="已保存")
            self.wait()
        self.post(f"{base}/submit/", {"pledge": "on"}, token=token, referer=edit,
                  name="/enterprise/declarations/[id]/submit/", expect="申报已提交")
        self.wait()
        self.client.get("/enterprise/messages/")
        self.wait()
        self.post("/accounts/logout/", {}, token=token, referer="/enterprise/messages/",
                  name="/accounts/logout/")


class Official(PortalUser):
    weight = 2

    def on_start(self) -> None:
        super().on_start()
        username = next(OFFICIALS)
        if not self.login("/admin/login/?next=/admin/", username, LOAD["official_password"],
                          "/accounts/otp/verify/" if TOTP_KEY else "/admin/"):
            return
        if TOTP_KEY:
            self.second_factor(username)

    def second_factor(self, username: str) -> None:
        """The code from the authenticator (django-otp's own TOTP), one step per login."""
        path = "/accounts/otp/verify/?next=/admin/"
        token = self.csrf(path, name="/accounts/otp/verify/")
        step = max(int(time.time()) // 30, LAST_STEP.get(username, -1) + 1)
        LAST_STEP[username] = step
        while int(time.time()) // 30 < step:  # wait for the next code rather than reuse one
            gevent.sleep(0.5)
        code = f"{totp(TOTP_KEY, drift=step - int(time.time()) // 30):06d}"
        self.post(path, {"token": code, "next": "/admin/"}, token=token, referer=path,
                  name="/accounts/otp/verify/ [POST]", expect_url="/admin/")

    @task(2)
    def workbench(self) -> None:
        self.client.get("/admin/")

    @task(5)
    def queue(self) -> None:
        response = self.client.get("/admin/declarations/declaration/")
        ids = DECLARATION_ROW.findall(response.text)
        if ids:
            self.wait()
            self.client.get(f"/admin/declarations/declaration/{secrets.choice(ids[:20])}/change/",
                            name="/admin/declarations/declaration/[id]/change/")

    @task(1)
    def announcements(self) -> None:
        self.client.get("/admin/announcements/announcement/")

    @task(1)
    def messages(self) -> None:
        self.client.get("/admin/messaging/message/")


@events.quitting.add_listener
def verdict(environment, **kwargs) -> None:
    total = environment.stats.total
    p95 = total.get_response_time_percentile(0.95) or 0
    rps = total.total_rps
    print(f"\nrequests {total.num_requests}  failures {total.num_failures}  "
          f"p50 {total.get_response_time_percentile(0.5)} ms  p95 {p95} ms  "
          f"p99 {total.get_response_time_percentile(0.99)} ms  {rps:.1f} req/s")
    if total.num_failures or p95 >= P95_LIMIT_MS:
        print(f"FAILED: {total.num_failures} failures, p95 {p95} ms (limit < {P95_LIMIT_MS:.0f} ms)")
        environment.process_exit_code = 1
    else:
        print(f"ok: 0 failures, p95 {p95} ms < {P95_LIMIT_MS:.0f} ms")
