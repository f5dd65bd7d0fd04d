"""Messages for the personas."""

from __future__ import annotations

from messaging.models import Category, Message
from messaging.services import Outgoing, message_send


def send(user, title="测试消息", category=Category.DECLARATION, kind="test", subject="s",
         period="", **extra) -> Message:
    message_send(category=category, kind=kind, outgoing=[
        Outgoing(recipient_id=user.pk, title=title, body=f"{title}的内容", subject=subject,
                 period=period)], **extra)
    return Message.objects.get(recipient=user, kind=kind, subject=subject, period=period)
