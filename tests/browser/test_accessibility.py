"""WCAG 2 A + AA (axe-core, from npm, injected from node_modules: nothing is fetched) on the
main anonymous and enterprise pages: government sites must meet 无障碍 and 适老化 rules, and
every new page keeps to them because it is added here."""

from pathlib import Path

import pytest
from django.conf import settings

from enterprises.services import enterprise_for_account
from tests.announcements.conftest import make
from tests.browser.conftest import open_page
from tests.browser.test_enterprise_profile import login
from tests.conftest import enterprise
from tests.enterprises.conftest import complete

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
   .then(r => done(r.violations.map(v => ({
        id: v.id, impact: v.impact,
        nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}))))
   .catch(e => done([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}]));
"""


def violations(driver, url: str) -> list[dict]:
    open_page(driver, url)
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    return driver.execute_async_script(RUN_AXE)


def report(found: dict[str, list[dict]]) -> str:
    lines = []
    for url, items in found.items():
        for v in items:
            lines.append(f"{url}: {v['id']} ({v['impact']})")
            lines.extend(f"    {node}" for node in v["nodes"])
    return "\n".join(lines)


def test_the_anonymous_pages_have_no_wcag_violation(browser, live_server):
    notice = make("关于开展2026年度专精特新中小企业认定工作的通知", pinned=True)
    make("广东省专精特新中小企业名单公示", level="province", region="440000")
    pages = ["/", "/announcements/", f"/announcements/{notice.pk}/", "/announcements/?q=不存在的公告",
             "/accounts/login/", "/accounts/register/", "/accounts/recover/",
             "/recognition/query/", "/no-such-page/"]
    found = {url: v for url in pages if (v := violations(browser, live_server.url + url))}
    assert not found, report(found)


def test_the_enterprise_pages_have_no_wcag_violation(browser, live_server):
    account = enterprise("a11yco", "440106", 951, "广州无障碍科技有限公司")
    complete(enterprise_for_account(user=account), 2025)
    login(browser, live_server.url, "a11yco")
    pages = ["/enterprise/", "/enterprise/profile/", "/enterprise/profile/edit/",
             "/enterprise/profile/update/", "/enterprise/changes/", "/enterprise/changes/new/",
             "/assessment/", "/accounts/phone/", "/enterprise/rereviews/",
             "/accounts/security/", "/accounts/security/password/", "/accounts/security/email/"]
    found = {url: v for url in pages if (v := violations(browser, live_server.url + url))}
    assert not found, report(found)


def test_the_second_factor_pages_have_no_wcag_violation(browser, live_server):
    from selenium.webdriver.common.by import By

    from tests.browser.conftest import click_through, fill, pass_second_factor
    from tests.conftest import PASSWORD, official

    official("o_a11y", "province", "440000")
    open_page(browser, f"{live_server.url}/admin/login/")
    fill(browser, {"username": "o_a11y", "password": PASSWORD, "captcha_1": "PASSED"})
    click_through(browser, By.CSS_SELECTOR, "input[type=submit]")
    found = {}
    if v := violations(browser, live_server.url + "/accounts/otp/setup/"):  # the QR code page
        found["/accounts/otp/setup/"] = v
    pass_second_factor(browser, "o_a11y")
    open_page(browser, f"{live_server.url}/accounts/otp/verify/")
    for url in ("/accounts/otp/backup-codes/", "/accounts/admin-password/"):
        if v := violations(browser, live_server.url + url):
            found[url] = v
    assert not found, report(found)
