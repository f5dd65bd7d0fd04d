"""Messaging's own task: deliver pending e-mail / SMS copies (thin: one service call)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_copies() -> int:
    return services.deliver_copies()
