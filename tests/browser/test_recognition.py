"""The whole path in a real browser: the enterprise files a 创新型 declaration on its form, it
goes county → city → province in the admin decision form, the province builds the batch, opens
公示, recognises it, and the public 企业认定查询 shows the new title."""

import datetime as dt

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from announcements.services import site_settings_update
from declarations.models import Declaration, RecognitionBatch
from tests.browser.conftest import click, click_through, fill, open_page, screenshot
from tests.browser.test_declaration import choose, type_in, wait_saved
from tests.browser.test_enterprise_profile import login
from tests.conftest import dr, enterprise, official
from tests.declarations.conftest import open_window, ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def decide_in_admin(browser, base: str, username: str, declaration: Declaration) -> None:
    browser.delete_all_cookies()
    login(browser, base, username, admin=True)
    open_page(browser, f"{base}/admin/declarations/declaration/{declaration.pk}/change/")
    click(browser, By.CSS_SELECTOR, "input[name=decision]")  # the one onward step offered
    fill(browser, {"opinion": "符合条件，同意推荐。"})
    click_through(browser, By.CSS_SELECTOR, "input[name=_save]")


def run_action(browser, base: str, action: str) -> None:
    open_page(browser, f"{base}/admin/declarations/recognitionbatch/")
    click(browser, By.CSS_SELECTOR, "input.action-select")
    Select(browser.find_element(By.NAME, "action")).select_by_value(action)
    click_through(browser, By.CSS_SELECTOR, "button[name=index]")


def test_a_declaration_goes_through_the_chain_to_a_title_the_public_can_query(browser, live_server):
    base = live_server.url
    open_window("440000", "innovative")
    account = enterprise("ent_path", "440106", 4401, "广州天河全流程科技有限公司")
    ready(account)
    # The enterprise files it on its own form (each section autosaves as it is typed).
    login(browser, base, "ent_path")
    open_page(browser, f"{base}/enterprise/declarations/")
    click_through(browser, By.CSS_SELECTOR, "[data-testid=tier-innovative] [data-testid=start]")
    for name, value in (("ip-high_value_class1", "1"), ("ip-self_developed_class1", "2"),
                        ("ip-class1", "3"), ("ip-class2", "4")):
        type_in(browser, name, value)
    wait_saved(browser, "ip")
    choose(browser, "innovation-strategic_emerging_product", "yes")
    choose(browser, "innovation-rd_institution", "municipal")
    wait_saved(browser, "innovation")
    click(browser, By.ID, "id_pledge")
    click_through(browser, By.CSS_SELECTOR, "[data-testid=submit]", confirm=True)
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=status]").text == "县级审核中"
    filed = Declaration.objects.get()
    official("o_th", "county", "440106")
    official("o_gz", "city", "440100")
    official("o_gd", "province", "440000")
    minister = official("o_mi", "ministry")
    site_settings_update(by=minister, recognition_query_open=True, maker_contest_url="",
                         maker_contest_title="大赛")
    for username, expected in (("o_th", "at_city"), ("o_gz", "at_province"), ("o_gd", "recommended")):
        decide_in_admin(browser, base, username, filed)
        filed.refresh_from_db()
        assert filed.status == expected, username

    # 省级: the batch (公示 held last week, so it is over), 公示, 认定.
    today = timezone.localdate()
    open_page(browser, f"{base}/admin/declarations/recognitionbatch/add/")
    Select(browser.find_element(By.NAME, "tier")).select_by_value("innovative")
    Select(browser.find_element(By.NAME, "declaration_region")).select_by_value(str(dr("440000").pk))
    fill(browser, {"name": "2026年第一批", "objection_contact": "广东省工业和信息化厅中小企业处 020-83133000",
                   "publicity_starts_on": (today - dt.timedelta(days=10)).isoformat(),
                   "publicity_ends_on": (today - dt.timedelta(days=4)).isoformat()})
    click_through(browser, By.CSS_SELECTOR, "input[name=_save]")
    batch = RecognitionBatch.objects.get()
    run_action(browser, base, "publicize_selected")
    assert "公示公告已发布" in browser.page_source
    open_page(browser, f"{base}/admin/declarations/recognitionbatch/{batch.pk}/change/")
    fill(browser, {"document_no": "粤工信〔2026〕18号"})
    click_through(browser, By.CSS_SELECTOR, "input[name=_save]")
    run_action(browser, base, "recognise_selected")
    assert "已认定" in browser.page_source
    screenshot(browser, "recognition-batch-recognised")

    # The 公示 is public, and so is the title.
    browser.delete_all_cookies()
    open_page(browser, f"{base}/announcements/")
    assert "2026年第一批拟认定创新型中小企业名单公示" in browser.page_source
    open_page(browser, f"{base}/recognition/query/")
    fill(browser, {"name": "广州天河全流程科技有限公司", "uscc": filed.enterprise.uscc,
                   "captcha_1": "PASSED"})
    click_through(browser, By.XPATH, "//button[text()='查询']")
    row = browser.find_element(By.CSS_SELECTOR, "[data-testid=title-row]")
    assert "创新型中小企业" in row.text and "2026年第一批" in row.text and "有效" in row.text
    assert f"{today.year}440000C000001" in row.text
    screenshot(browser, "recognition-query-result")
