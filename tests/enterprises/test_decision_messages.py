"""Decisions tell the enterprise: a major change approved / returned / rejected, an information
update returned, a phone change decided — one message per decision, an e-mail copy after commit."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from enterprises import services
from enterprises.models import InfoUpdate
from messaging.models import Message
from portal.accounts.models import PhoneChangeRequest
from portal.accounts.services import phone_change_request_approve, phone_change_request_reject
from tests.enterprises.conftest import complete, recognise

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def frozen(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(dt.datetime(2026, 3, 15, 10, tzinfo=CST), tick=False):
        yield


def submitted_change(enterprise, by):
    change = services.change_save(enterprise=enterprise, by=by, files=[SimpleUploadedFile("a.pdf", PDF)], data={
        "change_type": "rename", "changed_on": dt.date(2026, 3, 1), "before": "旧名", "after": "新名",
        "reason": "品牌升级", "new_name": "广州天河智造有限公司", "new_region": None})
    return services.change_submit(change=change, by=by)


@pytest.mark.parametrize(("decide", "words"), [
    (lambda c, by: services.change_approve(change=c, by=by, still_meets=True), "已通过审核"),
    (lambda c, by: services.change_return(change=c, by=by, opinion="请补充营业执照"), "已被退回"),
    (lambda c, by: services.change_reject(change=c, by=by, opinion="不符合条件"), "未通过审核"),
])
def test_a_decided_major_change_sends_one_message_with_an_email_copy(
        ent_tianhe, tianhe_county, tianhe_enterprise, decide, words, django_capture_on_commit_callbacks):
    change = submitted_change(complete(tianhe_enterprise, 2025), ent_tianhe)
    with django_capture_on_commit_callbacks(execute=True):
        decide(change, tianhe_county)
    message = Message.objects.get(recipient=ent_tianhe)
    assert message.category == "recognition" and words in message.title
    assert message.link == f"/enterprise/changes/{change.public_id}/"
    change.refresh_from_db()
    assert change.opinion in message.body
    assert message.copy_status == "sent" and words in mail.outbox[-1].subject


def test_a_change_returned_twice_gets_two_messages(ent_tianhe, tianhe_county, tianhe_enterprise):
    change = submitted_change(complete(tianhe_enterprise, 2025), ent_tianhe)
    services.change_return(change=change, by=tianhe_county, opinion="第一次退回")
    services.change_submit(change=change, by=ent_tianhe)
    services.change_return(change=change, by=tianhe_county, opinion="第二次退回")
    bodies = list(Message.objects.order_by("id").values_list("body", flat=True))
    assert len(bodies) == 2 and "第一次退回" in bodies[0] and "第二次退回" in bodies[1]


def test_a_refused_decision_sends_nothing(ent_tianhe, yuexiu_county, tianhe_enterprise):
    change = submitted_change(complete(tianhe_enterprise, 2025), ent_tianhe)
    with pytest.raises(Exception, match="无权"):
        services.change_return(change=change, by=yuexiu_county, opinion="越权")
    assert not Message.objects.exists()


def test_a_returned_information_update_tells_the_enterprise(ent_tianhe, tianhe_county, tianhe_enterprise):
    recognise(complete(tianhe_enterprise, 2025))
    update = services.info_update_submit(enterprise=tianhe_enterprise, by=ent_tianhe,
                                         data={"employees": 130}, figures={})
    services.info_update_return(info_update=update, by=tianhe_county, opinion="研发人员数有误")
    message = Message.objects.get(recipient=ent_tianhe)
    assert message.category == "info_update" and "2026年信息更新已被退回" in message.title
    assert "研发人员数有误" in message.body and message.link == "/enterprise/profile/update/"
    assert InfoUpdate.objects.get().status == "returned"


def test_a_decided_phone_change_tells_the_account(ent_tianhe, ent_yuexiu, tianhe_county, yuexiu_county):
    letter = SimpleUploadedFile("授权书.pdf", PDF)
    approved = PhoneChangeRequest.objects.create(user=ent_tianhe, new_mobile="13911112222",
                                                 applicant_name="张三", reason="换号", letter=letter)
    refused = PhoneChangeRequest.objects.create(user=ent_yuexiu, new_mobile="13933334444",
                                                applicant_name="李四", reason="换号", letter=letter)
    phone_change_request_approve(phone_request=approved, by=tianhe_county)
    phone_change_request_reject(phone_request=refused, by=yuexiu_county, opinion="授权书不清晰")
    assert "139****2222" in Message.objects.get(recipient=ent_tianhe).title  # never in clear
    assert "授权书不清晰" in Message.objects.get(recipient=ent_yuexiu).body
