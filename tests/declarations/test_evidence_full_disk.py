"""佐证材料 on a full disk: the upload is refused naming the file, and nothing is kept."""

from __future__ import annotations

import errno

import pytest

from common import storage as storage_module
from declarations.models import DeclarationEvidence
from tests.common.test_storage import FillingDisk
from tests.declarations.test_evidence import draft, media, pdf, post, said, stored_files  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_full_disk_refuses_the_upload_naming_the_file_and_keeps_nothing(
        client, ent_tianhe, draft, media, monkeypatch):  # noqa: F811
    client.force_login(ent_tianhe)
    # Room for the first file, not for the second: the first must go too (all or nothing).
    monkeypatch.setattr(storage_module.os, "fdopen", FillingDisk(room=300_000))
    response = post(client, draft, pdf("营业执照.pdf", 200_000), pdf("专利证书.pdf", 400_000))
    assert response.status_code == 302
    message = said(response)[0]
    assert "专利证书.pdf" in message and "存储空间不足" in message
    assert DeclarationEvidence.objects.count() == 0
    assert stored_files(media) == []


def test_after_space_is_freed_the_same_upload_succeeds(client, ent_tianhe, draft, media,  # noqa: F811
                                                       monkeypatch):
    client.force_login(ent_tianhe)
    monkeypatch.setattr(storage_module.os, "fdopen", FillingDisk(room=1000, error=errno.ENOSPC))
    post(client, draft, pdf("营业执照.pdf", 5000))
    monkeypatch.undo()
    response = post(client, draft, pdf("营业执照.pdf", 5000))
    assert "已上传 1 个佐证材料文件" in said(response)[-1]
    assert [e.name for e in DeclarationEvidence.objects.all()] == ["营业执照.pdf"]
    assert len(stored_files(media)) == 1
