"""Fuzz: no query string or form post on a public or enterprise page gives a server error.

Hypothesis draws values from typed-looking garbage (dates at the ends of the calendar, huge and
non-finite numbers, NUL bytes, emoji, very long text, lists where one value is expected) for
the fields each page really reads, plus unknown keys. The test client re-raises a view's
exception, so a failure names it. Bounded by the "fuzz" profile (FUZZ_EXAMPLES to go deeper).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment import services as assessment_services
from enterprises.forms import ChangeForm, FiguresForm, ProfileForm
from enterprises.models import MajorChange
from enterprises.services import enterprise_for_account
from tests.assessment.conftest import questionnaire
from tests.enterprises.conftest import complete, figures_post, profile_post, recognise

pytestmark = pytest.mark.django_db

settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    deadline=None,
    database=None,  # nothing written under .hypothesis/
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("fuzz")

CST = dt.timezone(dt.timedelta(hours=8))
# Inside the default information-update window (1 January – 30 April), so 信息更新 is open.
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=CST)

NASTY = [
    "", " ", "0", "-1", "1e30", "-1e30", "NaN", "nan", "Infinity", "-inf", "1e-30", "0x10",
    str(2**31), str(2**63), str(10**30), "99999999999999999999.99", "-0.001", "1,000",
    "0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "1899-12-31", "2100-01-01",
    "2026/11/01", "20261101", "2026-11-01T10:00", "\x00", "a\x00b", "😀", "𠀀", "\u202e",
    "<script>alert(1)</script>", "' OR 1=1 --", "%", "_", "../../etc/passwd", "x" * 5000,
    "１２３", "true", "on", "None", "null", "[]", "{}",
]
VALUE = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.dates().map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
)
VALUES = st.one_of(VALUE, st.lists(VALUE, min_size=2, max_size=3))
EDGE_DATES = ["0001-01-01", "9999-12-31", "1899-12-31", "1900-01-01", "2099-12-31", "2100-01-01",
              "2026-02-29", "2024-02-29", "2026/11/01", "0000-00-00", "-2026-01-01", "99999-01-01"]
EDGE_NUMBERS = ["1e30", "-1e30", "NaN", "Infinity", "-Infinity", "1e-30", str(2**31), str(2**63),
                str(10**30), "-" + str(10**30), "99999999999999999999.99", "0.001", "-0", "１２"]
DATES = st.one_of(st.sampled_from(EDGE_DATES), st.dates().map(str), VALUES)
NUMBERS = st.one_of(st.sampled_from(EDGE_NUMBERS), st.integers().map(str),
                    st.decimals(allow_nan=True, allow_infinity=True).map(str), VALUES)
NUMERIC_NAMES = ("page", "step", "employees", "rd_staff", "registered_capital", "revenue", "expense",
                 "profit", "assets", "liabilities", "financing")


def strategy_for(name: str) -> st.SearchStrategy:
    """Values that look like what the field expects, at its edges, or anything at all."""
    if "date" in name or name.endswith(("_on", "_since")):
        return DATES
    if name.endswith(NUMERIC_NAMES) or name.startswith("f-"):
        return NUMBERS
    return VALUES


@dataclass
class World:
    anonymous: Client
    enterprise: Client
    recognised: Client
    enterprise_user: Any
    recognised_user: Any
    paths: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def world(ent_tianhe, ent_yuexiu) -> World:
    with time_machine.travel(NOW, tick=False):
        company = complete(enterprise_for_account(user=ent_tianhe), 2025)
        other = complete(enterprise_for_account(user=ent_yuexiu), 2025)
        recognise(other)
        change = MajorChange.objects.create(
            enterprise=company, change_type="rename", changed_on=dt.date(2026, 2, 1),
            before="旧名", after="新名", new_name="新名", reason="更名")
        attempt = assessment_services.attempt_start(enterprise=company, by=ent_tianhe)
    anonymous, enterprise, recognised = Client(), Client(), Client()
    enterprise.force_login(ent_tianhe)
    recognised.force_login(ent_yuexiu)
    return World(anonymous, enterprise, recognised, ent_tianhe, ent_yuexiu, paths={
        "change": f"/enterprise/changes/{change.public_id}/",
        "attempt": f"/assessment/{attempt.public_id}/",
    })


def fields_of(*forms: Any, prefix: str = "") -> list[str]:
    return [f"{prefix}{name}" for form in forms for name in form.base_fields]


def attempt_fields() -> list[str]:
    definition = questionnaire().definition
    names = ["step", "action", "pledge"]
    for q in definition.dimensions[0].questions:
        names.append(f"q-{q.id}")
        names += [f"f-{q.id}-{f.key}" for f in q.fields]
    names += [f"s-{s.id}" for s in definition.scenes[:3]]
    return names


PROFILE = fields_of(ProfileForm) + [f"y{y}-{n}" for y in (2025, 2024, 2023) for n in FiguresForm.Meta.fields]
# (who, method, path, the fields the page reads, a valid post to start from)
TARGETS: list[tuple[str, str, str, list[str], Any]] = [
    ("anonymous", "get", "/", ["tier", "region"], None),
    ("anonymous", "get", "/announcements/", ["q", "level", "region", "date_from", "date_to", "page"], None),
    ("anonymous", "get", "/recognition/query/", ["name", "code"], None),
    ("anonymous", "get", "/declare/specialized/regions/", ["tier", "region"], None),
    ("anonymous", "get", "/accounts/login/", ["next"], None),
    ("anonymous", "post", "/accounts/login/",
     ["username", "password", "captcha_0", "captcha_1", "next"], None),
    ("anonymous", "post", "/accounts/register/",
     ["kind", "username", "uscc", "org_name", "person_name", "id_number", "mobile", "email",
      "password1", "password2", "agree", "captcha_0", "captcha_1"], None),
    ("anonymous", "post", "/accounts/recover/",
     ["code", "person_name", "email", "captcha_0", "captcha_1"], None),
    ("anonymous", "post", "/accounts/phone/email/",
     ["identifier", "email", "captcha_0", "captcha_1"], None),
    ("anonymous", "post", "/accounts/phone/email/verify/", ["code", "new_mobile"], None),
    ("enterprise", "get", "/enterprise/", ["tier", "region"], None),
    ("enterprise", "get", "/enterprise/changes/", ["type", "page"], None),
    ("enterprise", "get", "{attempt}", ["step"], None),
    ("enterprise", "post", "/enterprise/profile/edit/", PROFILE,
     lambda: {**profile_post(), **figures_post(2025), **figures_post(2024), **figures_post(2023)}),
    ("recognised", "post", "/enterprise/profile/update/", PROFILE,
     lambda: {**profile_post(name="广州越秀制造有限公司", region="广东省 广州市 越秀区"),
              **figures_post(2025)}),
    ("enterprise", "post", "/enterprise/changes/new/", fields_of(ChangeForm),
     lambda: {"change_type": "other", "changed_on": "2026-02-01", "before": "甲", "after": "乙",
              "reason": "调整"}),
    ("enterprise", "post", "{change}edit/", fields_of(ChangeForm),
     lambda: {"change_type": "other", "changed_on": "2026-02-01", "before": "甲", "after": "乙",
              "reason": "调整"}),
    ("enterprise", "post", "{attempt}", attempt_fields, lambda: {"step": "0", "action": "save"}),
    ("enterprise", "post", "{attempt}autosave/", attempt_fields, lambda: {"step": "0"}),
]


def _field_names(spec: Any) -> list[str]:
    return spec() if callable(spec) else spec


@pytest.mark.parametrize(("who", "method", "path", "names", "base"), TARGETS,
                         ids=[f"{m.upper()} {p}" for _, m, p, _, _ in TARGETS])
def test_no_input_gives_a_server_error(world, who, method, path, names, base):
    names = _field_names(names)
    client = getattr(world, who)
    url = path.format(**world.paths)

    @FUZZ
    @given(picked=st.fixed_dictionaries({}, optional={n: strategy_for(n) for n in names}),
           extra=st.dictionaries(st.text(max_size=10), VALUE, max_size=2),
           start_valid=st.booleans())
    def probe(picked: dict[str, Any], extra: dict[str, Any], start_valid: bool) -> None:
        data = {**(base() if base and start_valid else {}), **extra, **picked}
        with time_machine.travel(NOW, tick=False):
            # Idle sessions end after 30 minutes: log the persona in again for every example.
            if who != "anonymous":
                client.force_login(getattr(world, f"{who}_user"))
            response = getattr(client, method)(url, data)
        assert response.status_code < 500, (method, url, data)

    probe()


SWEEP_DATES = ["0001-01-01", "9999-12-31", "2026-02-30"]
SWEEP_NUMBERS = ["1e30", "NaN", "-Infinity", "-" + str(10**30)]
SWEEP_TEXT = ["a\x00b", "x" * 5000, "😀"]


def sweep_values(name: str) -> list[Any]:
    if "date" in name or name.endswith(("_on", "_since")):
        return SWEEP_DATES
    if name.endswith(NUMERIC_NAMES) or name.startswith("f-"):
        return SWEEP_NUMBERS
    return SWEEP_TEXT


@pytest.mark.parametrize(("who", "method", "path", "names", "base"), TARGETS,
                         ids=[f"{m.upper()} {p}" for _, m, p, _, _ in TARGETS])
def test_each_field_at_its_edges_gives_no_server_error(world, who, method, path, names, base):
    """The deterministic half: every field alone at each of its edges, the rest valid."""
    client = getattr(world, who)
    url = path.format(**world.paths)
    with time_machine.travel(NOW, tick=False):
        if who != "anonymous":
            client.force_login(getattr(world, f"{who}_user"))
        for name in _field_names(names):
            for value in sweep_values(name):
                data = {**(base() if base else {}), name: value}
                response = getattr(client, method)(url, data)
                assert response.status_code < 500, (method, url, name, value)


@pytest.mark.parametrize(("path", "limit"), [("/accounts/register/", 20), ("/accounts/recover/", 10),
                                             ("/accounts/phone/email/", 10),
                                             ("/accounts/phone/manual/", 10)])
def test_an_empty_post_past_the_rate_limit_is_a_page_not_a_server_error(client, path, limit):
    for _ in range(limit):
        client.post(path, {})
    response = client.post(path, {})
    assert response.status_code == 200
    assert "过于频繁" in response.content.decode()
