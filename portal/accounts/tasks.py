"""Accounts' calendar tasks (beat schedule in portal/celery.py): thin, one service each."""

from __future__ import annotations

from celery import shared_task

from common.jobs import job_date

from . import services
from .captchas import captcha_pool_refill


@shared_task(acks_late=True, reject_on_worker_lost=True)
def inactive_accounts_disable(today: str | None = None) -> dict[str, int]:
    # Safe to run twice: an account already deactivated is not touched again.
    return services.inactive_accounts_disable(today=job_date(today))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def captcha_pool_refill_task() -> int:
    return captcha_pool_refill()
