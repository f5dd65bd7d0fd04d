"""Access decorators for enterprise-facing views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

PERSON_CANNOT_DECLARE = (
    "自然人账户不能进行优质中小企业申报。请注册【法人账户】，使用统一社会信用代码完成认证后再申报。"
)


def enterprise_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged-in 法人账户 only; a natural person is told why (manual FAQ 2)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_enterprise:
            return view(request, *args, **kwargs)
        message = PERSON_CANNOT_DECLARE if user.is_person else "管理端账户请从管理端登录办理业务。"
        return render(request, "403.html", {"message": message}, status=403)

    return wrapper
