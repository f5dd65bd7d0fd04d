"""Authentication events → SecurityEvent rows (Django's auth signals and django-axes').

Signals are the interface Django and axes offer for these events; every login path (the
enterprise login, the admin login, registration's automatic login) sends them, so none is
missed. A password change is seen on the saved user: Django's `set_password` keeps the new
password on the instance until the save that stores it, whatever form or command made it.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.http import HttpRequest

from .context import current_request
from .services import Event, Result, security_event


def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    security_event(event=Event.LOGIN, request=request, user=user)


def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        security_event(event=Event.LOGOUT, request=request, user=user)


def on_login_failed(sender: Any, credentials: dict, request: HttpRequest | None = None,
                    **kwargs: Any) -> None:
    security_event(event=Event.LOGIN_FAILED, request=request, user=None,
                   username=str(credentials.get("username") or ""), result=Result.FAILURE)


def on_locked_out(sender: Any, request: HttpRequest | None = None, username: str | None = None,
                  ip_address: str | None = None, **kwargs: Any) -> None:
    security_event(event=Event.LOCKOUT, request=request, user=None, username=username or "",
                   result=Result.FAILURE, detail="登录失败次数过多，已锁定")


def on_user_saved(sender: Any, instance: Any, created: bool, raw: bool = False,
                  **kwargs: Any) -> None:
    # AbstractBaseUser.save() clears `_password` only after post_save has run.
    if created or raw or getattr(instance, "_password", None) is None:
        return
    # The actor is whoever is logged in (the owner, or an official for another account); on a
    # reset by e-mail link nobody is, and the account itself is recorded.
    request = current_request.get()
    actor = getattr(request, "user", None)
    if actor is None or not actor.is_authenticated:
        actor = instance
    security_event(event=Event.PASSWORD_CHANGE, request=request, user=actor, obj=instance)


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="audit.login")
    user_logged_out.connect(on_logout, dispatch_uid="audit.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="audit.locked_out")
    post_save.connect(on_user_saved, sender=get_user_model(), dispatch_uid="audit.password")
