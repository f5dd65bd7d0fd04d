"""Upload storage that never leaves half a file behind.

Django's FileSystemStorage streams into the final name: a full disk (ENOSPC) or an exceeded
quota leaves a truncated file that a later download would serve. Here every file is written to a
hidden temporary file in the same folder, flushed to disk, and only then linked under its name;
any failure removes the temporary file. A full disk becomes `StorageFull`, a ValidationError the
views already show at the upload.
"""

from __future__ import annotations

import errno
import os
import tempfile
from contextlib import suppress
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage

# Errors that mean "no room": the disk is full, a quota is reached, the file is too big.
NO_ROOM = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class StorageFull(ValidationError):
    """The upload storage has no room; nothing was kept."""

    def __init__(self) -> None:
        super().__init__("服务器存储空间不足，文件未保存，请稍后重试。", code="storage_full")


class AtomicFileSystemStorage(FileSystemStorage):
    """FileSystemStorage whose files appear whole or not at all (see the module docstring)."""

    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        try:
            if self.directory_permissions_mode is not None:
                old_umask = os.umask(0o777 & ~self.directory_permissions_mode)
                try:
                    os.makedirs(directory, self.directory_permissions_mode, exist_ok=True)
                finally:
                    os.umask(old_umask)
            else:
                os.makedirs(directory, exist_ok=True)
        except OSError as exc:
            if exc.errno in NO_ROOM:
                raise StorageFull from exc
            raise
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk.encode() if isinstance(chunk, str) else chunk)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, self.file_permissions_mode or 0o644)
            while True:
                try:
                    # link, not rename: it refuses to replace a file that took the name meanwhile.
                    os.link(temporary, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        except OSError as exc:
            if exc.errno in NO_ROOM:
                raise StorageFull from exc
            raise
        finally:
            with suppress(FileNotFoundError):
                os.unlink(temporary)
        return str(name).replace("\\", "/")
