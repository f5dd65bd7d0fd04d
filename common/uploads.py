"""Checks for uploaded files: size, extension and content (libmagic), named in every error.

A zip is opened and every entry checked before anything is kept (`validate_zip`): names,
links, encryption, nested archives, each entry's content, and the sizes actually read.
"""

from __future__ import annotations

import lzma
import re
import stat
import struct
import uuid
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath
from typing import IO

import magic
from django.conf import settings
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


def validate_upload(file: UploadedFile, *, allowed: tuple[str, ...], max_bytes: int,
                    zip_members: tuple[str, ...] = (".pdf",)) -> list[ZipEntry]:
    """Raise a ValidationError naming the file when it is not an allowed, genuine file.

    A zip is opened and checked entry by entry (`validate_zip`, entries of the `zip_members`
    types only); its accepted entries are returned. Any other file returns an empty list.
    """
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
    if suffix == ".zip":
        return validate_zip(file, members=zip_members)
    return []


def private_path(folder: str, filename: str) -> str:
    """A generated storage name under private/<folder>/; the original name is kept as metadata."""
    return f"private/{folder}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


# --- Zip archives ---------------------------------------------------------------------------------

# Names and content types of archives: an archive inside an archive is refused (it would escape
# every check below). An OOXML document is a zip too; it passes when its own type is allowed.
ARCHIVE_SUFFIXES = frozenset({
    ".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".tbz2", ".xz", ".txz", ".zst", ".lz",
    ".lzma", ".z", ".cab", ".arj", ".lzh", ".iso", ".jar", ".apk", ".zipx", ".001",
})
ARCHIVE_TYPES = frozenset({
    "application/zip", "application/x-zip-compressed", "application/x-rar",
    "application/vnd.rar", "application/x-7z-compressed", "application/gzip", "application/x-gzip",
    "application/x-tar", "application/x-bzip2", "application/x-xz", "application/zstd",
    "application/x-lzip", "application/x-lzma", "application/x-compress",
    "application/vnd.ms-cab-compressed", "application/x-arj", "application/x-lzh-compressed",
    "application/x-iso9660-image", "application/java-archive",
})
# Windows device names: a file called CON, NUL or COM1 (with any extension) cannot be opened
# on an official's PC, and some archivers write to the device instead.
RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"{kind}{n}" for kind in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)
UTF8_FLAG = 0x800  # APPNOTE 4.4.4 bit 11: names are UTF-8
ENCRYPTED_FLAGS = 0x1 | 0x40  # traditional and strong encryption
REPARSE_POINT = 0x400  # DOS attribute of a Windows link (low bits of external_attr)
READABLE_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                              zipfile.ZIP_LZMA})
CHUNK_BYTES = 64 * 1024
HEAD_BYTES = 8192  # what libmagic sees of each entry, as for a single upload
# A central-directory record is 46 bytes plus the name and extras; a kilobyte leaves room for
# long Chinese paths and is far below what would make reading the directory itself costly.
DIRECTORY_BYTES_PER_ENTRY = 1024
END_OF_DIRECTORY = b"PK\x05\x06"
DRIVE_LETTER = re.compile(r"^[A-Za-z]:")
# What reading a damaged entry raises: a bad CRC, a cut stream, a corrupt deflate/bzip2/lzma.
READ_ERRORS = (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError, NotImplementedError,
               struct.error, zlib.error, lzma.LZMAError)

NESTED_ARCHIVE = "压缩包“%(archive)s”中的文件“%(entry)s”本身是压缩包，请不要在压缩包中嵌套压缩包。"

Refuse = Callable[..., ValidationError]


@dataclass(frozen=True)
class ZipEntry:
    """A file accepted inside a zip: its decoded path in the archive and the bytes it holds."""

    name: str
    size: int


class _CountingReader:
    """A file wrapper that counts the bytes read: the compressed bytes an entry really used."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.count += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def seekable(self) -> bool:
        return True


def _refuse(message: str, code: str, **params: object) -> ValidationError:
    return ValidationError(message, params=params, code=code)


def _archive_size(file: IO[bytes]) -> int:
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    return size


def _check_directory_size(file: IO[bytes], *, archive: str, size: int, max_entries: int) -> None:
    """Refuse, before parsing it, a central directory too big for `max_entries` files.

    zipfile builds an object per record of the whole directory; a 20 MB upload could hold
    hundreds of thousands of them. The end record is read from the last 64 KB.
    """
    tail_start = max(0, size - (22 + 0xFFFF))
    file.seek(tail_start)
    tail = file.read()
    file.seek(0)
    at = tail.rfind(END_OF_DIRECTORY)
    if at < 0 or len(tail) - at < 22:
        raise _refuse("压缩包“%(archive)s”已损坏或不完整，请重新压缩后上传。", "zip_damaged",
                      archive=archive)
    entries, directory_bytes = struct.unpack("<xxxxxxxxxxHL", tail[at:at + 16])
    if entries > max_entries:
        raise _refuse("压缩包“%(archive)s”中的文件超过 %(max)s 个，请分成多个压缩包上传。",
                      "zip_entries", archive=archive, max=max_entries)
    if directory_bytes > max_entries * DIRECTORY_BYTES_PER_ENTRY:
        raise _refuse("压缩包“%(archive)s”的文件目录过大（文件名过长或文件过多），无法检查。",
                      "zip_directory", archive=archive)


def _decoded_name(info: zipfile.ZipInfo) -> str | None:
    """The entry's name: UTF-8 when the archive says so, else GB18030 (GBK's superset).

    Chinese Windows writes GBK names without the UTF-8 flag; zipfile then decodes them as
    cp437, which maps every byte, so re-encoding gives the original bytes back. None when the
    bytes are not GB18030 either.
    """
    if info.flag_bits & UTF8_FLAG:
        return info.orig_filename
    try:
        return info.orig_filename.encode("cp437").decode("gb18030")
    except UnicodeError:
        return None


def _raw_name_length(info: zipfile.ZipInfo) -> int:
    encoding = "utf-8" if info.flag_bits & UTF8_FLAG else "cp437"
    return len(info.orig_filename.encode(encoding))


def _path_problem(name: str) -> str | None:
    """Why a path inside an archive is unsafe or unusable, or None."""
    if not name or any(ord(char) < 32 for char in name) or "\\" in name or ":" in name:
        return "unsafe"
    if name.startswith("/") or DRIVE_LETTER.match(name):
        return "unsafe"
    parts = name.removesuffix("/").split("/")
    if any(part in ("", "..") for part in parts):
        return "unsafe"
    if any(part.split(".", 1)[0].strip().upper() in RESERVED_NAMES for part in parts):
        return "reserved"
    return None


def _entry_problem(info: zipfile.ZipInfo, name: str, members: tuple[str, ...]) -> tuple[str, str]:
    """The first thing wrong with an entry before reading it: (message, code), or ("", "")."""
    problem = _path_problem(name)
    if problem == "unsafe":
        return "压缩包“%(archive)s”中的文件“%(entry)s”路径不安全。", "zip_path"
    if problem == "reserved":
        return ("压缩包“%(archive)s”中的文件“%(entry)s”使用了系统保留名称（如 CON、NUL、COM1），"
                "请改名后重新压缩。", "zip_reserved_name")
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK or info.external_attr & REPARSE_POINT:
        return "压缩包“%(archive)s”中的“%(entry)s”是链接，不允许上传。", "zip_link"
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "压缩包“%(archive)s”中的“%(entry)s”不是普通文件，不允许上传。", "zip_special"
    if info.flag_bits & ENCRYPTED_FLAGS:
        return ("压缩包“%(archive)s”中的文件“%(entry)s”已加密，请上传未加密的压缩包。",
                "zip_encrypted")
    if info.is_dir():
        return "", ""
    if info.compress_type not in READABLE_METHODS:
        return ("压缩包“%(archive)s”中的文件“%(entry)s”使用了不支持的压缩方式，"
                "请用常见的 ZIP 格式重新压缩。", "zip_method")
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in ARCHIVE_SUFFIXES:
        return NESTED_ARCHIVE, "zip_nested"
    if suffix not in members:
        return ("压缩包“%(archive)s”中的文件“%(entry)s”的类型不允许，压缩包中只能包含 "
                "%(allowed)s 文件。", "zip_member_type")
    return "", ""


def _content_problem(head: bytes, name: str) -> tuple[str, dict[str, str]] | None:
    suffix = PurePosixPath(name).suffix.lower()
    detected = magic.from_buffer(head, mime=True)
    if detected in CONTENT_TYPES[suffix]:
        return None
    if detected in ARCHIVE_TYPES:
        return NESTED_ARCHIVE, {}
    return ("压缩包“%(archive)s”中的文件“%(entry)s”的内容与扩展名不符（识别为 %(detected)s），"
            "请放入真实的 %(ext)s 文件。", {"detected": detected, "ext": suffix.lstrip(".")})


def validate_zip(file: IO[bytes], *, members: tuple[str, ...] = (".pdf",)) -> list[ZipEntry]:
    """Open a zip and check every entry; return the accepted files or raise a ValidationError.

    Every message names the archive and, when one is at fault, the entry. Limits come from
    settings: ZIP_MAX_ENTRIES, ZIP_MAX_TOTAL_BYTES, and ZIP_MAX_RATIO for entries that
    expand beyond ZIP_RATIO_FLOOR_BYTES. Sizes in the headers may lie: they can only refuse
    an archive, never clear it; each entry is streamed in chunks and the bytes actually
    produced and consumed are counted, so a bomb stops at the budget, in bounded memory.
    Nothing is written anywhere; the file is left at position 0.
    """
    archive = PurePath(getattr(file, "name", None) or "附件.zip").name
    max_entries: int = settings.ZIP_MAX_ENTRIES
    max_total: int = settings.ZIP_MAX_TOTAL_BYTES
    max_ratio: int = settings.ZIP_MAX_RATIO
    ratio_floor: int = settings.ZIP_RATIO_FLOOR_BYTES
    allowed = "、".join(member.lstrip(".") for member in members)

    def refuse(message: str, code: str, **params: object) -> ValidationError:
        return _refuse(message, code, archive=archive, allowed=allowed, **params)

    size = _archive_size(file)
    try:
        _check_directory_size(file, archive=archive, size=size, max_entries=max_entries)
        reader = _CountingReader(file)
        try:
            zf = zipfile.ZipFile(reader)  # type: ignore[arg-type]  # read/seek/tell suffice
        except UnicodeDecodeError as exc:
            # The UTF-8 flag is set but a name is not UTF-8.
            raise refuse("压缩包“%(archive)s”中有文件名编码无法识别，请将文件改为简单的中文或"
                         "英文名称后重新压缩。", "zip_name_encoding") from exc
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
                struct.error) as exc:
            raise refuse("压缩包“%(archive)s”已损坏或不完整，请重新压缩后上传。",
                         "zip_damaged") from exc
        with zf:
            return _check_entries(zf, reader, size=size, members=members, refuse=refuse,
                                  max_entries=max_entries, max_total=max_total,
                                  max_ratio=max_ratio, ratio_floor=ratio_floor)
    finally:
        file.seek(0)


def _check_entries(zf: zipfile.ZipFile, reader: _CountingReader, *, size: int,
                   members: tuple[str, ...], refuse: Refuse, max_entries: int, max_total: int,
                   max_ratio: int, ratio_floor: int) -> list[ZipEntry]:
    infos = zf.infolist()
    if len(infos) > max_entries:
        raise refuse("压缩包“%(archive)s”中的文件超过 %(max)s 个，请分成多个压缩包上传。",
                     "zip_entries", max=max_entries)

    # 1. Everything the directory says, before reading a byte of content.
    files: list[tuple[zipfile.ZipInfo, str]] = []
    seen: set[str] = set()
    for info in infos:
        name = _decoded_name(info)
        if name is None:
            raise refuse("压缩包“%(archive)s”中的文件“%(entry)s”的文件名编码无法识别，请将文件改为"
                         "简单的中文或英文名称后重新压缩。", "zip_name_encoding",
                         entry=info.orig_filename.encode("cp437").decode("gb18030", "replace"))
        message, code = _entry_problem(info, name, members)
        if message:
            raise refuse(message, code, entry=name)
        key = name.removesuffix("/").casefold()
        if key in seen:
            raise refuse("压缩包“%(archive)s”中的文件“%(entry)s”重复出现，请检查后重新压缩。",
                         "zip_duplicate", entry=name)
        seen.add(key)
        if not info.is_dir():
            files.append((info, name))
    if not files:
        raise refuse("压缩包“%(archive)s”中没有文件（空压缩包或只有文件夹）。", "zip_empty")

    # 2. Sizes the headers admit to: enough to refuse, never enough to accept.
    declared_total = 0
    for info, name in files:
        if info.file_size > ratio_floor and info.file_size > max_ratio * info.compress_size:
            raise refuse("压缩包“%(archive)s”中的文件“%(entry)s”压缩比异常（超过 %(ratio)s:1），"
                         "疑似压缩炸弹，已拒绝。", "zip_bomb", entry=name, ratio=max_ratio)
        declared_total += info.file_size
        if declared_total > max_total:
            raise refuse("压缩包“%(archive)s”解压后超过 %(mb)s MB（到文件“%(entry)s”时超出），"
                         "请分成多个压缩包上传。", "zip_total", entry=name,
                         mb=max_total // (1024 * 1024))
    # Entries whose data overlap reuse the same bytes many times over (CVE-2024-0450).
    by_offset = sorted(files, key=lambda pair: pair[0].header_offset)
    ends = [info.header_offset + 30 + _raw_name_length(info) + info.compress_size
            for info, _ in by_offset]
    starts = [info.header_offset for info, _ in by_offset[1:]] + [size]
    for (_info, name), end, next_start in zip(by_offset, ends, starts, strict=True):
        if end > next_start:
            raise refuse("压缩包“%(archive)s”中的文件“%(entry)s”已损坏（数据与其他文件重叠或超出"
                         "压缩包），请重新压缩后上传。", "zip_entry_damaged", entry=name)

    # 3. Every entry streamed, counting what it really produces and consumes.
    accepted: list[ZipEntry] = []
    total = 0
    for info, name in files:
        produced = 0
        head = b""
        checked = False
        try:
            reader.count = 0
            with zf.open(info) as stream:
                while chunk := stream.read(CHUNK_BYTES):
                    produced += len(chunk)
                    total += len(chunk)
                    if total > max_total:
                        raise refuse("压缩包“%(archive)s”解压后超过 %(mb)s MB（到文件“%(entry)s”"
                                     "时超出），请分成多个压缩包上传。", "zip_total", entry=name,
                                     mb=max_total // (1024 * 1024))
                    if produced > ratio_floor and produced > max_ratio * max(reader.count, 1):
                        raise refuse("压缩包“%(archive)s”中的文件“%(entry)s”压缩比异常（超过 "
                                     "%(ratio)s:1），疑似压缩炸弹，已拒绝。", "zip_bomb",
                                     entry=name, ratio=max_ratio)
                    if not checked:
                        head += chunk[:HEAD_BYTES - len(head)]
                        if len(head) >= HEAD_BYTES:
                            checked = _check_content(head, name, refuse)
            if not checked:
                _check_content(head, name, refuse)
        except READ_ERRORS as exc:
            raise refuse("压缩包“%(archive)s”中的文件“%(entry)s”已损坏或不完整，请重新压缩后上传。",
                         "zip_entry_damaged", entry=name) from exc
        accepted.append(ZipEntry(name=name, size=produced))
    return accepted


def _check_content(head: bytes, name: str, refuse: Refuse) -> bool:
    problem = _content_problem(head, name)
    if problem is not None:
        message, params = problem
        raise refuse(message, "zip_member_content", entry=name, **params)
    return True
