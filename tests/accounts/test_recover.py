import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.accounts.helpers import CAPTCHA_OK, post_login

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Fresh#2027word"


def recover(client, code, name, email, **kw):
    return client.post("/accounts/recover/", {"code": code, "person_name": name, "email": email,
                                              **CAPTCHA_OK, **kw})


def link() -> str:
    return re.search(r"http://[^/]+(/accounts/recover/\S+/)", mail.outbox[-1].body).group(1)


def test_matching_details_mail_a_reset_link_with_the_login_name(client, ent_tianhe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = recover(client, ent_tianhe.uscc.lower(), "张三", ent_tianhe.email.upper())
    assert "找回邮件已发送" in response.content.decode()
    assert mail.outbox[-1].to == [ent_tianhe.email]
    assert ent_tianhe.username in mail.outbox[-1].body
    page = client.get(link(), follow=True)
    assert "设置新密码" in page.content.decode()
    response = client.post(page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD,
                                                        "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert post_login(client, ent_tianhe.uscc, NEW_PASSWORD).status_code == 302


def test_a_natural_person_recovers_with_the_id_number(client, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        recover(client, person.id_number, "李四", person.email)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("field", ["code", "person_name", "email"])
def test_wrong_details_say_information_is_wrong_and_lead_to_manual_check(client, ent_tianhe, field, django_capture_on_commit_callbacks):
    data = {"code": ent_tianhe.uscc, "person_name": "张三", "email": ent_tianhe.email}
    data[field] = {"code": "91440106MA00000999", "person_name": "王五",
                   "email": "x@example.cn"}[field]
    with django_capture_on_commit_callbacks(execute=True):
        response = recover(client, data["code"], data["person_name"], data["email"])
    body = response.content.decode()
    assert "信息有误" in body
    assert "/accounts/phone/manual/" in body
    assert mail.outbox == []


def test_the_link_expires_after_one_hour(client, ent_tianhe, django_capture_on_commit_callbacks):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            recover(client, ent_tianhe.uscc, "张三", ent_tianhe.email)
        traveller.shift(dt.timedelta(hours=1, seconds=1))
        page = client.get(link(), follow=True)
        assert "该链接已失效" in page.content.decode()


def test_the_link_works_once(client, ent_tianhe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        recover(client, ent_tianhe.uscc, "张三", ent_tianhe.email)
    url = link()
    page = client.get(url, follow=True)
    client.post(page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD,
                                             "new_password2": NEW_PASSWORD})
    again = client.get(url, follow=True)
    assert "该链接已失效" in again.content.decode()
