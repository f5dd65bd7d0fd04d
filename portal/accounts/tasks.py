"""Accounts' calendar task (beat schedule in portal/celery.py): thin, one service."""

from __future__ import annotations

from celery import shared_task

from common.jobs import job_date

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def inactive_accounts_disable(today: str | None = None) -> dict[str, int]:
    # Safe to run twice: an account already deactivated is not touched again.
    return services.inactive_accounts_disable(today=job_date(today))
