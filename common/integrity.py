"""Integrity of stored uploads and frozen snapshots (等保 数据完整性 a–b).

Every stored upload carries the SHA-256 of its bytes, taken when the row is first saved
(`FileDigestField`), and every download is checked against it: the bytes are read once,
hashed while they are copied to a spooled temporary file, and only that copy is served, so
what is checked is exactly what leaves. A file that no longer matches (changed or replaced on
disk or in the bucket) is refused with a Chinese message, and the refusal is logged on the
"portal.security" logger for the security officer. A row without a digest is refused too:
the migration gave every existing file one, so a missing digest is itself an anomaly.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import tempfile
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("portal.security")

CHUNK = 1024 * 1024
REFUSED = ("文件完整性校验未通过：该文件与上传时记录的 SHA-256 摘要不一致，可能已被改动，"
           "已拒绝下载。此情况已记录，请联系平台管理员。")

SNAPSHOT_REFUSED = ("申报书完整性校验未通过：提交时冻结的申报内容与记录的 SHA-256 摘要不一致，"
                    "可能已被改动，已拒绝生成申报书。此情况已记录，请联系平台管理员。")


class FileTampered(Exception):
    """The stored bytes no longer have the digest recorded at upload."""


def sha256_hex(handle: Any) -> str:
    """SHA-256 (hex) of a readable binary file object, from its start; leaves it at its start."""
    digest = hashlib.sha256()
    handle.seek(0)
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


class FileDigestField(models.CharField):
    """SHA-256 (hex) of the file in the field named `source`, taken on the row's first save.

    Never recomputed afterwards: a later save of the row must not bless a changed file."""

    def __init__(self, *args: Any, source: str = "file", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("editable", False), ("blank", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = getattr(model_instance, self.attname) or ""
        fieldfile: FieldFile = getattr(model_instance, self.source)
        if not value and fieldfile:
            if fieldfile._committed:
                # The bytes as stored (this field is declared after its file field, whose own
                # pre_save has just written them). A name with no stored file gets no digest:
                # its downloads are refused.
                try:
                    with fieldfile.storage.open(fieldfile.name, "rb") as handle:
                        value = sha256_hex(handle)
                except FileNotFoundError:
                    value = ""
            else:
                value = sha256_hex(fieldfile.file)  # left open: the file field still saves it
            setattr(model_instance, self.attname, value)
        return value


def verified_copy(fieldfile: FieldFile, expected: str, *, subject: models.Model,
                  request: HttpRequest | None = None) -> Any:
    """A temporary copy of the stored file whose SHA-256 matched `expected`, at its start.

    Raises Http404 when there is no stored file, FileTampered (after logging) on a mismatch."""
    try:
        source = fieldfile.open("rb")
    except (FileNotFoundError, ValueError) as exc:  # ValueError: no file on the row
        raise Http404("文件不存在。") from exc
    copy = tempfile.SpooledTemporaryFile(max_size=CHUNK)  # noqa: SIM115 — returned to the caller
    digest = hashlib.sha256()
    with source:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            copy.write(chunk)
    actual = digest.hexdigest()
    if not expected or not hmac.compare_digest(actual, expected):
        copy.close()
        user = getattr(request, "user", None)
        logger.warning(
            "file integrity check failed: %s pk=%s file=%s expected=%s actual=%s user=%s",
            subject._meta.label, subject.pk, fieldfile.name, expected or "(none)", actual,
            getattr(user, "pk", None))
        raise FileTampered(fieldfile.name)
    copy.seek(0)
    return copy


def refused_response(request: HttpRequest, message: str = REFUSED) -> HttpResponse:
    """The page a refused download answers with (409: the stored copy conflicts with its record)."""
    response = render(request, "integrity_refused.html", {"message": message}, status=409)
    add_never_cache_headers(response)
    return response


def verified_file_response(request: HttpRequest, fieldfile: FieldFile, expected: str, *,
                           filename: str, subject: models.Model) -> HttpResponse:
    """Serve a stored upload under `filename` (as an attachment, never cached) if its bytes
    still have the digest recorded at upload; otherwise the refusal page."""
    try:
        copy = verified_copy(fieldfile, expected, subject=subject, request=request)
    except FileTampered:
        return refused_response(request)
    response = FileResponse(copy, as_attachment=True, filename=filename)
    add_never_cache_headers(response)
    return response


def backfill_digests(model: type[models.Model], field_name: str) -> int:
    """Give every stored file of `model` that has no digest yet the SHA-256 of its bytes as
    stored now (the migrations that introduced digests). A missing file is left without one,
    so its downloads are refused. Returns the number of rows given a digest."""
    field = model._meta.get_field(field_name)
    done = 0
    rows = model._default_manager.filter(**{field_name: ""}).exclude(**{field.source: ""})
    for row in rows.only("pk", field.source).iterator():
        fieldfile = getattr(row, field.source)
        try:
            with fieldfile.storage.open(fieldfile.name, "rb") as handle:
                digest = sha256_hex(handle)
        except FileNotFoundError:
            continue
        model._default_manager.filter(pk=row.pk).update(**{field_name: digest})
        done += 1
    return done
