"""Message.region: the recipient's 注册地 kept on the message, by the database, for the
officials' 消息 list, which is scoped by it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enterprises import services as enterprise_services
from enterprises.models import MajorChange
from messaging.models import Message
from portal.regions.models import Region
from tests.messaging.conftest import send

pytestmark = pytest.mark.django_db

LIST = "/admin/messaging/message/"


def region(code):
    return Region.objects.get(code=code)


def test_a_sent_message_carries_its_recipients_region(ent_tianhe, ent_nanjing, person):
    assert send(ent_tianhe).region.code == "440106"
    assert send(ent_nanjing).region.code == "320102"
    assert send(person).region_id == person.region_id


def test_a_message_saved_through_the_model_takes_it_too(ent_yuexiu):
    message = Message.objects.create(recipient=ent_yuexiu, category="declaration", title="t",
                                     body="b", kind="k", subject="s")
    assert message.region.code == "440104"


def test_the_messages_move_with_an_approved_relocation(ent_tianhe, tianhe_county):
    message = send(ent_tianhe, title="搬迁前的消息")
    company = enterprise_services.enterprise_for_account(user=ent_tianhe)
    change = MajorChange.objects.create(
        enterprise=company, change_type="relocation", changed_on=dt.date(2026, 5, 1),
        before="天河", after="越秀", reason="搬迁", new_region=region("440104"),
        status="submitted", review_region=company.region)
    enterprise_services.change_approve(change=change, by=tianhe_county, still_meets=True)
    message.refresh_from_db()
    assert message.region.code == "440104"


def test_the_lists_of_county_and_city_read_the_copy(client, tianhe_county, gz_city, ent_tianhe,
                                                    ent_yuexiu, ent_nanjing):
    send(ent_tianhe, title="天河的消息")
    send(ent_yuexiu, title="越秀的消息")
    send(ent_nanjing, title="南京的消息")
    for official, shown, hidden in ((tianhe_county, "天河的消息", "越秀的消息"),
                                    (gz_city, "越秀的消息", "南京的消息")):
        client.force_login(official)
        with CaptureQueriesContext(connection) as queries:
            body = client.get(LIST).content.decode()
        assert shown in body and hidden not in body
        listed = [q["sql"] for q in queries if 'FROM "messaging_message"' in q["sql"]
                  and "LIMIT" in q["sql"]]
        assert listed and all('"messaging_message"."region_id"' in sql and "accounts_user" not in sql
                              for sql in listed)


def test_no_write_makes_the_copy_differ(ent_tianhe, ent_yuexiu):
    message = send(ent_tianhe, title="天河企业的消息")
    Message.objects.filter(pk=message.pk).update(region=region("440104"))  # by hand
    message.refresh_from_db()
    assert message.region.code == "440106"
    Message.objects.filter(pk=message.pk).update(recipient=ent_yuexiu)
    message.refresh_from_db()
    assert message.region.code == "440104"
    type(ent_yuexiu).objects.filter(pk=ent_yuexiu.pk).update(region=region("320102"))
    message.refresh_from_db()
    assert message.region.code == "320102"
    type(ent_yuexiu).objects.filter(pk=ent_yuexiu.pk).update(region=None)
    message.refresh_from_db()
    assert message.region_id is None
