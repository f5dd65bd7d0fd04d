"""Reads of 我的消息: the inbox, the unread counts (cached for the header), access helper."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from portal.accounts.models import User
from portal.accounts.scoping import for_user

from .models import Category, Message

# The header shows the unread count on every page: it is cached per account and forgotten
# whenever a message is sent to or read by that account (services.py).
UNREAD_TTL = 24 * 60 * 60


def unread_key(user_id: int) -> str:
    return f"messaging:unread:{user_id}"


def unread_count(user: Any) -> int:
    """The account's unread messages, from the cache when it holds them."""
    key = unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Message.objects.filter(recipient_id=user.pk).unread().count()
        cache.set(key, count, UNREAD_TTL)
    return count


def inbox(user: Any, category: str = "") -> QuerySet[Message]:
    messages = Message.objects.filter(recipient_id=user.pk)
    if category:
        messages = messages.filter(category=category)
    return messages.order_by("-created_at", "-id")


def unread_by_category(user: Any) -> dict[str, int]:
    """Unread count per tab (one query), every category present."""
    counts = dict.fromkeys(Category.values, 0)
    rows = (Message.objects.filter(recipient_id=user.pk).unread()
            .values("category").annotate(n=Count("id")))
    for row in rows:
        counts[row["category"]] = row["n"]
    return counts


def latest(user: Any, limit: int = 5) -> list[Message]:
    return list(inbox(user)[:limit])


def get_message_for_user(user: Any, pk: int) -> Message:
    """The account's own message, or 404 (another account's message does not exist for it)."""
    message = Message.objects.filter(pk=pk, recipient_id=user.pk).first()
    if message is None:
        raise Http404("消息不存在。")
    return message


def broadcast_recipients(by: User) -> QuerySet[User]:
    """The enterprise accounts (法人账户) in the official's region — who a broadcast reaches."""
    accounts = User.objects.filter(kind=User.Kind.ENTERPRISE, is_active=True)
    return for_user(accounts, by, "region").filter(~Q(pk=by.pk))
