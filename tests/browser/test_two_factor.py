"""An official's second factor in a real browser: enrol on first login (QR code and key, a code,
the backup codes), land in the admin; the next login asks for a code and refuses a wrong one."""

import datetime as dt
from base64 import b32decode

import pytest
import time_machine
from django_otp.oath import totp
from selenium.webdriver.common.by import By

from tests.browser.conftest import click, click_through, fill, open_page, screenshot
from tests.conftest import PASSWORD, official

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CST = dt.timezone(dt.timedelta(hours=8))


def code_now(key: bytes) -> str:
    return f"{totp(key):06d}"


def admin_login(driver, base: str, username: str) -> None:
    open_page(driver, f"{base}/admin/login/")
    fill(driver, {"username": username, "password": PASSWORD, "captcha_1": "PASSED"})
    click_through(driver, By.CSS_SELECTOR, "input[type=submit]")


def test_an_official_enrols_lands_in_the_admin_and_is_asked_for_a_code_next_time(browser,
                                                                                 live_server):
    base = live_server.url
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, 3, tzinfo=CST), tick=True) as clock:
        official("o_otp_gd", "province", "440000")
        admin_login(browser, base, "o_otp_gd")
        assert "/accounts/otp/setup/" in browser.current_url
        assert browser.find_element(By.CSS_SELECTOR, "[data-testid=otp-qr] svg")
        key = b32decode(browser.find_element(By.CSS_SELECTOR, "[data-testid=otp-key]").text
                        .replace(" ", ""))
        screenshot(browser, "otp-enrol")
        fill(browser, {"token": code_now(key)})
        click_through(browser, By.CSS_SELECTOR, "form button.btn-primary")
        codes = browser.find_elements(By.CSS_SELECTOR, "[data-testid=backup-codes] li")
        assert len(codes) == 10
        screenshot(browser, "otp-backup-codes")
        click(browser, By.NAME, "saved")
        click_through(browser, By.CSS_SELECTOR, "form button.btn-primary")
        assert browser.current_url == f"{base}/admin/"
        assert "工作台" in browser.page_source

        # A new browser session: password, then the code.
        clock.shift(dt.timedelta(seconds=60))  # a new 30-second step: a new code
        browser.delete_all_cookies()
        admin_login(browser, base, "o_otp_gd")
        assert "/accounts/otp/verify/" in browser.current_url
        wrong = f"{(int(code_now(key)) + 500000) % 10**6:06d}"
        fill(browser, {"token": wrong})
        click_through(browser, By.CSS_SELECTOR, "form button.btn-primary")
        error = browser.find_element(By.CSS_SELECTOR, ".invalid-feedback").text
        assert "验证码不正确，还可尝试4次" in error
        screenshot(browser, "otp-wrong-code")
        fill(browser, {"token": code_now(key)})
        click_through(browser, By.CSS_SELECTOR, "form button.btn-primary")
        assert browser.current_url == f"{base}/admin/"
