"""An official filters the declarations, exports them (a background job in embedded mode),
waits for the link, downloads the file and opens it: only the filtered rows are in it."""

import time

import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.by import By

from declarations import exports
from tests.browser.conftest import click_through, open_page, screenshot
from tests.browser.test_enterprise_profile import login
from tests.conftest import official
from tests.declarations.conftest import open_window
from tests.declarations.test_exports import company, filed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def wait_for_xlsx(folder, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        files = [f for f in folder.glob("*.xlsx") if f.stat().st_size]
        if files and not list(folder.glob("*.crdownload")):
            return files[0]
        time.sleep(0.1)
    raise AssertionError(f"no export downloaded; found {list(folder.iterdir())}")


def test_an_official_filters_exports_downloads_and_opens_the_file(browser, live_server, settings,
                                                                  tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(exports, "SYNC_MAX_ROWS", 1)  # two rows: the background path
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Browser.setDownloadBehavior",
                            {"behavior": "allow", "downloadPath": str(downloads)})
    innovative, specialized = open_window("440000", "innovative"), open_window("440000", "specialized")
    filed(company("广州甲创新有限公司"), innovative)
    filed(company("广州乙创新有限公司", "440104"), innovative)
    filed(company("广州丙专精有限公司"), specialized)
    filed(company("南京丁创新有限公司", "320102"), open_window("320000", "innovative"))
    official("o_exp", "province", "440000")
    login(browser, live_server.url, "o_exp", admin=True)

    open_page(browser, f"{live_server.url}/admin/declarations/declaration/?queue=all")
    click_through(browser, By.LINK_TEXT, "创新型中小企业")
    assert "广州丙专精有限公司" not in browser.page_source
    click_through(browser, By.CSS_SELECTOR, "[data-testid=export]")
    assert "/exports/jobs/" in browser.current_url
    status = browser.find_element(By.CSS_SELECTOR, "[data-testid=export-status]").text
    assert status == "已完成"  # embedded mode: built in-process, the link is shown at once
    screenshot(browser, "admin-export-job")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=export-download]").click()
    sheet = load_workbook(wait_for_xlsx(downloads)).active
    assert sheet["A1"].value == "广东省优质中小企业推荐汇总表"
    names = {sheet.cell(row=r, column=2).value for r in range(5, sheet.max_row)}
    assert names == {"广州甲创新有限公司", "广州乙创新有限公司"}
    assert sheet.cell(row=sheet.max_row, column=1).value == "合计"
