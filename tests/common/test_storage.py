"""The upload storage writes whole files or none: a full disk leaves no partial file."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from common import storage as storage_module
from common.storage import AtomicFileSystemStorage, StorageFull

REAL_FDOPEN = os.fdopen


class FillingDisk:
    """Stands in for os.fdopen: the first `room` bytes reach the real file, then ENOSPC."""

    def __init__(self, room: int, error: int = errno.ENOSPC) -> None:
        self.room, self.error = room, error

    def __call__(self, fd: int, mode: str):
        real = REAL_FDOPEN(fd, mode)
        room, error = self.room, self.error

        class Handle:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                real.close()

            def write(self, data: bytes) -> int:
                nonlocal room
                if len(data) > room:
                    real.write(data[:room])
                    real.flush()
                    room = 0
                    raise OSError(error, os.strerror(error))
                room -= len(data)
                return real.write(data)

            def flush(self) -> None:
                real.flush()

            def fileno(self) -> int:
                return real.fileno()

        return Handle()


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_a_file_is_saved_whole_under_its_name(tmp_path):
    store = AtomicFileSystemStorage(location=tmp_path)
    name = store.save("private/a/证书.pdf", ContentFile(b"%PDF-1.4 " + bytes(300_000)))
    assert (tmp_path / name).read_bytes().startswith(b"%PDF-1.4 ")
    assert (tmp_path / name).stat().st_size == 300_009
    assert files_under(tmp_path) == [tmp_path / name]  # no temporary file left beside it


def test_a_taken_name_gets_another_and_never_replaces_the_first(tmp_path):
    store = AtomicFileSystemStorage(location=tmp_path)
    first = store.save("x/a.pdf", ContentFile(b"first"))
    second = store._save("x/a.pdf", ContentFile(b"second"))  # the race get_available_name misses
    assert first != second
    assert (tmp_path / first).read_bytes() == b"first"
    assert (tmp_path / second).read_bytes() == b"second"


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EDQUOT, errno.EFBIG])
def test_a_full_disk_mid_write_is_refused_and_leaves_nothing(tmp_path, monkeypatch, error):
    store = AtomicFileSystemStorage(location=tmp_path)
    monkeypatch.setattr(storage_module.os, "fdopen", FillingDisk(room=65_536, error=error))
    with pytest.raises(StorageFull) as raised:
        store.save("private/b/big.pdf", ContentFile(bytes(1_000_000)))
    assert raised.value.messages == ["服务器存储空间不足，文件未保存，请稍后重试。"]
    assert files_under(tmp_path) == []


def test_another_write_error_is_not_mistaken_for_a_full_disk(tmp_path, monkeypatch):
    store = AtomicFileSystemStorage(location=tmp_path)
    monkeypatch.setattr(storage_module.os, "fdopen", FillingDisk(room=10, error=errno.EIO))
    with pytest.raises(OSError) as raised:
        store.save("c.pdf", ContentFile(bytes(100)))
    assert not isinstance(raised.value, StorageFull) and raised.value.errno == errno.EIO
    assert files_under(tmp_path) == []


def test_it_is_the_default_storage(settings):
    assert settings.STORAGES["default"]["BACKEND"] == "common.storage.AtomicFileSystemStorage"
