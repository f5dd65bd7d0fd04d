"""Every write on messages: send (the one service every app calls), read, broadcast, copies."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from common.jobs import enqueue
from common.pagecache import pages_changed
from portal.accounts.models import SmsMessage, User
from portal.accounts.sms import send_sms

from . import selectors
from .models import Broadcast, Category, CopyStatus, Message

# Rows per INSERT and per look-up of existing keys (below SQLite's bound-parameter limit).
BATCH = 900
SITE_NAME = "优质中小企业梯度培育平台"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to one account. (kind, subject, period) with the recipient is its key."""

    recipient_id: int
    title: str
    body: str
    subject: str
    period: str = ""
    link: str = ""


def _forget_unread(recipient_ids: Iterable[int]) -> None:
    """The accounts' unread badge is counted again, and their pages (which show it) rendered."""
    recipient_ids = set(recipient_ids)
    keys = [selectors.unread_key(pk) for pk in recipient_ids]
    for start in range(0, len(keys), 10_000):
        cache.delete_many(keys[start:start + 10_000])
    pages_changed(recipient_ids)


def message_send(
    *,
    category: str,
    kind: str,
    outgoing: Iterable[Outgoing],
    email: bool = False,
    sms: bool = False,
    sent_by: User | None = None,
    dry_run: bool = False,
) -> int:
    """Send messages of one `kind`; returns how many were new.

    Claim-then-act: a message whose key (recipient, kind, subject, period) exists is skipped,
    and the insert ignores a row another run inserted meanwhile (the unique constraint), so a
    job that runs twice, or on two workers at once, sends each message once. `dry_run` counts
    without writing. An e-mail / SMS copy, when asked for, goes out after commit
    (`deliver_copies`); its failure is stored on the message, never raised here.
    """
    if category not in Category.values:
        raise ValueError(f"unknown message category {category!r}")
    items = list(outgoing)
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    sent_by_id = sent_by.pk if sent_by is not None else None
    copy = str(CopyStatus.PENDING if (email or sms) else CopyStatus.NONE)
    new_total = 0
    sent_to: list[int] = []
    for start in range(0, len(items), BATCH):
        batch = items[start:start + BATCH]
        existing = set(Message.objects.filter(
            kind=kind, recipient_id__in={item.recipient_id for item in batch},
        ).values_list("recipient_id", "subject", "period"))
        seen: set[tuple[int, str, str]] = set()
        rows = []
        for item in batch:
            key = (item.recipient_id, item.subject, item.period)
            if key in existing or key in seen:
                continue
            seen.add(key)
            rows.append((item.recipient_id, category, kind, item.subject, item.period,
                         item.title[:200], item.body, item.link, created_at, sent_by_id, email,
                         sms, copy, ""))
        new_total += len(rows)
        if rows and not dry_run:
            _insert_ignoring_duplicates(rows)
            sent_to.extend(row[0] for row in rows)
    if sent_to:
        transaction.on_commit(lambda: _forget_unread(sent_to))
        if copy:
            from .tasks import deliver_copies

            # The beat entry 消息副本发送 retries pending copies when the broker is down now.
            transaction.on_commit(lambda: enqueue(deliver_copies))
    return new_total


_COLUMNS = ["recipient_id", "category", "kind", "subject", "period", "title", "body", "link",
            "created_at", "sent_by_id", "copy_email", "copy_sms", "copy_status", "copy_error"]


def _insert_ignoring_duplicates(rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT DO NOTHING (PostgreSQL and SQLite ≥ 3.24): the unique key drops a
    row another run inserted meanwhile. Written out because the ORM's bulk_create spends most
    of a large run preparing values field by field (bench/calendar_bench.py)."""
    quote = connection.ops.quote_name
    one = f"({', '.join(['%s'] * len(_COLUMNS))})"
    with connection.cursor() as cursor:
        # 300 rows × 14 values per statement: below SQLite's and PostgreSQL's parameter limits.
        for start in range(0, len(rows), 300):
            chunk = rows[start:start + 300]
            # Only the model's own table and column names go into the text; values are parameters.
            sql = (f"INSERT INTO {quote(Message._meta.db_table)} "  # noqa: S608 - names only, values are parameters  # nosec B608
                   f"({', '.join(quote(c) for c in _COLUMNS)}) "
                   f"VALUES {', '.join([one] * len(chunk))} ON CONFLICT DO NOTHING")
            cursor.execute(sql, [value for row in chunk for value in row])


def message_read(*, message: Message) -> Message:
    """Mark one message read (the first opening counts; opening it again changes nothing)."""
    if message.read_at is None:
        now = timezone.now()
        if Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now):
            message.read_at = now
            _forget_unread([message.recipient_id])
    return message


def messages_read_all(*, recipient: User, category: str = "") -> int:
    """全部已读: every unread message of the account (of one tab when `category` is given)."""
    messages = Message.objects.filter(recipient=recipient).unread()
    if category:
        messages = messages.filter(category=category)
    count = messages.update(read_at=timezone.now())
    _forget_unread([recipient.pk])
    return count


# --- 申报提醒 broadcast --------------------------------------------------------------------------


def broadcast_check(*, by: User, title: str, body: str) -> None:
    if not by.has_perm("messaging.send_broadcast"):
        raise PermissionDenied("您无权群发申报提醒。")
    errors = {}
    if not title.strip():
        errors["title"] = "请填写标题。"
    if not body.strip():
        errors["body"] = "请填写内容。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def broadcast_send(
    *, by: User, token: uuid.UUID, title: str, body: str, link: str = "", sms: bool = False
) -> tuple[Broadcast, bool]:
    """Send a 申报提醒 to every enterprise account in `by`'s region.

    `token` comes from the preview: the first confirmation sends, a repeated one (a double
    click, a second tab) returns the same broadcast and sends nothing. Returns (broadcast, sent).
    """
    broadcast_check(by=by, title=title, body=body)
    broadcast, created = Broadcast.objects.get_or_create(token=token, defaults={
        "sender": by, "title": title.strip(), "body": body.strip(), "link": link.strip(),
        "copy_sms": sms})
    if not created:
        return broadcast, False
    recipient_ids = selectors.broadcast_recipients(by).values_list("pk", flat=True)
    subject = f"broadcast:{broadcast.pk}"
    outgoing = (Outgoing(recipient_id=pk, title=broadcast.title, body=broadcast.body,
                         subject=subject, link=broadcast.link) for pk in recipient_ids.iterator())
    broadcast.recipients = message_send(category=Category.DECLARATION, kind="broadcast",
                                        outgoing=outgoing, sms=sms, sent_by=by)
    broadcast.save(update_fields=["recipients"])
    return broadcast, True


# --- e-mail / SMS copies --------------------------------------------------------------------------


def deliver_copies(*, limit: int = 10_000) -> int:
    """Send the pending copies; returns how many were attempted.

    Each message is claimed first (pending → sending, a conditional UPDATE that only one run
    wins), then sent; the outcome — sent, or failed with the error — is stored on the row. A
    run killed between the claim and the outcome leaves the row "sending": a copy is sent at
    most once, never twice.
    """
    pending = list(Message.objects.filter(copy_status=CopyStatus.PENDING)
                   .values_list("pk", flat=True)[:limit])
    done = 0
    for pk in pending:
        if not Message.objects.filter(pk=pk, copy_status=CopyStatus.PENDING).update(
                copy_status=CopyStatus.SENDING):
            continue
        message = Message.objects.select_related("recipient").get(pk=pk)
        errors = _send_copy(message)
        Message.objects.filter(pk=pk).update(
            copy_status=CopyStatus.FAILED if errors else CopyStatus.SENT,
            copy_error="\n".join(errors)[:2000])
        done += 1
    return done


def _send_copy(message: Message) -> list[str]:
    recipient = message.recipient
    text = f"{message.title}\n\n{message.body}"
    if message.link:
        text += f"\n\n{settings.SITE_URL}{message.link}"
    errors = []
    if message.copy_email:
        if not recipient.email:
            errors.append("邮件：账户未登记邮箱。")
        else:
            try:
                send_mail(f"【{SITE_NAME}】{message.title}", text, settings.DEFAULT_FROM_EMAIL,
                          [recipient.email], fail_silently=False)
            except Exception as exc:  # noqa: BLE001 — any mail error is recorded, not raised
                errors.append(f"邮件：{exc!r}")
    if message.copy_sms:
        if not recipient.mobile:
            errors.append("短信：账户未登记手机号。")
        else:
            sms = send_sms(to=recipient.mobile, text=f"【{SITE_NAME}】{message.title}",
                           recipient=recipient)
            sms.refresh_from_db()
            if sms.status == SmsMessage.Status.FAILED:
                errors.append(f"短信：{sms.error}")
    return errors
