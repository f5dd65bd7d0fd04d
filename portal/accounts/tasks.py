"""Accounts' own task: keep the captcha pool full (thin: one service call)."""

from __future__ import annotations

from celery import shared_task

from .captchas import captcha_pool_refill


@shared_task(acks_late=True, reject_on_worker_lost=True)
def captcha_pool_refill_task() -> int:
    return captcha_pool_refill()
