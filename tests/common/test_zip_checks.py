"""A zip is opened and every entry checked before anything is kept (common.uploads.validate_zip).

Every refusal names the archive and the entry at fault. Archives are built in the test
(tests/common/zips.py), malformed ones by patching zipfile's output.
"""

import random
import stat
import time
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError

from common.uploads import ZipEntry, validate_upload, validate_zip
from tests.common.zips import (
    MB,
    PDF,
    PNG,
    gbk_zip,
    raw_zip,
    set_flag_bits,
    set_method,
    upload,
    zeros_bomb,
    zip_bytes,
)


def refusal(data: bytes, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_zip(upload(data), **kwargs)
    (message,) = caught.value.messages
    assert message.startswith("压缩包“证明材料.zip”")
    return message


def test_a_good_zip_lists_every_file_with_its_name_and_size():
    file = upload(zip_bytes([("材料/", b""), ("材料/营业执照.pdf", PDF),
                             ("材料/2025年审计报告.pdf", PDF * 3)]))
    entries = validate_zip(file)
    assert entries == [ZipEntry("材料/营业执照.pdf", len(PDF)),
                       ZipEntry("材料/2025年审计报告.pdf", 3 * len(PDF))]
    assert file.tell() == 0  # the caller can store it as it is


def test_validate_upload_checks_a_zip_and_returns_its_entries():
    file = upload(zip_bytes([("营业执照.pdf", PDF)]))
    assert validate_upload(file, allowed=(".zip",), max_bytes=MB) == [
        ZipEntry("营业执照.pdf", len(PDF))]
    bad = upload(zip_bytes([("../营业执照.pdf", PDF)]))
    with pytest.raises(ValidationError, match="“../营业执照.pdf”路径不安全"):
        validate_upload(bad, allowed=(".zip",), max_bytes=MB)


# --- Names ----------------------------------------------------------------------------------------

def test_a_zip_made_on_chinese_windows_is_accepted_with_the_right_names():
    names = ["申报材料/营业执照.pdf", "申报材料/2025年财务报表.pdf"]
    data = gbk_zip([(name, PDF) for name in names])
    with zipfile.ZipFile(upload(data)) as archive:
        # What the test built: no UTF-8 flag, names that zipfile alone decodes wrongly.
        assert all(not info.flag_bits & 0x800 for info in archive.infolist())
        assert archive.namelist() != names
    assert [entry.name for entry in validate_zip(upload(data))] == names


def test_a_gbk_name_whose_second_byte_is_a_backslash_is_not_taken_for_one():
    name = "僜河项目/验收报告.pdf"
    assert b"\\" in name.encode("gbk")
    assert [entry.name for entry in validate_zip(upload(gbk_zip([(name, PDF)])))] == [name]


def test_a_utf8_flagged_zip_keeps_its_names():
    data = zip_bytes([("专精特新/知识产权证书.pdf", PDF)])
    assert validate_zip(upload(data))[0].name == "专精特新/知识产权证书.pdf"


def test_a_name_that_is_not_gb18030_either_is_refused():
    data = zip_bytes([("xx.pdf", PDF)]).replace(b"xx.pdf", b"\x81 .pdf")
    assert "文件名编码无法识别" in refusal(data)


def test_a_flagged_name_that_is_not_utf8_is_refused():
    data = zip_bytes([("名.pdf", PDF)]).replace("名".encode(), b"\xff\xfe\xfd")
    assert "文件名编码无法识别" in refusal(data)


@pytest.mark.parametrize("name", [
    "/etc/报告.pdf", "../报告.pdf", "材料/../../报告.pdf", "材料\\报告.pdf", "C:/报告.pdf",
    "c:报告.pdf", "材料//报告.pdf", "报告.pdf:隐藏", "报告\x01.pdf",
])
def test_an_unsafe_path_is_refused_naming_the_entry(name):
    assert refusal(zip_bytes([("营业执照.pdf", PDF), (name, PDF)])) == (
        f"压缩包“证明材料.zip”中的文件“{name}”路径不安全。")


@pytest.mark.parametrize("name", [
    "CON", "con.pdf", "材料/NUL.pdf", "AUX.tar.pdf", "PRN .pdf", "COM1.pdf", "com9.PDF",
    "LPT1.pdf", "lpt9.pdf", "NUL/报告.pdf",
])
def test_a_reserved_device_name_is_refused_naming_the_entry(name):
    message = refusal(zip_bytes([(name, PDF)]))
    assert f"“{name}”使用了系统保留名称" in message


@pytest.mark.parametrize("name", ["CONTRACT.pdf", "COM10.pdf", "console.pdf", "auxiliary.pdf",
                                  "材料/NULL.pdf"])
def test_names_that_only_start_like_a_device_are_accepted(name):
    assert validate_zip(upload(zip_bytes([(name, PDF)])))[0].name == name


def test_a_name_listed_twice_is_refused():
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = zip_bytes([("营业执照.pdf", PDF), ("营业执照.pdf", PDF)])
    assert "“营业执照.pdf”重复出现" in refusal(data)


# --- Entries that are not plain files ------------------------------------------------------------

def test_a_symlink_is_refused_naming_the_entry():
    link = zipfile.ZipInfo("材料/营业执照.pdf")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    message = refusal(zip_bytes([("说明.pdf", PDF), (link, b"/etc/passwd")]))
    assert message == "压缩包“证明材料.zip”中的“材料/营业执照.pdf”是链接，不允许上传。"


def test_a_device_file_is_refused():
    device = zipfile.ZipInfo("设备.pdf")
    device.external_attr = (stat.S_IFCHR | 0o600) << 16
    assert "“设备.pdf”不是普通文件" in refusal(zip_bytes([(device, PDF)]))


def test_an_encrypted_entry_is_refused_naming_it():
    data = set_flag_bits(zip_bytes([("财务报表.pdf", PDF)]), 0x1)
    assert refusal(data) == (
        "压缩包“证明材料.zip”中的文件“财务报表.pdf”已加密，请上传未加密的压缩包。")


def test_an_unknown_compression_method_is_refused():
    data = set_method(zip_bytes([("财务报表.pdf", PDF)]), 9)  # deflate64
    assert "“财务报表.pdf”使用了不支持的压缩方式" in refusal(data)


# --- Content ---------------------------------------------------------------------------------------

def test_an_archive_inside_the_archive_is_refused_by_its_name():
    inner = zip_bytes([("营业执照.pdf", PDF)])
    for name in ("内层.zip", "内层.rar", "内层.7z", "内层.tar.gz"):
        assert f"“{name}”本身是压缩包" in refusal(zip_bytes([(name, inner)]))


def test_an_archive_inside_the_archive_is_refused_by_its_content():
    inner = zip_bytes([("营业执照.pdf", PDF)])
    assert "“伪装.pdf”本身是压缩包" in refusal(zip_bytes([("伪装.pdf", inner)]))


def test_content_that_is_not_a_pdf_is_refused_naming_the_entry():
    html = b"<html><script>alert(1)</script></html>"
    message = refusal(zip_bytes([("营业执照.pdf", PDF), ("审计报告.pdf", html)]))
    assert message == ("压缩包“证明材料.zip”中的文件“审计报告.pdf”的内容与扩展名不符"
                       "（识别为 text/html），请放入真实的 pdf 文件。")


def test_a_file_type_the_caller_does_not_accept_is_refused():
    assert "“说明.txt”的类型不允许，压缩包中只能包含 pdf 文件" in refusal(
        zip_bytes([("说明.txt", b"hello")]))
    assert "“图片.png”的类型不允许" in refusal(zip_bytes([("图片.png", PNG)]))


def test_a_caller_may_allow_other_types_inside():
    entries = validate_zip(upload(zip_bytes([("图片.png", PNG), ("报告.pdf", PDF)])),
                           members=(".pdf", ".png"))
    assert [entry.name for entry in entries] == ["图片.png", "报告.pdf"]


def test_the_content_is_checked_on_each_entry_not_only_the_first():
    data = zip_bytes([(f"{n}.pdf", PDF) for n in range(5)] + [("5.pdf", b"MZ\x90\x00")])
    assert "“5.pdf”的内容与扩展名不符" in refusal(data)


# --- Archives that are empty or broken -------------------------------------------------------------

def test_an_empty_archive_is_refused():
    assert refusal(zip_bytes([])) == "压缩包“证明材料.zip”中没有文件（空压缩包或只有文件夹）。"


def test_an_archive_of_folders_only_is_refused():
    assert "中没有文件" in refusal(zip_bytes([("材料/", b""), ("材料/2025/", b"")]))


def test_a_truncated_archive_is_refused():
    data = zip_bytes([("营业执照.pdf", PDF * 100), ("审计报告.pdf", PDF * 100)])
    assert refusal(data[: len(data) // 2]) == (
        "压缩包“证明材料.zip”已损坏或不完整，请重新压缩后上传。")


def test_an_entry_whose_data_is_damaged_is_refused_naming_it():
    data = bytearray(zip_bytes([("营业执照.pdf", PDF * 1000)], method=zipfile.ZIP_STORED))
    data[5000] ^= 0xFF  # the stored bytes no longer match their CRC
    assert "“营业执照.pdf”已损坏或不完整" in refusal(bytes(data))


def test_entries_that_share_their_data_are_refused():
    # Two directory records pointing at one local entry: the overlap behind CVE-2024-0450.
    data = raw_zip([("甲.pdf", 0), ("乙.pdf", 0)], PDF, method=zipfile.ZIP_STORED,
                   crc=zipfile.crc32(PDF), size=len(PDF), local_name="甲.pdf")
    assert "已损坏（数据与其他文件重叠或超出压缩包）" in refusal(data)


# --- Limits ---------------------------------------------------------------------------------------

def test_two_hundred_entries_are_accepted_and_one_more_is_refused():
    entries = [(f"材料/{n:03d}.pdf", PDF) for n in range(200)]
    assert len(validate_zip(upload(zip_bytes(entries)))) == 200
    message = refusal(zip_bytes([*entries, ("材料/200.pdf", PDF)]))
    assert message == "压缩包“证明材料.zip”中的文件超过 200 个，请分成多个压缩包上传。"


def test_the_entry_limit_comes_from_settings(settings):
    settings.ZIP_MAX_ENTRIES = 2
    assert "超过 2 个" in refusal(zip_bytes([(f"{n}.pdf", PDF) for n in range(3)]))


def test_a_total_size_over_the_limit_is_refused_naming_the_entry_that_crosses_it(settings):
    settings.ZIP_MAX_TOTAL_BYTES = 2 * MB
    big = PDF + random.Random(11).randbytes(MB)  # does not compress at all
    message = refusal(zip_bytes([("一.pdf", big), ("二.pdf", big), ("三.pdf", PDF)]))
    assert message == ("压缩包“证明材料.zip”解压后超过 2 MB（到文件“二.pdf”时超出），"
                       "请分成多个压缩包上传。")


def test_a_small_entry_may_compress_well():
    # The ratio rule applies above ZIP_RATIO_FLOOR_BYTES only: a short, repetitive PDF is fine.
    assert validate_zip(upload(zip_bytes([("空白.pdf", PDF + bytes(512 * 1024))])))


def measured(data: bytes) -> tuple[str, float, int]:
    file = upload(data)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ValidationError) as caught:
            validate_zip(file)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return caught.value.messages[0], elapsed, peak


def test_a_gigabyte_bomb_is_refused_fast_in_little_memory():
    message, elapsed, peak = measured(zeros_bomb(megabytes=1024))
    assert message == ("压缩包“证明材料.zip”中的文件“财务报表.pdf”压缩比异常（超过 100:1），"
                       "疑似压缩炸弹，已拒绝。")
    assert elapsed < 2 and peak < 20 * MB


def test_a_bomb_whose_header_understates_its_size_is_caught_while_reading():
    # The header claims 50 MB (50:1, under every limit); the stream holds 1 GB. Only counting
    # the bytes really produced against the bytes really consumed catches it early.
    message, elapsed, peak = measured(zeros_bomb(megabytes=1024, declared_bytes=50 * MB))
    assert "“财务报表.pdf”压缩比异常" in message
    assert elapsed < 2 and peak < 20 * MB


def test_a_bomb_under_the_total_limit_is_still_refused_by_its_ratio():
    message, elapsed, peak = measured(zeros_bomb(megabytes=150))
    assert "“财务报表.pdf”压缩比异常" in message
    assert elapsed < 2 and peak < 20 * MB
