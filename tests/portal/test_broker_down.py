"""The broker (Redis) down when a request hands work to Celery: the request still succeeds,
what was saved stays saved, and the work is picked up again or the user is told 稍后重试."""

from __future__ import annotations

import socket
import time

import pytest
from django.core import mail
from django.urls import reverse

from common.jobs import enqueue
from common.models import ExportJob
from declarations import exports
from messaging import services as messaging_services
from messaging.models import CopyStatus, Message
from messaging.tasks import deliver_copies
from portal.celery import app
from tests.declarations.test_exports import gd_rows, gd_window  # noqa: F401
from tests.messaging.conftest import send

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.fixture
def broker_down(monkeypatch):
    """Celery through a real Redis URL on which nothing listens (no eager shortcut)."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", f"redis://127.0.0.1:{closed_port()}/0")
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)


def test_enqueue_says_false_instead_of_raising_when_the_broker_is_down(broker_down):
    started = time.monotonic()
    assert enqueue(deliver_copies) is False
    assert time.monotonic() - started < 1.5  # one quick retry, not kombu's default 6 s


def test_enqueue_says_true_when_the_task_is_accepted():
    assert enqueue(deliver_copies) is True  # the embedded mode runs it in-process


def test_a_message_is_kept_and_its_copy_waits_for_the_next_run(
        ent_tianhe, broker_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(ent_tianhe, email=True)
    message.refresh_from_db()
    assert message.copy_status == CopyStatus.PENDING and mail.outbox == []
    # The beat entry 消息副本发送 runs the service when the broker is back.
    assert messaging_services.deliver_copies() == 1
    assert Message.objects.get().copy_status == CopyStatus.SENT and len(mail.outbox) == 1


def test_a_large_export_with_the_broker_down_says_retry_later_instead_of_a_500(
        client, gd_province, gd_rows, broker_down, monkeypatch,  # noqa: F811
        django_capture_on_commit_callbacks):
    monkeypatch.setattr(exports, "SYNC_MAX_ROWS", 1)
    client.force_login(gd_province)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("admin:declarations_export_recommend"))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ExportJob.Status.FAILED
    page = client.get(response["Location"]).content.decode()
    assert "任务队列暂不可用，请稍后重试导出。" in page
    assert 'http-equiv="refresh"' not in page  # no progress bar waiting for nothing


def test_another_official_cannot_read_the_failed_job(client, gd_province, gz_city, gd_rows,  # noqa: F811
                                                     broker_down, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    monkeypatch.setattr(exports, "SYNC_MAX_ROWS", 1)
    client.force_login(gd_province)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("admin:declarations_export_recommend"))
    job = ExportJob.objects.get()
    client.force_login(gz_city)
    assert client.get(reverse("admin:declarations_export_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("admin:declarations_export_job", args=[job.pk])).status_code in (
        403, 404, 405)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
