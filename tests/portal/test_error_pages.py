import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_server_error_shows_the_chinese_500_page(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.portal.boom_urls"
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "系统繁忙" in body and "deliberate failure" not in body


def test_a_forbidden_page_is_chinese(client, person):
    client.force_login(person)
    # an enterprise-only page refuses a natural person with the reason
    response = client.get("/enterprise/profile/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
