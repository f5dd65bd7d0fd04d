"""Retention and archive (等保 2.0 安全审计 c, 安全管理中心): events are kept at least 180 days,
then archived to JSON Lines with a SHA-256 chain that shows any tampering."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit import archive
from audit.models import SecurityEvent
from audit.services import security_event

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
Event = SecurityEvent.Event


@pytest.fixture
def history(ent_tianhe):
    """Four events a year ago, one 200 days ago, one today."""
    made = []
    for days in (365, 365, 364, 363, 200, 0):
        with time_machine.travel(NOW - dt.timedelta(days=days), tick=False):
            made.append(security_event(event=Event.LOGIN, user=ent_tianhe,
                                       detail=f"{days} 天前 “引号” \\ 换行\n"))
    return made


def run(before: str, out: Path) -> str:
    with time_machine.travel(NOW, tick=False):
        from io import StringIO
        stdout = StringIO()
        call_command("archive_security_events", "--before", before, "--out", str(out),
                     stdout=stdout)
        return stdout.getvalue()


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_events_older_than_the_date_are_archived_then_deleted(history, tmp_path):
    out = tmp_path / "2025.jsonl"
    said = run("2026-01-01", out)
    assert "已归档 4 条" in said
    archived = lines(out)
    assert [line["event"]["id"] for line in archived[:-1]] == [e.pk for e in history[:4]]
    assert archived[0]["event"]["at"].endswith("+08:00")
    assert archived[-1]["end"] is True and archived[-1]["count"] == 4
    remaining = set(SecurityEvent.objects.exclude(event=Event.ARCHIVE).values_list("pk", flat=True))
    assert remaining == {history[4].pk, history[5].pk}
    # The final hash is kept in the database.
    record = SecurityEvent.objects.get(event=Event.ARCHIVE)
    assert archived[-1]["hash"] in record.detail and record.object_id == "2025.jsonl"


def test_the_verify_command_accepts_an_untouched_archive(history, tmp_path):
    out = tmp_path / "a.jsonl"
    run("2026-01-01", out)
    from io import StringIO
    stdout = StringIO()
    call_command("verify_security_archive", str(out), stdout=stdout)
    assert "校验通过，共 4 条" in stdout.getvalue()


def tampered(out: Path, edit) -> str:
    rows = out.read_text(encoding="utf-8").splitlines()
    out.write_text("\n".join(edit(rows)) + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("verify_security_archive", str(out))
    return str(caught.value)


def change_ip(rows: list[str]) -> list[str]:
    line = json.loads(rows[1])
    line["event"]["ip_address"] = "10.6.6.6"
    rows[1] = json.dumps(line, ensure_ascii=False)
    return rows


@pytest.mark.parametrize(("edit", "message"), [
    (change_ip, "第 2 行：内容与哈希不符"),
    (lambda rows: rows[:1] + rows[2:], "第 2 行：与上一行的哈希不衔接"),
    (lambda rows: [rows[1], rows[0], *rows[2:]], "第 1 行：与上一行的哈希不衔接"),
    (lambda rows: rows[:-1], "缺少结束行"),
    (lambda rows: rows[:-2] + rows[-1:], "第 4 行：与上一行的哈希不衔接"),
    (lambda rows: [*rows, rows[0]], "第 6 行：结束行之后还有内容"),
    (lambda rows: ["not json", *rows[1:]], "第 1 行：不是有效的归档记录"),
])
def test_a_changed_removed_swapped_or_cut_line_is_found(history, tmp_path, edit, message):
    out = tmp_path / "a.jsonl"
    run("2026-01-01", out)
    assert message in tampered(out, edit)


def test_a_rechained_forgery_still_differs_from_the_hash_kept_in_the_database(history, tmp_path):
    out = tmp_path / "a.jsonl"
    run("2026-01-01", out)
    records = [line["event"] for line in lines(out)[:-1]]
    records[0]["username"] = "someone_else"
    forged = list(archive.chained_lines(records))
    out.write_text("".join(line + "\n" for line, _ in forged), encoding="utf-8")
    assert archive.verify(out) == 4  # a consistent chain …
    kept = SecurityEvent.objects.get(event=Event.ARCHIVE).detail
    assert forged[-1][1] not in kept  # … whose end does not match the recorded one


def test_fewer_than_180_days_are_never_archived(history, tmp_path):
    with pytest.raises(CommandError, match="至少 180 天"):
        run("2026-06-04", tmp_path / "x.jsonl")
    assert not (tmp_path / "x.jsonl").exists()
    assert SecurityEvent.objects.count() == 6


def test_exactly_180_days_back_is_allowed(history, tmp_path):
    assert "已归档 5 条" in run("2026-06-03", tmp_path / "x.jsonl")


def test_an_existing_file_is_never_overwritten(history, tmp_path):
    out = tmp_path / "x.jsonl"
    out.write_text("keep me")
    with pytest.raises(CommandError, match="已存在"):
        run("2026-01-01", out)
    assert out.read_text() == "keep me" and SecurityEvent.objects.count() == 6


def test_nothing_to_archive_writes_an_empty_closed_chain(ent_tianhe, tmp_path):
    out = tmp_path / "empty.jsonl"
    assert "已归档 0 条" in run("2025-01-01", out)
    assert archive.verify(out) == 0


def test_the_cutoff_is_midnight_in_beijing(ent_tianhe, tmp_path):
    at = timezone.make_aware(dt.datetime(2025, 12, 31, 23, 59, 59))
    late = dt.datetime(2026, 1, 1, 0, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with time_machine.travel(at, tick=False):
        before = security_event(event=Event.LOGIN, user=ent_tianhe)
    with time_machine.travel(late, tick=False):
        security_event(event=Event.LOGIN, user=ent_tianhe)
    run("2026-01-01", tmp_path / "x.jsonl")
    assert [line["event"]["id"] for line in lines(tmp_path / "x.jsonl")[:-1]] == [before.pk]
