import pytest
from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def real_captcha(monkeypatch):
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", False)


def login(client, user, key, answer):
    return client.post("/accounts/login/", {"username": user.username, "password": PASSWORD,
                                             "captcha_0": key, "captcha_1": answer})


def test_the_login_page_shows_a_captcha_image(client):
    body = client.get("/accounts/login/").content.decode()
    assert 'class="captcha"' in body and "/captcha/image/" in body


def test_the_right_answer_passes_once(client, ent_tianhe):
    key = CaptchaStore.generate_key()
    answer = CaptchaStore.objects.get(hashkey=key).response
    assert login(client, ent_tianhe, key, answer).status_code == 302
    client.post("/accounts/logout/")
    response = login(client, ent_tianhe, key, answer)  # a used captcha is gone
    assert "验证码不正确" in response.content.decode()


def test_a_wrong_answer_or_the_test_word_fails(client, ent_tianhe):
    key = CaptchaStore.generate_key()
    assert "验证码不正确" in login(client, ent_tianhe, key, "zzzz").content.decode()
    key = CaptchaStore.generate_key()
    assert "验证码不正确" in login(client, ent_tianhe, key, "PASSED").content.decode()


def test_the_admin_login_has_a_captcha_too(client, gd_province):
    key = CaptchaStore.generate_key()
    response = client.post("/admin/login/", {"username": gd_province.username,
                                             "password": PASSWORD, "captcha_0": key,
                                             "captcha_1": "zzzz"})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    key = CaptchaStore.generate_key()
    answer = CaptchaStore.objects.get(hashkey=key).response
    response = client.post("/admin/login/?next=/admin/", {
        "username": gd_province.username, "password": PASSWORD, "captcha_0": key,
        "captcha_1": answer, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
