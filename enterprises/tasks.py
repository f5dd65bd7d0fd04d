"""The enterprise calendar's tasks (beat schedule in portal/celery.py): thin, one service each.

acks_late + reject_on_worker_lost: a worker killed mid-job leaves the job on the queue and it
runs again; the messages' unique key makes the second run send only what the first did not.
"""

from __future__ import annotations

from celery import shared_task

from common.jobs import job_date

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def recognition_expiry_remind(today: str | None = None) -> dict[str, int]:
    return services.recognition_expiry_remind(today=job_date(today))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def info_update_remind(today: str | None = None) -> dict[str, int]:
    return services.info_update_remind(today=job_date(today))

