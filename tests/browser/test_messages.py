"""我的消息 end to end: an official returns a major change in the admin; the enterprise sees the
message on its home and in its tab, opens it, and the unread count drops."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from selenium.webdriver.common.by import By

from enterprises import services
from enterprises.services import enterprise_for_account
from tests.browser.conftest import absent, click, click_through, screenshot
from tests.browser.test_enterprise_profile import login
from tests.conftest import enterprise, official
from tests.enterprises.conftest import complete

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_returned_change_reaches_the_enterprises_messages(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    account = enterprise("msg_ent", "440106", 801, "广州天河消息测试有限公司")
    company = complete(enterprise_for_account(user=account), 2025)
    change = services.change_save(
        enterprise=company, by=account, files=[SimpleUploadedFile("执照.pdf", PDF)],
        data={"change_type": "rename", "changed_on": dt.date.today() - dt.timedelta(days=10),
              "before": "旧名", "after": "新名", "reason": "品牌升级",
              "new_name": "广州天河新名有限公司", "new_region": None})
    change = services.change_submit(change=change, by=account)
    official("o_msg", "county", "440106")

    login(browser, live_server.url, "o_msg", admin=True)
    browser.get(f"{live_server.url}/admin/enterprises/majorchange/{change.pk}/change/")
    click(browser, By.CSS_SELECTOR, "input[name=decision][value=return]")
    browser.find_element(By.NAME, "opinion").send_keys("请补充更名核准通知书")
    click_through(browser, By.NAME, "_save")
    browser.delete_all_cookies()

    login(browser, live_server.url, "msg_ent")
    browser.get(f"{live_server.url}/enterprise/")
    home_message = browser.find_element(By.CSS_SELECTOR, "[data-testid=home-message]")
    assert "重大变更（更名）已被退回" in home_message.text
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=header-unread]").text == "1"
    screenshot(browser, "messages-home")

    click_through(browser, By.CSS_SELECTOR, "[data-testid=messages-more]")
    click_through(browser, By.CSS_SELECTOR, "[data-tab=recognition]")
    tab = browser.find_element(By.CSS_SELECTOR, "[data-tab=recognition]")
    assert "认定通知" in tab.text and tab.find_element(By.CSS_SELECTOR, "[data-testid=tab-unread]").text == "1"
    row = browser.find_element(By.CSS_SELECTOR, "[data-testid=message-row]")
    assert row.get_attribute("data-read") == "0"
    screenshot(browser, "messages-tab")

    click_through(browser, By.CSS_SELECTOR, "[data-testid=message-row]")
    assert "请补充更名核准通知书" in browser.find_element(By.CSS_SELECTOR, "[data-testid=message-body]").text
    assert absent(browser, By.CSS_SELECTOR, "[data-testid=header-unread]")
    click_through(browser, By.LINK_TEXT, "查看详情")
    assert f"/enterprise/changes/{change.public_id}/" in browser.current_url
    browser.get(f"{live_server.url}/enterprise/messages/?category=recognition")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=message-row]").get_attribute("data-read") == "1"
    assert absent(browser, By.CSS_SELECTOR, "[data-testid=tab-unread]")
