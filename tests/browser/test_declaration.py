"""A 专精特新 declaration end to end: refused without an assessment (the reason and its link),
the assessment taken, the form filled over two visits (logged out between), the live score
changing after an autosave, a GBK-named zip accepted and one with an illegal name refused
(named), submitted with the pledge, landing on the detail, the 申报书 PDF downloaded."""

import subprocess
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from common.tiers import Tier
from declarations import building
from declarations.models import Declaration
from tests.assessment.conftest import submitted
from tests.browser.conftest import click, click_through, screenshot
from tests.browser.test_enterprise_profile import login
from tests.common.zips import PDF, gbk_zip, zip_bytes
from tests.conftest import enterprise
from tests.declarations.conftest import open_window, ready
from tests.declarations.test_views import FEATURES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def type_in(driver, name: str, value: str) -> None:
    """Type into a text input and leave it (the change event autosaves its section)."""
    field = driver.find_element(By.NAME, name)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", field)
    field.clear()
    field.send_keys(value, Keys.TAB)


def choose(driver, name: str, value: str) -> None:
    field = driver.find_element(By.NAME, name)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", field)
    Select(field).select_by_value(value)


def wait_saved(driver, section: str) -> None:
    WebDriverWait(driver, 10).until(EC.text_to_be_present_in_element(
        (By.CSS_SELECTOR, f"#section-{section} [data-save-state]"), "已自动保存"))


def total(driver) -> str:
    return driver.find_element(By.CSS_SELECTOR, "#declaration-preview [data-testid=score-total]").text


def wait_for_file(folder, name: str, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        target = folder / name
        if target.exists() and target.stat().st_size and not list(folder.glob("*.crdownload")):
            return target
        time.sleep(0.1)
    raise AssertionError(f"{name} not downloaded; found {list(folder.iterdir())}")


def test_an_enterprise_declares_specialized_over_two_visits(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Browser.setDownloadBehavior",
                            {"behavior": "allow", "downloadPath": str(downloads)})
    user = enterprise("zjtx", "440106", 811, "广州专精装备有限公司")
    company = ready(user)
    open_window("440000", Tier.SPECIALIZED, features=FEATURES)
    login(browser, live_server.url, "zjtx")

    # The home page's dialog leads here with the tier preselected: refused without an assessment.
    browser.get(f"{live_server.url}/enterprise/declarations/?tier=specialized&region=440000")
    card = browser.find_element(By.CSS_SELECTOR, "[data-testid=tier-specialized]")
    assert "申报专精特新中小企业须先完成数字化水平评测" in card.text
    link = card.find_element(By.CSS_SELECTOR, "[data-testid=fix-link]")
    assert link.text == "去自评" and link.get_attribute("href").endswith("/assessment/")
    screenshot(browser, "declaration-refused")

    # The assessment is taken (tests/browser/test_assessment.py clicks through it).
    submitted(company, level=3)
    browser.refresh()
    click_through(browser, By.CSS_SELECTOR, "[data-testid=tier-specialized] [data-testid=start]")
    assert "/edit/" in browser.current_url
    assert "三级" in browser.find_element(By.CSS_SELECTOR, "[data-testid=digital-level]").text

    # First visit: 知识产权 and part of 专业化与精细化, each saved as it is typed.
    for name, value in (("ip-high_value_class1", "1"), ("ip-self_developed_class1", "2"),
                        ("ip-class1", "3"), ("ip-class2", "4")):
        type_in(browser, name, value)
    wait_saved(browser, "ip")
    choose(browser, "specialization-product_field", "other")
    wait_saved(browser, "specialization")
    # A bad value is a Chinese error at the field and nothing of it is saved.
    type_in(browser, "ip-class2", "-4")
    WebDriverWait(browser, 10).until(EC.text_to_be_present_in_element(
        (By.CSS_SELECTOR, "[data-error-for='ip-class2']"), "数量不能为负数"))
    type_in(browser, "ip-class2", "4")
    wait_saved(browser, "ip")
    WebDriverWait(browser, 10).until(
        lambda _: Declaration.objects.get().form_data.get("ip", {}).get("class2") == 4)
    screenshot(browser, "declaration-first-visit")
    click_through(browser, By.XPATH, "//button[text()='退出登录']")

    # Second visit, a new session: everything typed is there.
    login(browser, live_server.url, "zjtx")
    browser.get(f"{live_server.url}/enterprise/declarations/")
    click_through(browser, By.CSS_SELECTOR, "[data-testid=tier-specialized] [data-testid=continue]")
    assert browser.find_element(By.NAME, "ip-class1").get_attribute("value") == "3"
    assert Select(browser.find_element(By.NAME, "specialization-product_field")) \
        .first_selected_option.get_attribute("value") == "other"
    click(browser, By.CSS_SELECTOR, "input[name='specialization-quality_items'][value='qms_certified']")
    wait_saved(browser, "specialization")
    choose(browser, "innovation-rd_institution", "municipal")
    wait_saved(browser, "innovation")

    # The live score follows an autosave: a 35% export share earns the 特色化 band of 10 points.
    WebDriverWait(browser, 10).until(
        lambda _: Declaration.objects.get().form_data.get("innovation", {}).get("rd_institution"))
    before = building.evaluate(Declaration.objects.get()).total
    WebDriverWait(browser, 10).until(lambda driver: total(driver) == str(before))
    type_in(browser, "features-export", "35")
    choose(browser, "features-chain", "否")
    wait_saved(browser, "features")
    WebDriverWait(browser, 10).until(lambda driver: total(driver) == str(before + 10))
    WebDriverWait(browser, 10).until(EC.presence_of_element_located(
        (By.CSS_SELECTOR, "#declaration-preview [data-testid=complete]")))
    screenshot(browser, "declaration-live-score")

    # Evidence: a zip made on a Chinese Windows PC (GBK names, no UTF-8 flag) is accepted with
    # its names right; one with a name that climbs out of its folder is refused, named.
    good = tmp_path / "佐证材料.zip"
    good.write_bytes(gbk_zip([("营业执照.pdf", PDF), ("知识产权证书.pdf", PDF)]))
    bad = tmp_path / "非法路径.zip"
    bad.write_bytes(zip_bytes([("../逃逸.pdf", PDF)]))
    browser.find_element(By.ID, "evidence-files").send_keys(str(good))
    click_through(browser, By.CSS_SELECTOR, "[data-testid=evidence-form] button[type=submit]")
    entries = browser.find_element(By.CSS_SELECTOR, "[data-testid=evidence-entries]").get_attribute(
        "textContent")  # inside a collapsed <details>
    assert "营业执照.pdf" in entries and "知识产权证书.pdf" in entries
    browser.find_element(By.ID, "evidence-files").send_keys(str(bad))
    click_through(browser, By.CSS_SELECTOR, "[data-testid=evidence-form] button[type=submit]")
    assert "非法路径.zip" in browser.page_source and "../逃逸.pdf" in browser.page_source
    assert Declaration.objects.get().evidence.count() == 1
    screenshot(browser, "declaration-evidence")

    click(browser, By.ID, "id_pledge")
    click_through(browser, By.CSS_SELECTOR, "[data-testid=submit]", confirm=True)
    assert "/edit/" not in browser.current_url
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=status]").text == "县级审核中"
    assert "申报已提交，当前由县级审核" in browser.page_source
    declaration = Declaration.objects.get()
    assert declaration.status == "at_county" and declaration.assessment["level"] == 3
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=verification-code]").text == \
        declaration.verification_code
    screenshot(browser, "declaration-detail")

    # 申报书: the PDF carries the number and the verification code.
    click(browser, By.CSS_SELECTOR, "[data-testid=download]")
    pdf = wait_for_file(downloads, f"申报书-{declaration.number}.pdf")
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert declaration.number in text and declaration.verification_code in text
    assert "广州专精装备有限公司" in text


def test_the_declaration_pages_have_no_wcag_violation(browser, live_server):
    from declarations import services
    from tests.browser.test_accessibility import report, violations

    user = enterprise("a11ydecl", "440106", 952, "广州无障碍申报有限公司")
    company = ready(user)
    open_window("440000", Tier.SPECIALIZED, features=FEATURES)
    open_window("440000", Tier.INNOVATIVE)
    submitted(company, level=2)
    draft = services.declaration_start(enterprise=company, by=user, tier=Tier.SPECIALIZED)
    filed = services.declaration_start(enterprise=company, by=user, tier=Tier.INNOVATIVE)
    services.declaration_save_section(declaration=filed, by=user, section="ip", data={
        "high_value_class1": 1, "self_developed_class1": 2, "class1": 3, "class2": 4})
    services.declaration_save_section(declaration=filed, by=user, section="innovation", data={
        "strategic_emerging_product": True, "honors": [], "rd_institution": "municipal",
        "awards": [{"level": "provincial", "rank": 1}]})
    services.declaration_submit(declaration=filed, by=user, pledge=True)
    login(browser, live_server.url, "a11ydecl")
    base = "/enterprise/declarations/"
    pages = [base, f"{base}?tier=giant&region=440300", f"{base}{draft.public_id}/edit/",
             f"{base}{filed.public_id}/"]
    found = {url: v for url in pages if (v := violations(browser, live_server.url + url))}
    assert not found, report(found)
