"""The account of a logged-in request (IdentifierBackend.get_user): one query, every column,
the same row the ORM would give, and nothing for an id that is not an active account."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.backends import IdentifierBackend
from portal.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_account_comes_whole_in_one_query(ent_tianhe):
    with CaptureQueriesContext(connection) as queries:
        user = IdentifierBackend().get_user(str(ent_tianhe.pk))  # as the session keeps it
        orm = {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields}
    assert len(queries) == 1
    expected = User.objects.get(pk=ent_tianhe.pk)
    assert orm == {f.attname: getattr(expected, f.attname) for f in User._meta.concrete_fields}
    assert user.mobile == "13800000000"  # decrypted like the ORM's own read
    assert user.get_session_auth_hash() == expected.get_session_auth_hash()


@pytest.mark.parametrize("raw", ["abc", "1e30", "", "999999999", str(2**70), "1; DROP TABLE x"])
def test_an_id_that_is_no_account_gives_none(raw):
    assert IdentifierBackend().get_user(raw) is None


def test_an_inactive_account_gives_none(ent_tianhe):
    User.objects.filter(pk=ent_tianhe.pk).update(is_active=False)
    assert IdentifierBackend().get_user(ent_tianhe.pk) is None


def test_a_deactivated_account_is_logged_out_on_its_next_request(client, ent_tianhe):
    client.force_login(ent_tianhe, backend="portal.accounts.backends.IdentifierBackend")
    assert client.get("/enterprise/").status_code == 200
    User.objects.filter(pk=ent_tianhe.pk).update(is_active=False)
    response = client.get("/enterprise/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
