"""Officials: messages and SMS records of their region, read-only; the 申报提醒 broadcast."""

import uuid

import pytest

from messaging.models import Broadcast, Message
from messaging.services import broadcast_send
from portal.accounts.models import SmsMessage
from portal.accounts.sms import send_sms
from tests.messaging.conftest import send

pytestmark = pytest.mark.django_db

LIST = "/admin/messaging/message/"
BROADCAST = "/admin/messaging/message/broadcast/"


def test_an_official_sees_the_messages_of_their_region_only(client, gz_city, ent_tianhe, ent_nanjing):
    ours = send(ent_tianhe, title="天河的消息")
    theirs = send(ent_nanjing, title="南京的消息")
    client.force_login(gz_city)
    body = client.get(LIST).content.decode()
    assert "天河的消息" in body and "南京的消息" not in body
    assert client.get(f"{LIST}{ours.pk}/change/").status_code == 200
    assert client.get(f"{LIST}{theirs.pk}/change/").status_code == 404


def test_messages_are_read_only_in_the_admin(client, gd_province, ent_tianhe):
    message = send(ent_tianhe, title="原标题")
    client.force_login(gd_province)
    assert client.get(f"{LIST}add/").status_code == 403
    client.post(f"{LIST}{message.pk}/change/", {"title": "改过的标题"})
    client.post(f"{LIST}{message.pk}/delete/", {"post": "yes"})
    message.refresh_from_db()
    assert message.title == "原标题"


def test_sms_records_are_visible_read_only_and_scoped(client, gz_city, ent_tianhe, ent_nanjing):
    ours = send_sms(to="13800000001", text="天河短信", recipient=ent_tianhe)
    send_sms(to="13800000002", text="南京短信", recipient=ent_nanjing)
    client.force_login(gz_city)
    body = client.get("/admin/accounts/smsmessage/").content.decode()
    assert "天河短信" in body and "南京短信" not in body
    client.post(f"/admin/accounts/smsmessage/{ours.pk}/change/", {"text": "改"})
    ours.refresh_from_db()
    assert ours.text == "天河短信"
    assert client.get("/admin/accounts/smsmessage/add/").status_code == 403


def test_the_preview_says_how_many_will_receive_it_and_sends_nothing(
        client, gz_city, ent_tianhe, ent_yuexiu, ent_shenzhen, ent_nanjing, person):
    client.force_login(gz_city)
    response = client.post(BROADCAST, {"title": "2026年创新型申报开始", "body": "请及时申报。",
                                       "preview": "预览"})
    body = response.content.decode()
    # 广州: 天河 and 越秀 enterprises; not 深圳, 南京 nor the natural person.
    assert 'data-testid="broadcast-count">2<' in body
    assert "2026年创新型申报开始" in body
    assert not Message.objects.exists()


def test_confirming_sends_once_to_the_region_even_when_posted_twice(
        client, gz_city, ent_tianhe, ent_yuexiu, ent_nanjing):
    client.force_login(gz_city)
    data = {"title": "申报提醒", "body": "请及时申报。", "token": str(uuid.uuid4()), "confirm": "1"}
    first = client.post(BROADCAST, data)
    second = client.post(BROADCAST, data)
    assert first.status_code == second.status_code == 302
    assert sorted(Message.objects.values_list("recipient__username", flat=True)) == [
        "ent_tianhe", "ent_yuexiu"]
    assert Message.objects.filter(category="declaration").count() == 2
    broadcast = Broadcast.objects.get()
    assert broadcast.recipients == 2 and broadcast.sender == gz_city


@pytest.mark.parametrize(("field", "value", "error"), [
    ("title", "   ", "请填写标题。"),
    ("body", "", "请填写内容。"),
    ("link", "https://evil.example/", "请填写本站地址（以 / 开头）。"),
    ("link", "//evil.example/", "请填写本站地址（以 / 开头）。"),
])
def test_bad_input_is_an_error_at_the_field_and_sends_nothing(client, gz_city, ent_tianhe,
                                                              field, value, error):
    client.force_login(gz_city)
    data = {"title": "申报提醒", "body": "内容", "link": "", "token": str(uuid.uuid4()),
            "confirm": "1", field: value}
    response = client.post(BROADCAST, data)
    assert response.status_code == 200
    assert error in response.context["form"].errors[field]
    assert not Message.objects.exists() and not Broadcast.objects.exists()


def test_only_officials_may_broadcast(client, ent_tianhe, ent_yuexiu):
    client.force_login(ent_tianhe)
    response = client.post(BROADCAST, {"title": "t", "body": "b", "token": str(uuid.uuid4()),
                                       "confirm": "1"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    with pytest.raises(Exception, match="无权"):
        broadcast_send(by=ent_tianhe, token=uuid.uuid4(), title="t", body="b")
    assert not Message.objects.exists()


def test_a_broadcast_with_sms_records_one_sms_per_enterprise(gz_city, ent_tianhe, ent_yuexiu,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        broadcast_send(by=gz_city, token=uuid.uuid4(), title="申报提醒", body="内容", sms=True)
    assert SmsMessage.objects.count() == 2
    assert set(Message.objects.values_list("copy_status", flat=True)) == {"sent"}
