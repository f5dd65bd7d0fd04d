"""A real Chromium (Debian `chromium` + `chromium-driver`); nothing downloads a browser.

Every step that loads a new page goes through `navigate` (or `click_through`, `open_page`):
it keeps a handle on the old document, acts, and waits until that document is gone and the
new one has loaded. Reading the page right after a click without this races the navigation
(a `StaleElementReferenceException`, or an assertion on the old page).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
IMPLICIT_WAIT = 15  # a loaded CI machine can be slow to render
NAVIGATION_TIMEOUT = 30



class _SharedConnectionServer(ThreadedWSGIServer):
    """The live server, one request at a time when its threads share the test's connection.

    On in-memory SQLite every request thread uses the test's one connection object. Two requests
    at once (a page and the fetch it starts, a download and the next page) then interleave one
    `atomic()` entry with another's `on_commit()`, which Django refuses ("on_commit() cannot be
    used in manual transaction management"). Requests keep their own threads (a browser's idle
    keep-alive connection blocks nothing); only the application call is serialised.
    """

    def set_app(self, application):
        if not self.connections_override:
            return super().set_app(application)
        one_at_a_time = threading.Lock()

        def serialised(environ, start_response):
            with one_at_a_time:
                return application(environ, start_response)

        return super().set_app(serialised)


LiveServerThread.server_class = _SharedConnectionServer


@pytest.fixture
def browser(tmp_path):
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail(f"browser tests need {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1280,1000", "--lang=zh-CN",
                f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(IMPLICIT_WAIT)
    yield driver
    driver.quit()


def _loaded(driver) -> bool:
    return driver.execute_script("return document.readyState") == "complete"


def _gone(element) -> bool:
    """Whether `element` no longer belongs to the page shown.

    While a document is replaced, chromedriver may answer a look at an element of the old one
    with a generic error ("Node with given id does not belong to the document") instead of a
    stale-element one: both mean the old page is gone. Any other error: look again.
    """
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        return "does not belong to the document" in str(exc)
    return False


def navigate(driver, act: Callable[[], object], *, confirm: bool = False) -> None:
    """Run `act` (a click, a submit, a `get`), which loads a new page, and wait for that page.

    `confirm`: the action first asks for a confirmation (`window.confirm`), which is accepted.
    """
    old = driver.find_element(By.TAG_NAME, "html")
    act()
    if confirm:
        WebDriverWait(driver, 10).until(ec.alert_is_present())
        driver.switch_to.alert.accept()
    WebDriverWait(driver, NAVIGATION_TIMEOUT).until(lambda _: _gone(old))
    WebDriverWait(driver, NAVIGATION_TIMEOUT, ignored_exceptions=(WebDriverException,)).until(
        _loaded)


def click(driver, by, value) -> None:
    """Click an element that changes the page in place (a dialog, a tab), not a link."""
    element = driver.find_element(by, value)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
    element.click()


def click_through(driver, by, value, *, confirm: bool = False) -> None:
    """Click a link or submit button and wait for the page it leads to."""
    navigate(driver, lambda: click(driver, by, value), confirm=confirm)


def open_page(driver, url: str) -> None:
    """`driver.get`, which already waits for the load; here for symmetry and a ready check."""
    driver.get(url)
    WebDriverWait(driver, NAVIGATION_TIMEOUT, ignored_exceptions=(WebDriverException,)).until(
        _loaded)


@contextmanager
def no_implicit_wait(driver) -> Iterator[None]:
    driver.implicitly_wait(0)
    try:
        yield
    finally:
        driver.implicitly_wait(IMPLICIT_WAIT)


def absent(driver, by, value) -> bool:
    """True when the loaded page has no such element — checked at once, not after the 15 s wait
    that finding a present element may need (call it after `navigate`, on a loaded page)."""
    with no_implicit_wait(driver):
        return not driver.find_elements(by, value)


def fill(driver, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = driver.find_element(By.NAME, name)
        if field.get_attribute("type") == "date" or field.tag_name == "select":
            driver.execute_script("arguments[0].value = arguments[1];", field, value)
        else:
            field.clear()
            field.send_keys(value)


def screenshot(driver, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        driver.save_screenshot(os.path.join(folder, f"{name}.png"))


def pass_second_factor(driver, username: str) -> None:
    """After an admin account's password login: pass the second factor the way its owner would,
    with a one-time backup code (enrolling an authenticator first when it has none). A backup
    code, unlike a TOTP code, can be used by several logins in the same 30 seconds."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.accounts.models import User

    user = User.objects.get(username=username)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)
    device = (StaticDevice.objects.filter(user=user).first()
              or StaticDevice.objects.create(user=user, name="备用码", confirmed=True))
    from portal.accounts.two_factor import backup_code_digest

    token = StaticToken.random_token()
    StaticToken.objects.create(device=device, token=backup_code_digest(user.pk, token))
    if "/accounts/otp/" not in driver.current_url:
        return
    if "/accounts/otp/setup/" in driver.current_url:  # enrolled just now: start from the code
        open_page(driver, driver.current_url.replace("/otp/setup/", "/otp/verify/"))
    fill(driver, {"token": token})
    click_through(driver, By.CSS_SELECTOR, "form button[type=submit].btn-primary")
