"""The self-assessment end to end: a manufacturer saves halfway, comes back, finishes and sees
its level and chart; a wholesaler (批发业) gets the 生产性服务业 questionnaire."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from assessment.models import Attempt, Category, Questionnaire
from enterprises.models import Industry
from enterprises.services import enterprise_for_account
from tests.browser.conftest import click, click_through, screenshot
from tests.browser.test_enterprise_profile import login
from tests.conftest import enterprise
from tests.enterprises.conftest import complete

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def answer(driver, questions) -> None:
    for q in questions:
        if q.multiple:
            for o in q.options:
                if not o.exclusive:
                    click(driver, By.ID, f"o-{o.id}")
        else:
            click(driver, By.ID, f"o-{max(q.options, key=lambda o: o.points).id}")


def go(driver, testid: str, step: int) -> None:
    """Press a navigation button and wait for the page of `step`."""
    click_through(driver, By.CSS_SELECTOR, f"[data-testid={testid}]")
    assert driver.find_element(By.CSS_SELECTOR, f"input[name=step][value='{step}']")


def wait_saved(driver) -> None:
    WebDriverWait(driver, 5).until(
        EC.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-save-state]"), "已自动保存"))


def test_a_manufacturer_saves_halfway_comes_back_finishes_and_sees_its_level(browser, live_server):
    user = enterprise("mfg", "440106", 801, "广州精工制造有限公司")
    complete(enterprise_for_account(user=user), 2025)
    definition = Questionnaire.objects.get(category=Category.MANUFACTURING, is_active=True).definition
    login(browser, live_server.url, "mfg")
    browser.get(f"{live_server.url}/enterprise/")
    click_through(browser, By.CSS_SELECTOR, "[data-testid=assessment-start]")
    assert "门类C（制造业）" in browser.find_element(By.CSS_SELECTOR, "[data-testid=match-reason]").text
    click_through(browser, By.CSS_SELECTOR, "[data-testid=start]")
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "assessment-form")))

    # Step 1 数字化基础: the device counts pick the band (computed on the server).
    basics = definition.dimensions[0].questions
    answer(browser, [q for q in basics if not q.rate])
    digital, networked = [q for q in basics if q.rate]
    for name, value in ((f"f-{digital.id}-total_devices", "10"), (f"f-{digital.id}-digital_devices", "7"),
                        (f"f-{networked.id}-networked_devices", "5")):
        browser.find_element(By.NAME, name).send_keys(value)
    click(browser, By.NAME, f"f-{digital.id}-total_devices")  # blur: the change event saves
    wait_saved(browser)
    go(browser, "next", 1)

    # Step 2 数字化管理: two of four questions, saved as they are clicked; then leave.
    management = definition.dimensions[1].questions
    answer(browser, management[:2])
    wait_saved(browser)
    WebDriverWait(browser, 5).until(lambda _: all(
        (Attempt.objects.get().answers.get(q.id) or {}).get("options") for q in management[:2]))
    screenshot(browser, "assessment-halfway")
    browser.get(f"{live_server.url}/enterprise/")

    # Coming back resumes at step 2 with both answers.
    click_through(browser, By.CSS_SELECTOR, "[data-testid=assessment-start]")
    click_through(browser, By.CSS_SELECTOR, "[data-testid=resume]")
    WebDriverWait(browser, 10).until(EC.presence_of_element_located(
        (By.CSS_SELECTOR, "input[name=step][value='1']")))
    for q in management[:2]:
        chosen = [o for o in q.options if browser.find_element(By.ID, f"o-{o.id}").is_selected()]
        assert chosen, q.title
    answer(browser, management[2:])
    go(browser, "next", 2)
    answer(browser, definition.dimensions[2].questions)
    go(browser, "next", 3)
    # 数字化经营: every scenario at 三级.
    for scene in definition.scenes:
        click(browser, By.ID, f"s-{scene.id}-3")
    go(browser, "next", 4)
    screenshot(browser, "assessment-confirm")
    click(browser, By.CSS_SELECTOR, "[data-testid=pledge]")
    click_through(browser, By.CSS_SELECTOR, "[data-testid=submit]", confirm=True)
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-testid=level]")))
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=level]").text == "三级"
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=total]").text == "98.50"  # 联网率 50% → 4.5 of 6
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=dimension-chart]").is_displayed()
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=dimension-chart] rect")) == 6
    screenshot(browser, "assessment-result")
    attempt = Attempt.objects.get()
    assert attempt.answers[digital.id]["options"] == [digital.options[4].id]  # 70% → (60%,100%]
    browser.get(f"{live_server.url}/enterprise/")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=assessment-level]").text == "三级"
    screenshot(browser, "assessment-home-card")


def test_a_wholesaler_gets_the_producer_services_questionnaire(browser, live_server):
    user = enterprise("wholesale", "440106", 802, "广州机械批发有限公司")
    company = complete(enterprise_for_account(user=user), 2025)
    company.industry = Industry.objects.get(code="5171")
    company.save()
    login(browser, live_server.url, "wholesale")
    browser.get(f"{live_server.url}/assessment/")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=category]").text == "生产性服务业"
    reason = browser.find_element(By.CSS_SELECTOR, "[data-testid=match-reason]").text
    assert "5171 农业机械批发" in reason and "批发与贸易经纪代理服务" in reason
    assert "派生" in browser.page_source
    screenshot(browser, "assessment-wholesaler")
    click_through(browser, By.CSS_SELECTOR, "[data-testid=start]")
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "assessment-form")))
    assert "生产性服务业（派生）" in browser.find_element(By.TAG_NAME, "h1").text
    assert "设备数字化" not in browser.page_source
    assert Attempt.objects.get().category == Category.PRODUCER_SERVICES
