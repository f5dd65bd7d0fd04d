"""Benchmark of the zip check: a 20 MB zip of 200 PDFs, checked as an upload would be.

Run from the project root:  python bench/zip_bench.py [rounds]
Builds the archive once (not timed): 200 PDFs of ~100 KB each, whose bodies do not compress
(as a PDF's own streams are already compressed), deflated, with Chinese names in folders,
written to a temporary file the way Django keeps an upload above 5 MB. Then times
`validate_upload` — content type of the archive, every entry listed, decoded, checked by
name, streamed and typed with libmagic — and reports the median and worst of the rounds and
the peak memory of one more round. Exit status 1 when the median reaches 2 s.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402 — after the path insert

django.setup()

from django.core.files.uploadedfile import TemporaryUploadedFile  # noqa: E402

from common.uploads import validate_upload  # noqa: E402

ENTRIES = 200
TARGET_SECONDS = 2.0
PDF_HEAD = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"


def build(path: Path) -> int:
    rng = random.Random(20260601)  # noqa: S311 — reproducible filler, not a secret
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(ENTRIES):
            # Half already-compressed streams (images, fonts), half page text that deflates.
            streams = rng.randbytes(96 * 1024)
            text = b"".join(b"BT /F1 12 Tf 72 %d Td (%d) Tj ET\n" % (line, rng.randrange(10**9))
                            for line in range(1000))
            name = f"申报材料/第{n // 50 + 1}部分/证明材料{n + 1:03d}.pdf"
            archive.writestr(name, PDF_HEAD + streams + text + b"\n%%EOF\n")
    return path.stat().st_size


def uploaded(path: Path, size: int) -> TemporaryUploadedFile:
    upload = TemporaryUploadedFile("证明材料.zip", "application/zip", size, None)
    with path.open("rb") as source:
        upload.write(source.read())
    upload.seek(0)
    return upload


def check_once(upload: TemporaryUploadedFile) -> tuple[float, int]:
    started = time.perf_counter()
    entries = validate_upload(upload, allowed=(".zip",), max_bytes=50 * 1024 * 1024)
    return time.perf_counter() - started, len(entries)


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.zip"
        size = build(path)
        upload = uploaded(path, size)
        try:
            times = []
            for _ in range(rounds):
                elapsed, count = check_once(upload)
                assert count == ENTRIES, count
                times.append(elapsed)
            tracemalloc.start()
            check_once(upload)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        finally:
            upload.close()
    median = statistics.median(times)
    print(f"zip of {ENTRIES} PDFs, {size / 1024 / 1024:.1f} MB: median {median:.3f} s, "
          f"worst {max(times):.3f} s over {rounds} rounds; peak memory {peak / 1024 / 1024:.1f} MB"
          f" (target < {TARGET_SECONDS:.0f} s)")
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
