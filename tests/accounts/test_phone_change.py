import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.accounts.models import PhoneChangeRequest, SmsMessage
from tests.accounts.helpers import CAPTCHA_OK

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


def start(client, user, email=None):
    return client.post("/accounts/phone/email/", {
        "identifier": user.uscc or user.username, "email": email or user.email, **CAPTCHA_OK,
    })


def mailed_code() -> str:
    return re.search(r"验证码：(\d{6})", mail.outbox[-1].body).group(1)


def verify(client, code, mobile="13912345678"):
    return client.post("/accounts/phone/email/verify/", {"code": code, "new_mobile": mobile})


# --- 邮箱核验 ---------------------------------------------------------------------------------

def test_the_email_path_changes_the_mobile_and_texts_the_login_name(client, ent_tianhe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = start(client, ent_tianhe)
    assert response.status_code == 302
    assert mail.outbox[-1].to == [ent_tianhe.email]
    with django_capture_on_commit_callbacks(execute=True):
        response = verify(client, mailed_code())
    assert "手机号修改成功" in response.content.decode()
    ent_tianhe.refresh_from_db()
    assert ent_tianhe.mobile == "13912345678"
    sms = SmsMessage.objects.get()
    assert sms.to == "13912345678"
    assert ent_tianhe.username in sms.text
    assert sms.status == SmsMessage.Status.SENT


def test_a_wrong_email_is_refused_and_points_to_the_manual_path(client, ent_tianhe):
    response = start(client, ent_tianhe, email="other@example.cn")
    body = response.content.decode()
    assert "账号与邮箱不匹配" in body and "人工核验" in body
    assert mail.outbox == []


def test_five_wrong_codes_burn_the_code(client, ent_tianhe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        start(client, ent_tianhe)
    code = mailed_code()
    wrong = "000000" if code != "000000" else "111111"
    for left in [4, 3, 2, 1]:
        assert f"还可尝试{left}次" in verify(client, wrong).content.decode()
    assert "错误次数过多" in verify(client, wrong).content.decode()
    assert "错误次数过多" in verify(client, code).content.decode()  # even the right one now
    ent_tianhe.refresh_from_db()
    assert ent_tianhe.mobile == "13800000000"


def test_the_code_expires_after_10_minutes(client, ent_tianhe, django_capture_on_commit_callbacks):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            start(client, ent_tianhe)
        code = mailed_code()
        traveller.shift(dt.timedelta(minutes=10))
        assert "验证码已过期" in verify(client, code).content.decode()
    ent_tianhe.refresh_from_db()
    assert ent_tianhe.mobile == "13800000000"


def test_the_code_works_just_before_10_minutes(client, ent_tianhe, django_capture_on_commit_callbacks):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            start(client, ent_tianhe)
        traveller.shift(dt.timedelta(minutes=9, seconds=59))
        assert "手机号修改成功" in verify(client, mailed_code()).content.decode()


def test_a_second_code_within_a_minute_is_refused(client, ent_tianhe):
    start(client, ent_tianhe)
    response = start(client, ent_tianhe)
    assert "发送过于频繁" in response.content.decode()


def test_a_new_code_replaces_the_old_one(client, ent_tianhe, django_capture_on_commit_callbacks):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            start(client, ent_tianhe)
        old = mailed_code()
        traveller.shift(dt.timedelta(seconds=61))
        with django_capture_on_commit_callbacks(execute=True):
            start(client, ent_tianhe)
        new = mailed_code()
        if old != new:
            assert "不正确" in verify(client, old).content.decode()
        assert "手机号修改成功" in verify(client, new).content.decode()


def test_the_verify_step_needs_the_first_step(client):
    response = client.get("/accounts/phone/email/verify/")
    assert response.status_code == 302 and response["Location"] == "/accounts/phone/email/"


# --- 人工核验 ---------------------------------------------------------------------------------

def manual(client, user, letter, mobile="13788889999"):
    return client.post("/accounts/phone/manual/", {
        "identifier": user.username, "applicant_name": "张三", "new_mobile": mobile,
        "reason": "原手机号已停用", "letter": letter, **CAPTCHA_OK,
    })


def test_a_manual_request_with_a_pdf_letter_is_filed(client, ent_tianhe, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = manual(client, ent_tianhe, SimpleUploadedFile("授权书.pdf", PDF))
    assert "人工核验申请已提交" in response.content.decode()
    request = PhoneChangeRequest.objects.get(user=ent_tianhe)
    assert request.letter_name == "授权书.pdf"
    assert request.status == PhoneChangeRequest.Status.PENDING
    assert "授权书" not in request.letter.name  # stored under a generated name


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("授权书.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "内容与扩展名不符"),
        ("授权书.exe", PDF, "类型不允许"),
        ("授权书.png", PDF, "内容与扩展名不符"),
        ("空文件.pdf", b"", "空文件"),
    ],
)
def test_a_bad_letter_is_refused_by_name_and_nothing_is_filed(client, ent_tianhe, name, content, message, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = manual(client, ent_tianhe, SimpleUploadedFile(name, content))
    body = response.content.decode()
    assert message in body
    if content:
        assert name in body
    assert not PhoneChangeRequest.objects.exists()


def test_a_letter_over_the_size_limit_is_refused(client, ent_tianhe, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.AUTH_LETTER_MAX_BYTES = 1024
    response = manual(client, ent_tianhe, SimpleUploadedFile("大文件.png", PNG + b"\x00" * 2000))
    assert "“大文件.png”超过大小限制" in response.content.decode()
    assert not PhoneChangeRequest.objects.exists()


def test_an_unknown_account_is_refused_at_the_field(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.post("/accounts/phone/manual/", {
        "identifier": "nobody", "applicant_name": "张三", "new_mobile": "13788889999",
        "reason": "x", "letter": SimpleUploadedFile("a.pdf", PDF), **CAPTCHA_OK,
    })
    assert "未找到该账户" in response.content.decode()


@pytest.fixture
def pending(ent_tianhe, settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path
    manual(client, ent_tianhe, SimpleUploadedFile("授权书.pdf", PDF))
    return PhoneChangeRequest.objects.get(user=ent_tianhe)


def test_an_official_of_the_region_approves_and_the_new_number_gets_the_login_name(
    client, pending, tianhe_county, django_capture_on_commit_callbacks
):
    client.force_login(tianhe_county)
    url = f"/admin/accounts/phonechangerequest/{pending.pk}/change/"
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "approve", "opinion": "材料齐全"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == PhoneChangeRequest.Status.APPROVED
    assert pending.decided_by == tianhe_county
    pending.user.refresh_from_db()
    assert pending.user.mobile == "13788889999"
    sms = SmsMessage.objects.get()
    assert sms.to == "13788889999" and pending.user.username in sms.text


def test_a_rejection_needs_an_opinion(client, pending, tianhe_county):
    client.force_login(tianhe_county)
    url = f"/admin/accounts/phonechangerequest/{pending.pk}/change/"
    response = client.post(url, {"decision": "reject", "opinion": ""})
    assert "驳回时必须填写审核意见" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == PhoneChangeRequest.Status.PENDING
    client.post(url, {"decision": "reject", "opinion": "授权书未盖章"})
    pending.refresh_from_db()
    assert pending.status == PhoneChangeRequest.Status.REJECTED
    pending.user.refresh_from_db()
    assert pending.user.mobile == "13800000000"


def test_a_decided_request_cannot_be_decided_again(client, pending, tianhe_county):
    client.force_login(tianhe_county)
    url = f"/admin/accounts/phonechangerequest/{pending.pk}/change/"
    client.post(url, {"decision": "reject", "opinion": "授权书未盖章"})
    client.post(url, {"decision": "approve", "opinion": ""})
    pending.refresh_from_db()
    assert pending.status == PhoneChangeRequest.Status.REJECTED
    pending.user.refresh_from_db()
    assert pending.user.mobile == "13800000000"


def test_officials_of_other_regions_cannot_see_or_decide_it(client, pending, yuexiu_county, js_province):
    for official in (yuexiu_county, js_province):
        client.force_login(official)
        base = f"/admin/accounts/phonechangerequest/{pending.pk}"
        assert client.get(f"{base}/change/").status_code in (302, 404)
        assert client.get(f"{base}/letter/").status_code == 404
        client.post(f"{base}/change/", {"decision": "approve"})
        client.post("/admin/accounts/phonechangerequest/",
                    {"action": "approve_selected", "_selected_action": [pending.pk]})
        list_page = client.get("/admin/accounts/phonechangerequest/").content.decode()
        assert "13788889999" not in list_page
    pending.refresh_from_db()
    assert pending.status == PhoneChangeRequest.Status.PENDING


def test_the_letter_downloads_for_the_region_with_its_chinese_name(client, pending, gz_city):
    client.force_login(gz_city)
    response = client.get(f"/admin/accounts/phonechangerequest/{pending.pk}/letter/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert "%E6%8E%88%E6%9D%83%E4%B9%A6.pdf" in response["Content-Disposition"]


def test_a_letter_changed_on_disk_is_refused_and_logged(client, pending, gz_city, caplog):
    from tests.conftest import refused_and_logged, tamper

    assert len(pending.letter_sha256) == 64
    tamper(pending.letter)
    client.force_login(gz_city)
    response = client.get(f"/admin/accounts/phonechangerequest/{pending.pk}/letter/")
    assert refused_and_logged(response, caplog)
