"""SMS through a pluggable backend.

`send_sms` stores the message and delivers it after the transaction commits; a delivery failure
is kept on the row, never raised into the request. Development and tests use
`DatabaseSmsBackend`, which only records. A real provider subclasses `BaseSmsBackend` and is named
in the SMS_BACKEND setting.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import SmsMessage, User


class BaseSmsBackend:
    """Send one message; raise on failure (the error is stored on the message)."""

    def send(self, message: SmsMessage) -> None:
        raise NotImplementedError


class DatabaseSmsBackend(BaseSmsBackend):
    """Records only: the SmsMessage row is the message."""

    def send(self, message: SmsMessage) -> None:
        return None


def send_sms(*, to: str, text: str, recipient: User | None = None) -> SmsMessage:
    message = SmsMessage.objects.create(to=to, text=text, recipient=recipient)
    transaction.on_commit(lambda: deliver_sms(message_id=message.pk))
    return message


def deliver_sms(*, message_id: int) -> None:
    # Claim the row first so a second run does not send it twice.
    claimed = SmsMessage.objects.filter(pk=message_id, status=SmsMessage.Status.PENDING).update(
        status=SmsMessage.Status.SENT, sent_at=timezone.now()
    )
    if not claimed:
        return
    message = SmsMessage.objects.get(pk=message_id)
    try:
        import_string(settings.SMS_BACKEND)().send(message)
    except Exception as exc:  # noqa: BLE001 — any provider error is recorded, not raised
        SmsMessage.objects.filter(pk=message_id).update(
            status=SmsMessage.Status.FAILED, error=repr(exc)[:2000], sent_at=None
        )
