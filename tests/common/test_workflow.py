"""The one decision mechanism (common/workflow.py) and its users: announcements, information
updates, major changes and phone-change requests (declarations join with the review work)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from announcements import services as announcement_services
from announcements.models import Announcement, Status
from common.models import DecisionEvent
from common.workflow import Step, Workflow, decide, events_for, table_rows
from enterprises import services as enterprise_services
from enterprises.models import InfoUpdate, MajorChange
from enterprises.services import enterprise_for_account
from portal.accounts import services as account_services
from portal.accounts.models import PhoneChangeRequest
from tests.enterprises.conftest import complete, recognise

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# -- the table -----------------------------------------------------------------------------------

def test_a_table_with_two_steps_for_one_state_and_action_is_refused():
    with pytest.raises(ValueError, match="two steps"):
        Workflow("x", [Step("a", "go", "b", "前进", "official"),
                       Step("a", "go", "c", "前进", "official")])


def test_an_action_not_open_from_the_state_names_the_state_and_the_action_in_chinese():
    flow = enterprise_services.CHANGE_WORKFLOW
    with pytest.raises(ValidationError) as info:
        flow.step("approved", "return")
    assert "已通过" in info.value.messages[0] and "退回企业修改" in info.value.messages[0]


def test_the_steps_open_to_officials_from_a_state_follow_the_table_order():
    flow = enterprise_services.CHANGE_WORKFLOW
    assert [s.action for s in flow.available("submitted", ["official"])] == [
        "approve", "return", "reject"]
    assert flow.available("submitted", ["enterprise"]) == []
    assert [s.action for s in flow.available("returned", ["enterprise"])] == ["submit"]


def test_the_table_reads_as_rows_of_labels():
    rows = table_rows(enterprise_services.INFO_UPDATE_WORKFLOW)
    assert ("已提交", "退回", "已退回", "official", "必填") in rows


# -- the users -----------------------------------------------------------------------------------

@pytest.fixture
def change(ent_tianhe):
    company = complete(enterprise_for_account(user=ent_tianhe), 2025)
    draft = enterprise_services.change_save(
        enterprise=company, by=ent_tianhe,
        data={"change_type": "rename", "changed_on": dt.date(2026, 5, 20), "before": "旧名",
              "after": "新名", "reason": "品牌升级", "new_name": "广州天河智造有限公司",
              "new_region": None},
        files=[SimpleUploadedFile("决议.pdf", PDF)])
    return enterprise_services.change_submit(change=draft, by=ent_tianhe)


def test_every_step_of_a_major_change_leaves_an_event_with_who_level_and_opinion(
        change, ent_tianhe, tianhe_county):
    enterprise_services.change_return(change=change, by=tianhe_county, opinion="请补充股东会决议")
    enterprise_services.change_submit(change=change, by=ent_tianhe)
    enterprise_services.change_approve(change=change, by=tianhe_county, still_meets=True)
    rows = [(e.action, e.from_state, e.to_state, e.by, e.by_level, e.opinion)
            for e in events_for(change)]
    assert rows == [
        ("submit", "draft", "submitted", ent_tianhe, "enterprise", ""),
        ("return", "submitted", "returned", tianhe_county, "county", "请补充股东会决议"),
        ("submit", "returned", "submitted", ent_tianhe, "enterprise", ""),
        ("approve", "submitted", "approved", tianhe_county, "county", ""),
    ]


def test_a_returns_opinion_is_never_overwritten_by_a_later_decision(change, ent_tianhe, tianhe_county):
    enterprise_services.change_return(change=change, by=tianhe_county, opinion="请补充股东会决议")
    enterprise_services.change_submit(change=change, by=ent_tianhe)
    enterprise_services.change_approve(change=change, by=tianhe_county, still_meets=True,
                                        opinion="同意")
    assert MajorChange.objects.get().opinion == "同意"
    assert events_for(change).get(action="return").opinion == "请补充股东会决议"


def test_an_official_acting_on_a_stale_copy_is_told_and_nothing_happens_twice(change, tianhe_county, gz_city):
    stale = MajorChange.objects.get(pk=change.pk)  # both officials opened the same page
    enterprise_services.change_approve(change=change, by=tianhe_county, still_meets=True)
    with pytest.raises(ValidationError, match="可能已被他人处理"):
        enterprise_services.change_reject(change=stale, by=gz_city, opinion="不符合")
    assert MajorChange.objects.get().status == "approved"
    assert DecisionEvent.objects.filter(action__in=["approve", "reject"]).count() == 1


def test_an_official_outside_the_region_is_refused_by_the_service_itself(change, yuexiu_county, js_province):
    for outsider in (yuexiu_county, js_province):
        with pytest.raises(PermissionDenied):
            enterprise_services.change_approve(change=change, by=outsider, still_meets=True)
    assert MajorChange.objects.get().status == "submitted"
    assert not events_for(change).filter(action="approve").exists()


def test_a_refusal_without_an_opinion_changes_nothing(change, tianhe_county):
    with pytest.raises(ValidationError) as info:
        enterprise_services.change_reject(change=change, by=tianhe_county, opinion="  ")
    assert "opinion" in info.value.message_dict
    assert MajorChange.objects.get().status == "submitted"
    assert events_for(change).count() == 1  # the submission only


def test_another_enterprise_cannot_submit_the_change(change, ent_tianhe, ent_yuexiu, tianhe_county):
    change = enterprise_services.change_return(change=change, by=tianhe_county, opinion="补充材料")
    with pytest.raises(PermissionDenied):
        enterprise_services.change_submit(change=change, by=ent_yuexiu)
    assert MajorChange.objects.get().status == "returned"


def test_an_information_update_is_submitted_returned_and_resubmitted_with_its_events(ent_tianhe, tianhe_county):
    company = complete(enterprise_for_account(user=ent_tianhe), 2025)
    recognise(company)
    with time_machine.travel(dt.datetime(2026, 4, 10, 10, tzinfo=CST), tick=False):
        update = enterprise_services.info_update_submit(
            enterprise=company, by=ent_tianhe, data={"address": "新址1号"}, figures={})
        enterprise_services.info_update_return(info_update=update, by=tianhe_county, opinion="口径有误")
        enterprise_services.info_update_submit(
            enterprise=company, by=ent_tianhe, data={"address": "新址2号"}, figures={})
    assert InfoUpdate.objects.get().status == "submitted"
    assert [(e.action, e.to_state, e.opinion) for e in events_for(update)] == [
        ("submit", "submitted", ""), ("return", "returned", "口径有误"),
        ("resubmit", "submitted", "")]


def test_a_phone_change_request_records_its_filing_and_its_decision(ent_tianhe, tianhe_county, yuexiu_county):
    request = account_services.phone_change_request_create(
        user=ent_tianhe, new_mobile="13788889999", applicant_name="张三", reason="原号码停用",
        letter=SimpleUploadedFile("授权书.pdf", PDF))
    with pytest.raises(PermissionDenied):
        account_services.phone_change_request_reject(phone_request=request, by=yuexiu_county,
                                                     opinion="无权")
    account_services.phone_change_request_reject(phone_request=request, by=tianhe_county,
                                                 opinion="授权书未盖章")
    assert PhoneChangeRequest.objects.get().status == "rejected"
    assert [(e.action, e.by_level, e.opinion) for e in events_for(request)] == [
        ("submit", "enterprise", ""), ("reject", "county", "授权书未盖章")]


def test_an_announcement_is_published_withdrawn_and_published_again_through_the_table(gd_province):
    draft = announcement_services.announcement_save(by=gd_province, title="广东省通知",
                                                    body="<p>正文</p>", kind="notice")
    announcement_services.announcement_publish(announcement=draft, by=gd_province)
    announcement_services.announcement_withdraw(announcement=draft, by=gd_province)
    announcement_services.announcement_publish(announcement=draft, by=gd_province)
    assert Announcement.objects.get().status == Status.PUBLISHED
    assert [(e.action_label, e.by_level) for e in events_for(draft)] == [
        ("发布", "province"), ("撤回", "province"), ("重新发布", "province")]


def test_decide_saves_only_the_status_and_the_fields_the_workflow_names(change, tianhe_county):
    change.reason = "在内存中改动，不应写入"
    decide(workflow=enterprise_services.CHANGE_WORKFLOW, subject=change, action="approve",
           by=tianhe_county)
    assert MajorChange.objects.get().reason == "品牌升级"


# -- the admin form ------------------------------------------------------------------------------

def test_the_admin_shows_the_timeline_and_a_decided_change_is_read_only(client, change, tianhe_county):
    enterprise_services.change_return(change=change, by=tianhe_county, opinion="请补充股东会决议")
    client.force_login(tianhe_county)
    url = f"/admin/enterprises/majorchange/{change.pk}/change/"
    page = client.get(url).content.decode()
    assert "办理记录" in page and "请补充股东会决议" in page and "县级" in page
    assert 'name="decision"' not in page  # returned: nothing for an official to decide
    client.post(url, {"decision": "approve", "opinion": ""})
    assert MajorChange.objects.get().status == "returned"


def test_a_decision_refused_by_the_service_shows_the_reason_and_no_success(client, change, tianhe_county):
    client.force_login(tianhe_county)
    url = f"/admin/enterprises/majorchange/{change.pk}/change/"
    MajorChange.objects.filter(pk=change.pk).update(status="approved")  # decided meanwhile
    response = client.post(url, {"decision": "reject", "opinion": "不符合"}, follow=True)
    text = response.content.decode()
    assert "成功修改" not in text
    assert MajorChange.objects.get().status == "approved"
