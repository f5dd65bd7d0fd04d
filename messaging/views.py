"""我的消息 (/enterprise/messages/): five tabs, a message, 全部已读."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from common.pagecache import account_page
from portal.accounts.decorators import enterprise_required

from . import selectors, services
from .models import Category

PAGE_SIZE = 20


def _category(request: HttpRequest) -> str:
    value = request.GET.get("category", "") or request.POST.get("category", "")
    return value if value in Category.values else ""


@enterprise_required
@account_page
def inbox(request: HttpRequest) -> HttpResponse:
    category = _category(request)
    page = Paginator(selectors.inbox(request.user, category), PAGE_SIZE).get_page(
        request.GET.get("page"))
    unread = selectors.unread_by_category(request.user)
    tabs = [("", "全部", sum(unread.values()))] + [
        (value, label, unread[value]) for value, label in Category.choices]
    return render(request, "messaging/inbox.html", {
        "page": page, "category": category, "tabs": tabs,
    })


@enterprise_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.get_message_for_user(request.user, pk)
    services.message_read(message=message)
    return render(request, "messaging/detail.html", {"message": message})


@enterprise_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    category = _category(request)
    count = services.messages_read_all(recipient=request.user, category=category)
    flash.success(request, f"已将{count}条消息标记为已读。" if count else "没有未读消息。")
    url = reverse("messaging:inbox")
    return redirect(f"{url}?category={category}" if category else url)
