"""身份证号 and 手机号 at rest: encrypted columns, keyed hashes, key rotation, the system checks."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory

from common import crypto
from common.checks import field_keys_check, field_keys_not_dev_check
from portal.accounts.backends import axes_username, find_account
from portal.accounts.models import LoginFailure, PhoneChangeRequest, SmsMessage, User
from portal.accounts.services import account_register_person
from portal.accounts.sms import send_sms
from tests.accounts.helpers import post_login
from tests.conftest import PASSWORD, make_id_number

pytestmark = pytest.mark.django_db

ID = make_id_number("440106")
OLD_KEY = crypto.DEV_ENCRYPTION_KEY
NEW_KEY = crypto.new_key()


def raw(table: str, column: str, pk: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s",
                       [pk])
        return cursor.fetchone()[0]


def all_raw_text() -> str:
    """Every text cell of the tables that hold 身份证号 or 手机号, as one string."""
    cells = []
    with connection.cursor() as cursor:
        for model in (User, PhoneChangeRequest, SmsMessage):
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")
            cells += [str(cell) for row in cursor.fetchall() for cell in row]
    return "\n".join(cells)


def test_the_database_holds_no_clear_text_of_id_numbers_or_mobiles(person, ent_tianhe):
    send_sms(to="13711112222", text="测试", recipient=person)
    PhoneChangeRequest.objects.create(user=ent_tianhe, new_mobile="13633334444",
                                      applicant_name="王五", reason="换号", letter="x.pdf")
    stored = all_raw_text()
    for clear in (ID, person.mobile, ent_tianhe.mobile, "13711112222", "13633334444"):
        assert clear not in stored
    assert raw("accounts_user", "id_number", person.pk).startswith("enc1:")
    assert raw("accounts_user", "mobile", person.pk).startswith("enc1:")
    # and the model reads them back in clear
    person.refresh_from_db()
    assert person.id_number == ID and person.mobile == "13900000000"
    assert SmsMessage.objects.get().to == "13711112222"
    assert PhoneChangeRequest.objects.get().new_mobile == "13633334444"


def test_the_same_number_encrypts_differently_each_time(ent_tianhe, ent_yuexiu):
    assert ent_tianhe.mobile == ent_yuexiu.mobile
    assert raw("accounts_user", "mobile", ent_tianhe.pk) != raw("accounts_user", "mobile",
                                                               ent_yuexiu.pk)


def test_a_ciphertext_copied_into_another_column_does_not_open(person):
    sealed = raw("accounts_user", "id_number", person.pk)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET mobile = %s WHERE id = %s", [sealed, person.pk])
    with pytest.raises(crypto.DecryptionError):
        User.objects.get(pk=person.pk)


def test_a_lookup_on_an_encrypted_column_fails_loudly_instead_of_finding_nothing(person):
    with pytest.raises(FieldError):
        User.objects.filter(id_number=ID).exists()
    assert User.objects.filter(id_number__isnull=False).get() == person


def test_login_by_id_number_and_the_already_registered_check_use_the_keyed_hash(client, person):
    assert raw("accounts_user", "id_number_hash", person.pk) == crypto.blind_index(ID)
    assert find_account(ID.lower()) == person
    assert post_login(client, f" {ID[:6]} {ID[6:]} ", PASSWORD).status_code == 302
    with pytest.raises(ValidationError) as refused:
        account_register_person(username="another", id_number=ID.lower(), person_name="李四",
                                mobile="13900000001", email="b@example.cn", password=PASSWORD)
    assert "该身份证号已注册账户" in str(refused.value)


def test_the_database_refuses_a_second_account_with_the_same_id_number(person):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="dup", kind="person", id_number=ID)


def test_an_unregistered_id_number_typed_at_login_is_counted_by_its_hash(client):
    other = make_id_number("110101", seq=456)
    request = RequestFactory().post("/accounts/login/", {"username": other})
    key = axes_username(request, {"username": other})
    assert other not in key and key.startswith("身份证号#")
    post_login(client, other, "wrong-password")
    assert LoginFailure.objects.get().username == key


def test_clear_text_left_from_before_is_sealed_by_the_migration(person):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET id_number = %s, mobile = %s, "
                       "id_number_hash = NULL WHERE id = %s", [ID, "13900000000", person.pk])
    assert raw("accounts_user", "id_number", person.pk) == ID
    migration = importlib.import_module("portal.accounts.migrations.0004_encrypt_personal_data")
    migration.encrypt_existing(apps, None)
    assert ID not in all_raw_text() and "13900000000" not in all_raw_text()
    assert raw("accounts_user", "id_number_hash", person.pk) == crypto.blind_index(ID)
    assert find_account(ID) == person


def test_rotation_reencrypts_every_value_under_the_first_key(settings, person, ent_tianhe):
    send_sms(to="13711112222", text="测试", recipient=person)
    old_kid = crypto.key_id(crypto.decode_key(OLD_KEY))
    assert raw("accounts_user", "id_number", person.pk).startswith(f"enc1:{old_kid}:")

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    person.refresh_from_db()
    assert person.id_number == ID  # old values still open while both keys are configured
    call_command("rotate_field_keys")

    new_kid = crypto.key_id(crypto.decode_key(NEW_KEY))
    for table, column, pk in [("accounts_user", "id_number", person.pk),
                              ("accounts_user", "mobile", person.pk),
                              ("accounts_user", "mobile", ent_tianhe.pk),
                              ("accounts_smsmessage", "to", SmsMessage.objects.get().pk)]:
        assert raw(table, column, pk).startswith(f"enc1:{new_kid}:")

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the old key removed
    person.refresh_from_db()
    assert person.id_number == ID and person.mobile == "13900000000"
    assert find_account(ID) == person

    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]  # the old key alone no longer opens them
    with pytest.raises(crypto.DecryptionError):
        person.refresh_from_db()


def test_the_command_prints_a_fresh_key(capsys):
    call_command("rotate_field_keys", "--new-key")
    assert len(crypto.decode_key(capsys.readouterr().out.strip())) == 32


@pytest.mark.parametrize(("keys", "hash_key", "expected"), [
    ([], crypto.DEV_HASH_KEY, "common.E010"),
    (["not-base64!"], crypto.DEV_HASH_KEY, "common.E011"),
    (["c2hvcnQ="], crypto.DEV_HASH_KEY, "common.E011"),  # 5 bytes
    ([NEW_KEY], "", "common.E012"),
    ([NEW_KEY], NEW_KEY, "common.E013"),
])
def test_the_system_check_refuses_missing_or_bad_keys(settings, keys, hash_key, expected):
    settings.FIELD_ENCRYPTION_KEYS, settings.FIELD_HASH_KEY = keys, hash_key
    assert expected in [error.id for error in field_keys_check()]


def test_the_system_check_accepts_good_keys(settings):
    settings.FIELD_ENCRYPTION_KEYS, settings.FIELD_HASH_KEY = [NEW_KEY], crypto.new_key()
    assert field_keys_check() == [] and field_keys_not_dev_check() == []


def test_the_deploy_check_refuses_the_development_keys(settings):
    assert [e.id for e in field_keys_not_dev_check()] == ["common.E014"]
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert [e.id for e in field_keys_not_dev_check()] == ["common.E014"]  # the hash key still is
