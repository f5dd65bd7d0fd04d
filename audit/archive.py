"""Archive of old security events: JSON Lines with a SHA-256 chain (等保 2.0 安全审计 c,
安全管理中心: kept at least 180 days — 网络安全法 第二十一条 says six months — then archived).

Each line is one event: `{"seq": n, "prev": <hash of line n-1>, "event": {...}, "hash": h}`
where `h = sha256(prev + "\\n" + canonical JSON of {"seq", "event"})`; the first line's `prev`
is 64 zeros. A last line `{"end": true, "count": N, "prev": …, "hash": …}` closes the file, so
a line changed, removed, added, reordered or cut off at the end breaks the chain. The archive's
final hash is also written to the database as an `archive` security event, so replacing the
whole file with a re-chained forgery shows against that record.

Deleting the archived rows goes round the PostgreSQL append-only trigger deliberately: inside
the deleting transaction `SET LOCAL audit.archiving = 'on'` (audit/triggers.py) — only for the
security-event table, only until the transaction ends. The rows deleted must be exactly the
rows written (else nothing is deleted).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .models import SecurityEvent
from .triggers import BYPASS_SETTING

RETENTION_DAYS = 180
GENESIS = "0" * 64


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(prev: str, content: dict[str, Any]) -> str:
    return hashlib.sha256(f"{prev}\n{_canonical(content)}".encode()).hexdigest()


def event_record(row: SecurityEvent) -> dict[str, Any]:
    """One event as archived: every field, the time with its +08:00 offset."""
    return {
        "id": row.pk, "at": timezone.localtime(row.at).isoformat(), "user_id": row.user_id,
        "username": row.username, "ip_address": row.ip_address, "event": row.event,
        "object_type": row.object_type, "object_id": row.object_id, "result": row.result,
        "request_id": row.request_id, "detail": row.detail,
    }


def chained_lines(records: Iterable[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """(line, hash so far) for each record, then the closing line."""
    prev, count = GENESIS, 0
    for count, record in enumerate(records, start=1):
        content = {"seq": count, "event": record}
        digest = chain_hash(prev, content)
        yield _canonical({**content, "prev": prev, "hash": digest}), digest
        prev = digest
    end = {"end": True, "count": count}
    digest = chain_hash(prev, end)
    yield _canonical({**end, "prev": prev, "hash": digest}), digest


def cutoff_for(before: date) -> datetime:
    """Midnight at the start of `before`, Asia/Shanghai."""
    return timezone.make_aware(datetime.combine(before, time.min))


def latest_allowed(today: date | None = None) -> date:
    """The latest `--before` date that still keeps RETENTION_DAYS days online."""
    today = today or timezone.localdate()
    return today - timedelta(days=RETENTION_DAYS)


@dataclass(frozen=True)
class Archived:
    count: int
    final_hash: str


def archive(*, before: date, out: Path) -> Archived:
    """Write every event older than `before` (Asia/Shanghai) to `out`, then delete them.

    Refuses a `before` that would archive events younger than RETENTION_DAYS days and an
    `out` that exists. The file is complete (flushed and fsync'd) before any row is deleted.
    """
    if before > latest_allowed():
        raise ValueError(f"安全事件须在线保留至少 {RETENTION_DAYS} 天：--before 不能晚于 "
                         f"{latest_allowed().isoformat()}。")
    if out.exists():
        raise ValueError(f"{out} 已存在，不会覆盖。")
    cutoff = cutoff_for(before)
    rows = SecurityEvent.objects.filter(at__lt=cutoff).order_by("at", "id")
    max_id = 0

    def records() -> Iterator[dict[str, Any]]:
        nonlocal max_id
        for row in rows.iterator(chunk_size=2000):
            max_id = max(max_id, row.pk)
            yield event_record(row)

    partial = out.with_name(out.name + ".partial")
    count, final = 0, GENESIS
    with partial.open("x", encoding="utf-8") as handle:
        for line, digest in chained_lines(records()):
            handle.write(line + "\n")
            final = digest
        handle.flush()
        os.fsync(handle.fileno())
    count = verify(partial)
    partial.rename(out)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL {BYPASS_SETTING} = 'on'")
        deleted, _ = SecurityEvent.objects.filter(at__lt=cutoff, id__lte=max_id).delete()
        if deleted != count:
            raise RuntimeError(f"待删除 {deleted} 条与已归档 {count} 条不一致，未删除任何记录。")
        if connection.vendor == "postgresql":
            # Off again at once, even when an outer transaction goes on.
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL {BYPASS_SETTING} = 'off'")
    return Archived(count=count, final_hash=final)


class TamperedArchive(Exception):
    """The archive's chain is broken; the message names the first bad line."""


def verify(path: Path) -> int:
    """The number of events in a well-formed archive, or TamperedArchive naming the line."""
    prev, seq, closed = GENESIS, 0, False
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if closed:
                raise TamperedArchive(f"第 {number} 行：结束行之后还有内容。")
            try:
                line = json.loads(raw)
                claimed, claimed_prev = line.pop("hash"), line.pop("prev")
            except (ValueError, KeyError, AttributeError, TypeError):
                raise TamperedArchive(f"第 {number} 行：不是有效的归档记录。") from None
            if claimed_prev != prev:
                raise TamperedArchive(f"第 {number} 行：与上一行的哈希不衔接（记录被删除、插入或调换）。")
            if line.get("end") is True:
                if set(line) != {"end", "count"} or line["count"] != seq:
                    raise TamperedArchive(f"第 {number} 行：结束行的记录数与内容不符。")
                closed = True
            elif line.get("seq") != seq + 1 or set(line) != {"seq", "event"}:
                raise TamperedArchive(f"第 {number} 行：序号不连续。")
            else:
                seq += 1
            if chain_hash(prev, line) != claimed:
                raise TamperedArchive(f"第 {number} 行：内容与哈希不符（记录被改动）。")
            prev = claimed
    if not closed:
        raise TamperedArchive("文件缺少结束行（被截断）。")
    return seq
