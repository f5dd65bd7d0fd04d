"""Change history (等保 2.0 安全审计 a–b) by django-simple-history on the models that matter:
who changed what and when; 身份证号, 手机号 and passwords never enter it."""

from __future__ import annotations

import datetime as dt

import pytest

from common.models import DecisionEvent
from common.tiers import Tier
from declarations import services
from enterprises.models import Enterprise, Recognition
from enterprises.services import Title, recognitions_grant
from portal.accounts.models import User

pytestmark = pytest.mark.django_db


def test_a_declarations_changes_and_its_decisions_are_kept_with_who_made_them(
        ent_tianhe, company, gd_innovative, tianhe_county):
    from tests.declarations.test_lifecycle import filled

    draft = filled(services.declaration_start(enterprise=company, by=ent_tianhe,
                                              tier=Tier.INNOVATIVE), ent_tianhe)
    filed = services.declaration_submit(declaration=draft, by=ent_tianhe, pledge=True)
    services.declaration_return(declaration=filed, by=tianhe_county, opinion="补充材料")
    statuses = list(filed.history.order_by("history_id").values_list("status", flat=True))
    assert statuses[0] == "draft" and statuses[-1] == "returned" and "at_county" in statuses
    events = DecisionEvent.objects.filter(object_id=filed.pk)
    assert DecisionEvent.history.filter(id__in=events.values("id")).count() == events.count()


def test_the_history_user_is_the_official_who_made_the_change(client, ent_tianhe, gd_province):
    from django.urls import reverse

    client.force_login(gd_province)
    response = client.post(reverse("admin:accounts_user_change", args=[ent_tianhe.pk]), {
        "person_name": "王五", "mobile": ent_tianhe.mobile, "email": ent_tianhe.email,
        "is_active": "on"})
    assert response.status_code == 302
    latest = ent_tianhe.history.latest("history_id")
    assert (latest.person_name, latest.history_user) == ("王五", gd_province)


def test_a_users_id_number_mobile_and_password_never_enter_the_history(person):
    person.mobile = "13911112222"
    person.set_password("Fresh#2027word")
    person.save()
    history = User.history.model
    fields = {f.name for f in history._meta.get_fields()}
    assert not {"password", "id_number", "mobile", "last_login"} & fields
    text = str(list(history.objects.filter(id=person.pk).values()))
    assert person.id_number not in text and "13911112222" not in text
    assert "person_name" in fields


def test_a_login_writes_no_empty_history_row(client, ent_tianhe):
    before = ent_tianhe.history.count()
    client.force_login(ent_tianhe)  # saves last_login only
    assert ent_tianhe.history.count() == before


def test_a_change_to_an_account_is_kept(gd_province):
    gd_province.is_active = False
    gd_province.save()
    assert [h.is_active for h in gd_province.history.order_by("history_id")] == [True, False]


def test_titles_granted_in_bulk_have_their_history(gd_province, ent_tianhe):
    from enterprises.services import enterprise_for_account

    company = enterprise_for_account(user=ent_tianhe)
    [title] = recognitions_grant(by=gd_province, titles=[Title(
        enterprise_id=company.pk, tier=Tier.INNOVATIVE, batch="2026年第一批", document_no="粤工信1号",
        certificate_no="2026440000C000001", valid_from=dt.date(2026, 6, 1),
        valid_until=dt.date(2029, 5, 31), standard_version="2022")])
    [row] = Recognition.history.filter(id=title.pk)
    assert (row.history_type, row.history_user, row.certificate_no) == (
        "+", gd_province, "2026440000C000001")


def test_enterprise_history_was_already_kept_and_still_is(ent_tianhe):
    from enterprises.services import enterprise_for_account

    company = enterprise_for_account(user=ent_tianhe)
    assert Enterprise.history.filter(id=company.pk).exists()
