"""Checks for uploaded files: size, extension and content (libmagic), named in every error."""

from __future__ import annotations

import uuid
from pathlib import PurePath

import magic
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

# extension → content types libmagic reports for a genuine file of that kind
CONTENT_TYPES: dict[str, set[str]] = {
    ".pdf": {"application/pdf"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".png": {"image/png"},
    ".zip": {"application/zip"},
    ".doc": {"application/msword", "application/vnd.ms-office", "application/CDFV2"},
    ".xls": {"application/vnd.ms-excel", "application/vnd.ms-office", "application/CDFV2"},
    ".docx": {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/zip",
    },
    ".xlsx": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
    },
}


def validate_upload(file: UploadedFile, *, allowed: tuple[str, ...], max_bytes: int) -> None:
    """Raise a ValidationError naming the file when it is not an allowed, genuine file."""
    name = PurePath(file.name or "").name
    suffix = PurePath(name).suffix.lower()
    if suffix not in allowed:
        raise ValidationError(
            "文件“%(name)s”的类型不允许，只能上传 %(allowed)s 格式。",
            params={"name": name, "allowed": "、".join(a.lstrip(".") for a in allowed)},
            code="upload_type",
        )
    if file.size is not None and file.size > max_bytes:
        raise ValidationError(
            "文件“%(name)s”超过大小限制（最大 %(mb)s MB）。",
            params={"name": name, "mb": max_bytes // (1024 * 1024)},
            code="upload_size",
        )
    if not file.size:
        raise ValidationError("文件“%(name)s”为空。", params={"name": name}, code="upload_empty")
    head = file.read(8192)
    file.seek(0)
    detected = magic.from_buffer(head, mime=True)
    if detected not in CONTENT_TYPES[suffix]:
        raise ValidationError(
            "文件“%(name)s”的内容与扩展名不符（识别为 %(detected)s），请上传真实的 %(ext)s 文件。",
            params={"name": name, "detected": detected, "ext": suffix.lstrip(".")},
            code="upload_content",
        )


def private_path(folder: str, filename: str) -> str:
    """A generated storage name under private/<folder>/; the original name is kept as metadata."""
    return f"private/{folder}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"
