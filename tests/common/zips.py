"""Zip archives built in memory for the upload tests, including the malformed ones.

zipfile writes only well-formed archives, so GBK names without the UTF-8 flag, encryption
bits and forged sizes are patched into its output (or written by hand with `raw_zip`).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
LOCAL = b"PK\x03\x04"
CENTRAL = b"PK\x01\x02"
MB = 1024 * 1024


def zip_bytes(entries: list[tuple[str | zipfile.ZipInfo, bytes]],
              method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(data: bytes, name: str = "证明材料.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


def gbk_zip(entries: list[tuple[str, bytes]]) -> bytes:
    """What Chinese Windows writes: GBK names, and no UTF-8 flag (bit 0x800)."""
    placeholders = []
    for index, (name, _) in enumerate(entries):
        raw = name.encode("gbk")
        placeholders.append((f"{index:03d}".rjust(len(raw), "_").encode("ascii"), raw))
    data = zip_bytes([(placeholder.decode("ascii"), content)
                      for (placeholder, _), (_, content) in zip(placeholders, entries, strict=True)])
    for placeholder, raw in placeholders:
        assert data.count(placeholder) == 2  # local header and central directory
        data = data.replace(placeholder, raw)
    return data


def set_flag_bits(data: bytes, bits: int) -> bytes:
    """Set general-purpose flag bits on every entry (local header and central directory)."""
    out = bytearray(data)
    for signature, offset in ((LOCAL, 6), (CENTRAL, 8)):
        at = out.find(signature)
        while at >= 0:
            (flags,) = struct.unpack_from("<H", out, at + offset)
            struct.pack_into("<H", out, at + offset, flags | bits)
            at = out.find(signature, at + 4)
    return bytes(out)


def set_method(data: bytes, method: int) -> bytes:
    out = bytearray(data)
    for signature, offset in ((LOCAL, 8), (CENTRAL, 10)):
        at = out.find(signature)
        while at >= 0:
            struct.pack_into("<H", out, at + offset, method)
            at = out.find(signature, at + 4)
    return bytes(out)


def raw_zip(records: list[tuple[str, int]], data: bytes, *, method: int, crc: int,
            size: int, local_name: str | None = None) -> bytes:
    """One local entry holding `data`, listed in the directory once per (name, offset) record.

    The sizes are whatever the caller says: the test decides whether the headers tell the truth.
    """
    first = (local_name or records[0][0]).encode()
    local = struct.pack("<4s5H3L2H", LOCAL, 20, 0x800, method, 0, 0x21, crc, len(data), size,
                        len(first), 0) + first
    central = b""
    for name, offset in records:
        encoded = name.encode()
        central += struct.pack("<4s6H3L5H2L", CENTRAL, 20, 20, 0x800, method, 0, 0x21, crc,
                               len(data), size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(records), len(records), len(central),
                      len(local) + len(data), 0)
    return local + data + central + end


def deflated_zeros(megabytes: int, *, prefix: bytes = b"") -> bytes:
    """A raw deflate stream of `prefix` then about `megabytes` MB of zeros, built without
    compressing them all.

    After a full flush over a window of zeros, each further megabyte compresses to the same
    bytes, so one block is repeated: a gigabyte costs a few milliseconds to build.
    """
    zeros = bytes(MB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(prefix + zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH) == repeated
    return first + repeated * (megabytes - 1) + compressor.flush()


def zeros_bomb(*, megabytes: int = 1024, declared_bytes: int | None = None,
               name: str = "财务报表.pdf") -> bytes:
    """A zip of one entry: a PDF header, then `megabytes` MB of zeros.

    Its header gives the true size unless `declared_bytes` understates it.
    """
    stream = deflated_zeros(megabytes, prefix=PDF)
    size = megabytes * MB + len(PDF) if declared_bytes is None else declared_bytes
    # The CRC is never reached: the check must stop long before the end of the stream.
    return raw_zip([(name, 0)], stream, method=zipfile.ZIP_DEFLATED, crc=0, size=size)
