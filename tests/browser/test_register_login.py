import pytest
from selenium.webdriver.common.by import By

from portal.accounts.models import User
from tests.browser.conftest import click, click_through, fill, screenshot
from tests.conftest import PASSWORD, make_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]




def test_register_log_out_log_back_in_and_land_on_the_enterprise_home(browser, live_server):
    uscc = make_uscc("440106", 4242)
    browser.get(f"{live_server.url}/accounts/register/")
    assert "注册账户" in browser.page_source
    fill(browser, {
        "username": "kejie_e2e", "uscc": uscc, "org_name": "广州科捷智能装备有限公司",
        "person_name": "陈志强", "mobile": "13800138000", "email": "kejie@example.cn",
        "password1": PASSWORD, "password2": PASSWORD, "captcha_1": "PASSED",
    })
    click(browser, By.NAME, "agree")
    screenshot(browser, "register-filled")
    click_through(browser, By.CSS_SELECTOR, "form button[type=submit].w-100")

    heading = browser.find_element(By.CSS_SELECTOR, "[data-testid=enterprise-home]")
    assert "广州科捷智能装备有限公司" in heading.text
    assert User.objects.get(username="kejie_e2e").uscc == uscc
    screenshot(browser, "enterprise-home")

    click_through(browser, By.XPATH, "//button[contains(., '退出登录')]")
    assert browser.find_element(By.LINK_TEXT, "登录")
    browser.get(f"{live_server.url}/enterprise/")
    assert "/accounts/login/" in browser.current_url

    fill(browser, {"username": uscc.lower(), "password": PASSWORD, "captcha_1": "PASSED"})
    click_through(browser, By.XPATH, "//button[text()='登录']")
    heading = browser.find_element(By.CSS_SELECTOR, "[data-testid=enterprise-home]")
    assert browser.current_url == f"{live_server.url}/enterprise/"
    assert "广州科捷智能装备有限公司" in heading.text
    screenshot(browser, "logged-back-in")
