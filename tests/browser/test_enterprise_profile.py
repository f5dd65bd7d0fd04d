"""The enterprise profile end to end: complete it, update it in April (not May), report a name change."""

import datetime as dt

import pytest
import time_machine
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from enterprises.models import Enterprise, InfoUpdate, MajorChange
from enterprises.services import enterprise_for_account
from tests.browser.conftest import (
    absent,
    click,
    click_through,
    fill,
    pass_second_factor,
    screenshot,
)
from tests.conftest import PASSWORD, enterprise, official
from tests.enterprises.conftest import complete, recognise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CST = dt.timezone(dt.timedelta(hours=8))




def chosen_in(driver, field: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, f"#id_{field}-picker [data-chosen]").text


def search_picker(driver, field: str, query: str, result: str) -> None:
    """Type in the picker's search box and take the result that reads `result`."""
    box = driver.find_element(By.CSS_SELECTOR, f"#id_{field}-picker [data-picker-search]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", box)
    box.send_keys(query)
    WebDriverWait(driver, 20).until(lambda d: any(
        b.text == result for b in d.find_elements(By.CSS_SELECTOR, f"#id_{field}-picker [data-picker-results] button")))
    box.send_keys(Keys.ARROW_DOWN)  # into the list, then Enter on the first result
    assert driver.switch_to.active_element.text == result
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    WebDriverWait(driver, 20).until(lambda d: chosen_in(d, field) == f"已选择：{result}")


def choose_level(driver, field: str, level: int, value: str) -> None:
    """Choose in one level's select once the level above has loaded it."""
    name = f"{field}_{level}"
    WebDriverWait(driver, 20).until(lambda d: d.find_element(By.NAME, name).is_displayed() and d.find_elements(
        By.CSS_SELECTOR, f"select[name={name}] option[value='{value}']"))
    Select(driver.find_element(By.NAME, name)).select_by_value(value)


def login(driver, base, username, admin=False) -> None:
    driver.get(f"{base}/admin/login/" if admin else f"{base}/accounts/login/")
    fill(driver, {"username": username, "password": PASSWORD, "captcha_1": "PASSED"})
    if admin:
        click_through(driver, By.CSS_SELECTOR, "input[type=submit]")
        pass_second_factor(driver, username)
    else:
        click_through(driver, By.XPATH, "//button[text()='登录']")
    assert "/login/" not in driver.current_url


def test_a_new_enterprise_completes_its_profile_and_the_declaration_card_opens(browser, live_server):
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, tzinfo=CST), tick=True):
        enterprise("newco", "440106", 901, "广州新锐装备有限公司")
        login(browser, live_server.url, "newco")
        alert = browser.find_element(By.CSS_SELECTOR, "[data-testid=declare-incomplete]")
        assert "所属行业" in alert.text
        click_through(browser, By.LINK_TEXT, "去完善企业信息")
        click_through(browser, By.CSS_SELECTOR, "[data-testid=edit]")
        assert browser.find_element(By.CSS_SELECTOR, "[data-picker-search]")
        assert absent(browser, By.CSS_SELECTOR, "button[name=pick]")  # no 【选择】 with JavaScript
        assert chosen_in(browser, "region") == "已选择：广东省 广州市 天河区"
        # 所属行业 by search; 注册地 level by level, each level loading the next.
        search_picker(browser, "industry", "金属结构", "3311 金属结构制造")
        assert Select(browser.find_element(By.NAME, "industry_1")).first_selected_option.text == "33 金属制品业"
        choose_level(browser, "region", 1, "440300")
        choose_level(browser, "region", 2, "440305")
        assert chosen_in(browser, "region") == "已选择：广东省 深圳市 南山区"
        screenshot(browser, "profile-pickers")
        fill(browser, {
            "address": "深圳市南山区科技园1号",
            "founded_on": "2015-03-01", "registered_capital": "1000", "scale": "small",
            "contact_person": "李四", "contact_phone": "020-88888888",
            "contact_email": "contact@example.cn", "main_product": "钢结构件",
            "niche_market": "装配式钢结构", "niche_since": "2016-01-01", "employees": "120",
            "rd_staff": "200",  # more R&D staff than employees: refused at the field
        })
        for year in (2025, 2024, 2023):
            fill(browser, {f"y{year}-operating_revenue": "5000", f"y{year}-main_business_revenue": "4500",
                           f"y{year}-rd_expense": "260", f"y{year}-net_profit": "400",
                           f"y{year}-total_assets": "6000", f"y{year}-total_liabilities": "2400"})
        click_through(browser, By.XPATH, "//button[text()='保存']")
        assert "研发人员数不能超过职工总数" in browser.page_source
        assert browser.find_element(By.NAME, "address").get_attribute("value") == "深圳市南山区科技园1号"
        assert chosen_in(browser, "industry") == "已选择：3311 金属结构制造"  # the choices stay too
        assert chosen_in(browser, "region") == "已选择：广东省 深圳市 南山区"
        fill(browser, {"rd_staff": "20"})
        click_through(browser, By.XPATH, "//button[text()='保存']")
        assert "企业信息已保存" in browser.page_source
        saved = Enterprise.objects.get(name="广州新锐装备有限公司")
        assert (saved.industry.code, saved.region.code) == ("3311", "440305")
        browser.get(f"{live_server.url}/enterprise/")
        tiers = browser.find_element(By.CSS_SELECTOR, "[data-testid=declare-tiers]")
        assert "专精特新中小企业" in tiers.text
        screenshot(browser, "declaration-card-open")
        assert browser.find_element(By.CSS_SELECTOR, "a[data-tier=specialized]").get_attribute("href").endswith(
            "/declare/specialized/regions/")


def test_a_recognised_enterprise_updates_in_april_and_cannot_in_may(browser, live_server):
    account = enterprise("oldco", "440106", 902, "广州老牌精工有限公司")
    company = complete(enterprise_for_account(user=account), 2025)
    recognise(company)
    with time_machine.travel(dt.datetime(2026, 4, 20, 10, tzinfo=CST), tick=True):
        login(browser, live_server.url, "oldco")
        browser.get(f"{live_server.url}/enterprise/profile/")
        assert absent(browser, By.CSS_SELECTOR, "[data-testid=edit]")
        click_through(browser, By.CSS_SELECTOR, "[data-testid=update]")
        fill(browser, {"address": "广州市天河区新址88号", "y2025-operating_revenue": "5600"})
        click_through(browser, By.XPATH, "//button[text()='提交信息更新']", confirm=True)
        assert "2026年信息更新已提交" in browser.page_source
        screenshot(browser, "update-submitted")
    assert InfoUpdate.objects.get(enterprise=company).changes["address"]["after"] == "广州市天河区新址88号"
    with time_machine.travel(dt.datetime(2026, 5, 1, 0, 1, tzinfo=CST), tick=True):
        login(browser, live_server.url, "oldco")
        browser.get(f"{live_server.url}/enterprise/profile/")
        assert absent(browser, By.CSS_SELECTOR, "[data-testid=update]")
        browser.get(f"{live_server.url}/enterprise/profile/update/")
        assert "2027年1月1日" in browser.find_element(By.CSS_SELECTOR, "[data-testid=opens-on]").text


def test_a_name_change_is_reported_approved_and_the_new_name_shows(browser, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    account = enterprise("renameco", "440106", 903, "广州旧名科技有限公司")
    complete(enterprise_for_account(user=account), 2025)
    official("o_tianhe_e2e", "county", "440106")
    letter = tmp_path / "更名核准通知书.pdf"
    letter.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    login(browser, live_server.url, "renameco")
    browser.get(f"{live_server.url}/enterprise/changes/")
    click_through(browser, By.LINK_TEXT, "新增变更")
    fill(browser, {"change_type": "rename", "changed_on": dt.date.today().isoformat(),
                   "before": "广州旧名科技有限公司", "after": "广州新名科技有限公司",
                   "new_name": "广州新名科技有限公司", "reason": "股东会决议更名"})
    browser.find_element(By.NAME, "files").send_keys(str(letter))
    click_through(browser, By.XPATH, "//button[text()='提交']", confirm=True)
    assert "变更报告已提交" in browser.page_source
    change = MajorChange.objects.get()
    assert change.status == "submitted"

    click_through(browser, By.XPATH, "//button[contains(., '退出登录')]")
    assert browser.current_url == f"{live_server.url}/"
    login(browser, live_server.url, "o_tianhe_e2e", admin=True)
    browser.get(f"{live_server.url}/admin/enterprises/majorchange/{change.pk}/change/")
    assert "更名核准通知书.pdf" in browser.page_source
    click(browser, By.CSS_SELECTOR, "input[name=decision][value=approve]")
    click(browser, By.CSS_SELECTOR, "input[name=outcome][value=yes]")  # 仍符合认定条件
    click_through(browser, By.CSS_SELECTOR, "input[name=_save]")
    assert "成功修改" in browser.page_source
    screenshot(browser, "admin-change-approved")
    assert Enterprise.objects.get(uscc=account.uscc).name == "广州新名科技有限公司"

    click_through(browser, By.CSS_SELECTOR, "#logout-form button")
    assert browser.current_url == f"{live_server.url}/"
    login(browser, live_server.url, "renameco")
    browser.get(f"{live_server.url}/enterprise/profile/")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=name]").text == "广州新名科技有限公司"
