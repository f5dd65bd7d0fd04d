"""企业认定查询 (/recognition/query/): name + 统一社会信用代码 + captcha, the switch, the limit."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from captcha.conf import settings as captcha_settings
from django.urls import reverse

from announcements.services import site_settings_update
from enterprises.models import Enterprise, Recognition
from portal.regions.models import Region
from portal.views import RECOGNITION_QUERY_RATE
from tests.conftest import make_uscc

pytestmark = pytest.mark.django_db

URL = "/recognition/query/"
SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def company(db) -> Enterprise:
    found = Enterprise.objects.create(uscc=make_uscc("440106", 77), name="广州天河精工科技有限公司",
                                      region=Region.objects.get(code="440106"))
    Recognition.objects.create(enterprise=found, tier="specialized", batch="2022年第一批",
                               certificate_no="2022440000Z000012", valid_from=dt.date(2022, 6, 1),
                               valid_until=dt.date(2025, 5, 31))
    Recognition.objects.create(enterprise=found, tier="innovative", batch="2026年第一批",
                               certificate_no="2026440000C000001", valid_from=dt.date(2026, 6, 8),
                               valid_until=dt.date(2029, 6, 7))
    return found


@pytest.fixture
def open_query(ministry) -> None:
    site_settings_update(by=ministry, recognition_query_open=True, maker_contest_url="",
                         maker_contest_title="大赛")


def ask(client, name: str, uscc: str, captcha: str = "PASSED"):
    return client.post(URL, {"name": name, "uscc": uscc, "captcha_0": "x", "captcha_1": captcha})


def test_the_right_name_and_code_list_the_valid_and_past_titles(client, company, open_query):
    with time_machine.travel(dt.datetime(2026, 7, 1, 10, tzinfo=SH), tick=False):
        response = ask(client, " 广州天河精工科技有限公司 ", company.uscc.lower())
    body = response.content.decode()
    assert response.status_code == 200 and body.count('data-testid="title-row"') == 2
    valid, past = body.index("2026年第一批"), body.index("2022年第一批")
    assert valid < past  # valid titles first
    assert "创新型中小企业" in body and "2029-06-07" in body and "有效" in body
    assert "专精特新中小企业" in body and "已到期" in body
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize(("name", "uscc"), [
    ("广州天河精工科技有限公司", make_uscc("440106", 78)),  # the code of nobody
    ("另一家公司", make_uscc("440106", 77)),  # the name does not match the code
])
def test_a_name_and_code_that_do_not_both_match_find_nothing(client, company, open_query, name, uscc):
    body = ask(client, name, uscc).content.decode()
    assert 'data-testid="not-found"' in body and "title-row" not in body


def test_an_enterprise_without_titles_is_told_so(client, open_query):
    Enterprise.objects.create(uscc=make_uscc("440106", 79), name="新公司",
                              region=Region.objects.get(code="440106"))
    assert 'data-testid="no-titles"' in ask(client, "新公司", make_uscc("440106", 79)).content.decode()


def test_a_wrong_captcha_keeps_the_inputs_and_queries_nothing(client, company, open_query, monkeypatch):
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", False)
    response = ask(client, "广州天河精工科技有限公司", company.uscc, captcha="WRONG")
    body = response.content.decode()
    assert "验证码不正确" in body and "query-result" not in body
    assert 'value="广州天河精工科技有限公司"' in body and f'value="{company.uscc}"' in body


def test_queries_are_limited_per_client(client, company, open_query):
    limit = int(RECOGNITION_QUERY_RATE.split("/")[0])
    for _ in range(limit):
        assert ask(client, "广州天河精工科技有限公司", company.uscc).status_code == 200
    response = ask(client, "广州天河精工科技有限公司", company.uscc)
    body = response.content.decode()
    assert response.status_code == 429 and "查询过于频繁" in body and "title-row" not in body
    assert 'value="广州天河精工科技有限公司"' in body
    # Another client address is not limited by this one.
    other = client.post(URL, {"name": "广州天河精工科技有限公司", "uscc": company.uscc,
                              "captcha_0": "x", "captcha_1": "PASSED"}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200 and "title-row" in other.content.decode()


def test_while_the_switch_is_off_there_is_no_form_and_no_answer(client, company):
    response = ask(client, "广州天河精工科技有限公司", company.uscc)
    body = response.content.decode()
    assert "稍后开放" in body and "<form" not in body.split("</header>")[1] and "title-row" not in body


def test_empty_inputs_are_refused_at_their_fields(client, open_query):
    body = ask(client, "", "").content.decode()
    assert "请输入企业名称" in body and "请输入统一社会信用代码" in body
    assert reverse("recognition_query") == URL
