"""Officials see 身份证号 and 手机号 only masked: admin lists, detail pages, messages."""

import pytest
from django.core.files.base import ContentFile

from common.masking import mask
from messaging.models import Message
from portal.accounts.models import PhoneChangeRequest
from portal.accounts.services import phone_change_request_approve
from portal.accounts.sms import send_sms

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("value", "masked"), [
    ("110101199003071234", "110***********1234"),
    ("11010119900307123X", "110***********123X"),
    ("13812345678", "138****5678"),
    ("12345678", "123*5678"),  # the shortest value that keeps both ends
    ("1234567", "*******"),
    ("", ""),
    (None, ""),
])
def test_one_rule_masks_id_numbers_and_mobiles(value, masked):
    assert mask(value) == masked


def test_the_account_page_shows_the_id_number_and_mobile_masked(client, person, tianhe_county):
    client.force_login(tianhe_county)
    page = client.get(f"/admin/accounts/user/{person.pk}/change/").content.decode()
    assert mask(person.id_number) in page and "139****0000" in page
    assert person.id_number not in page and "13900000000" not in page


def test_the_sms_list_and_record_show_the_number_masked(client, person, tianhe_county):
    sms = send_sms(to="13711112222", text="测试", recipient=person)
    client.force_login(tianhe_county)
    for url in ("/admin/accounts/smsmessage/", f"/admin/accounts/smsmessage/{sms.pk}/change/"):
        page = client.get(url).content.decode()
        assert "137****2222" in page and "13711112222" not in page


def test_an_official_outside_the_region_sees_no_sms(client, person, yuexiu_county):
    send_sms(to="13711112222", text="测试", recipient=person)
    client.force_login(yuexiu_county)
    assert "137****2222" not in client.get("/admin/accounts/smsmessage/").content.decode()


@pytest.fixture
def request_(ent_tianhe, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return PhoneChangeRequest.objects.create(
        user=ent_tianhe, new_mobile="13788889999", applicant_name="王五", reason="换号",
        letter=ContentFile(b"%PDF-1.4\n", name="l.pdf"), letter_name="授权书.pdf")


def test_the_phone_change_queue_and_request_show_the_new_number_masked(client, request_,
                                                                      tianhe_county):
    client.force_login(tianhe_county)
    for url in ("/admin/accounts/phonechangerequest/",
                f"/admin/accounts/phonechangerequest/{request_.pk}/change/"):
        page = client.get(url).content.decode()
        assert "137****9999" in page and "13788889999" not in page


def test_the_approval_message_names_the_new_number_masked(request_, tianhe_county):
    phone_change_request_approve(phone_request=request_, by=tianhe_county)
    title = Message.objects.get(recipient=request_.user).title
    assert "137****9999" in title and "13788889999" not in title
