"""The site addresses its users as 您: no account page says 你, Django's own texts included."""

import re

import pytest
from django.core import mail

from tests.accounts.helpers import CAPTCHA_OK, post_login

pytestmark = pytest.mark.django_db

PAGES = [
    "/accounts/login/",
    "/accounts/register/",
    "/accounts/register/?kind=person",
    "/accounts/terms/",
    "/accounts/privacy/",
    "/accounts/phone/",
    "/accounts/phone/email/",
    "/accounts/phone/manual/",
    "/accounts/recover/",
    "/accounts/recover/done/",
]


def assert_polite(response) -> None:
    body = response.content.decode()
    assert "你" not in body, re.findall(r".{0,20}你.{0,20}", body)


@pytest.mark.parametrize("path", PAGES)
def test_account_pages_say_nin(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_polite(response)


def test_the_reset_password_form_and_its_errors_say_nin(client, ent_tianhe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/recover/", {"code": ent_tianhe.uscc, "person_name": "张三",
                                           "email": ent_tianhe.email, **CAPTCHA_OK})
    path = re.search(r"http://[^/]+(/accounts/recover/\S+/)", mail.outbox[-1].body).group(1)
    page = client.get(path, follow=True)
    assert "new_password1" in page.content.decode()
    assert_polite(page)
    for first, second in [("12345678", "12345678"), ("ent_tianhe1", "ent_tianhe1"),
                          ("password", "password"), ("Ab#1", "Ab#1"), ("Abc#12345", "other")]:
        response = client.post(page.redirect_chain[-1][0],
                               {"new_password1": first, "new_password2": second})
        assert response.status_code == 200
        assert_polite(response)


def test_registration_errors_say_nin(client):
    response = client.post("/accounts/register/", {"kind": "enterprise", "password1": "123",
                                                   "password2": "456", "username": "ab"})
    assert_polite(response)


def test_login_errors_and_the_lockout_page_say_nin(client, ent_tianhe):
    for _ in range(5):
        response = post_login(client, ent_tianhe.username, "Wrong@2026pass")
        assert_polite(response)
    assert response.status_code == 429
