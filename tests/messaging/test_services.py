"""message_send: once per key, dry runs, copies after commit with failures on the row."""

import pytest
from django.core import mail

from messaging import services
from messaging.models import Category, CopyStatus, Message
from messaging.services import Outgoing, message_send
from portal.accounts.models import SmsMessage
from tests.messaging.conftest import send

pytestmark = pytest.mark.django_db


def outgoing(*users, subject="window:1", period=""):
    return [Outgoing(recipient_id=u.pk, title="申报已开始", body="内容", subject=subject,
                     period=period) for u in users]


def test_the_same_key_twice_sends_one_message(ent_tianhe, ent_yuexiu):
    first = message_send(category=Category.DECLARATION, kind="window-open",
                         outgoing=outgoing(ent_tianhe, ent_yuexiu))
    again = message_send(category=Category.DECLARATION, kind="window-open",
                         outgoing=outgoing(ent_tianhe, ent_yuexiu, ent_tianhe))
    assert (first, again) == (2, 0)
    assert Message.objects.count() == 2


def test_another_period_or_subject_is_a_new_message(ent_tianhe):
    message_send(category=Category.EXPIRY, kind="expiry-30", outgoing=outgoing(ent_tianhe, period="2027-05-31"))
    message_send(category=Category.EXPIRY, kind="expiry-30", outgoing=outgoing(ent_tianhe, period="2030-05-31"))
    message_send(category=Category.EXPIRY, kind="expiry-30", outgoing=outgoing(ent_tianhe, subject="window:2"))
    assert Message.objects.filter(recipient=ent_tianhe).count() == 3


def test_a_dry_run_counts_and_writes_nothing(ent_tianhe, ent_yuexiu):
    send(ent_tianhe, kind="window-open", subject="window:1")
    count = message_send(category=Category.DECLARATION, kind="window-open", dry_run=True,
                         outgoing=outgoing(ent_tianhe, ent_yuexiu))
    assert count == 1
    assert Message.objects.count() == 1


def test_an_unknown_category_is_refused(ent_tianhe):
    with pytest.raises(ValueError):
        message_send(category="spam", kind="x", outgoing=outgoing(ent_tianhe))


def test_copies_go_out_after_commit(ent_tianhe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = send(ent_tianhe, email=True, sms=True)
    assert message.copy_status == CopyStatus.PENDING
    assert mail.outbox == [] and not SmsMessage.objects.exists()
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.copy_status == CopyStatus.SENT
    assert mail.outbox[0].to == ["ent_tianhe@example.cn"] and "测试消息" in mail.outbox[0].subject
    sms = SmsMessage.objects.get()
    assert sms.to == "13800000000" and sms.recipient == ent_tianhe


def test_a_failed_copy_is_stored_on_the_message_and_never_raised(ent_tianhe, settings,
                                                                 django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.messaging.test_services.BrokenMail"
    with django_capture_on_commit_callbacks(execute=True):
        message = send(ent_tianhe, email=True)
    message.refresh_from_db()
    assert message.copy_status == CopyStatus.FAILED
    assert "邮件" in message.copy_error and "mail server down" in message.copy_error


def test_a_copy_is_claimed_once(ent_tianhe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        send(ent_tianhe, email=True)
    assert services.deliver_copies() == 1
    assert services.deliver_copies() == 0
    assert len(mail.outbox) == 1


class BrokenMail:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")
