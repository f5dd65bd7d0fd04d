"""Announcement fixtures: rows made directly (fast) or through the services (realistic)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from announcements.models import Announcement, Level, Status
from portal.regions.models import DeclarationRegion

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def make(title: str, *, level: str = Level.MINISTRY, region: str | None = None,
         status: str = Status.PUBLISHED, publish_at: datetime | None = None,
         pinned: bool = False, body: str = "<p>正文</p>", kind: str = "notice") -> Announcement:
    """One announcement straight into the database (no service: fixtures only)."""
    if publish_at is None and status != Status.DRAFT:
        publish_at = timezone.now() - timedelta(hours=1)
    return Announcement.objects.create(
        title=title, level=level, kind=kind, status=status, publish_at=publish_at,
        pinned=pinned, body=body, body_text=body.replace("<p>", "").replace("</p>", ""),
        issuing_region=DeclarationRegion.objects.get(code=region) if region else None,
    )


def bulk(count: int, *, level: str = Level.MINISTRY, region: str | None = None,
         prefix: str = "批量公告") -> None:
    """`count` published announcements, one minute apart, newest = now − 1 h."""
    region_obj = DeclarationRegion.objects.get(code=region) if region else None
    start = timezone.now() - timedelta(hours=1)
    Announcement.objects.bulk_create(
        [Announcement(title=f"{prefix}{i:05d}", level=level, issuing_region=region_obj,
                      kind="notice", status=Status.PUBLISHED,
                      publish_at=start - timedelta(minutes=i), body="<p>批量正文</p>",
                      body_text="批量正文")
         for i in range(count)],
        batch_size=2000,
    )


def pdf(name: str = "申报指南.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
