"""Officials' admin for enterprises: titles stay inside the official's scope (form and service),
malformed ids are form errors, and the history reads in local time with display values."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from enterprises import services
from enterprises.models import Enterprise, Industry, Recognition, UpdateWindow
from enterprises.services import enterprise_for_account
from tests.conftest import dr

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def firms(ent_tianhe, ent_nanjing, ent_shenzhen) -> dict[str, Enterprise]:
    return {"tianhe": enterprise_for_account(user=ent_tianhe),
            "nanjing": enterprise_for_account(user=ent_nanjing),
            "shenzhen": enterprise_for_account(user=ent_shenzhen)}


def title(enterprise: Enterprise) -> Recognition:
    return Recognition.objects.create(enterprise=enterprise, tier="specialized", batch="2024年第一批",
                                      valid_from=dt.date(2024, 6, 1), valid_until=dt.date(2027, 5, 31))


def save(by, enterprise, recognition=None) -> Recognition:
    return services.recognition_save(by=by, recognition=recognition, enterprise=enterprise,
                                     tier="specialized", valid_from=dt.date(2024, 6, 1),
                                     valid_until=dt.date(2027, 5, 31), batch="2024年第一批")


def test_a_province_official_records_a_title_of_its_own_region(gd_province, firms):
    saved = save(gd_province, firms["tianhe"])
    assert saved.enterprise == firms["tianhe"]


@pytest.mark.parametrize("other", ["nanjing", "shenzhen"])  # another province; a 计划单列市 inside it
def test_the_service_refuses_a_title_for_an_enterprise_outside_the_scope(gd_province, firms, other):
    with pytest.raises(PermissionDenied):
        save(gd_province, firms[other])
    assert not Recognition.objects.exists()


def test_the_service_refuses_moving_a_title_to_an_enterprise_outside_the_scope(gd_province, firms):
    existing = title(firms["tianhe"])
    existing.enterprise = firms["nanjing"]  # what the admin form's instance would carry
    with pytest.raises(PermissionDenied):
        save(gd_province, firms["nanjing"], recognition=existing)
    existing.refresh_from_db()
    assert existing.enterprise == firms["tianhe"]


def test_the_service_refuses_correcting_a_title_of_another_region(gd_province, firms):
    existing = title(firms["nanjing"])
    with pytest.raises(PermissionDenied):
        save(gd_province, firms["tianhe"], recognition=existing)
    existing.refresh_from_db()
    assert existing.enterprise == firms["nanjing"]


def test_the_update_window_service_keeps_a_province_to_its_own_region(gd_province):
    for region in (dr("320000"), None):  # another province; the national window
        with pytest.raises(PermissionDenied):
            services.update_window_save(by=gd_province, window=None, year=2026,
                                        declaration_region=region, starts_on=dt.date(2026, 1, 1),
                                        ends_on=dt.date(2026, 4, 30))
    assert not UpdateWindow.objects.exists()
    own = services.update_window_save(by=gd_province, window=None, year=2026,
                                      declaration_region=dr("440000"),
                                      starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 5, 31))
    assert own.declaration_region == dr("440000")


def test_changing_a_titles_enterprise_to_one_outside_the_scope_is_refused_in_the_admin(
        client, gd_province, firms):
    existing = title(firms["tianhe"])
    client.force_login(gd_province)
    response = client.post(reverse("admin:enterprises_recognition_change", args=[existing.pk]), {
        "enterprise": firms["nanjing"].pk, "tier": "specialized", "batch": "2024年第一批",
        "valid_from": "2024-06-01", "valid_until": "2027-05-31"})
    assert response.status_code == 200
    assert "enterprise" in response.context["adminform"].form.errors
    existing.refresh_from_db()
    assert existing.enterprise == firms["tianhe"]


@pytest.mark.parametrize("value", ["1e30", "NaN", "😀", "1.5", str(2**63), str(2**64), str(-(2**63) - 1)])
def test_a_malformed_or_huge_id_in_an_autocomplete_field_is_a_form_error(client, gd_province, firms,
                                                                          value):
    client.force_login(gd_province)
    response = client.post(reverse("admin:enterprises_recognition_add"), {
        "enterprise": value, "tier": "specialized", "batch": "2024年第一批",
        "valid_from": "2024-06-01", "valid_until": "2027-05-31"})
    assert response.status_code == 200
    assert "enterprise" in response.context["adminform"].form.errors
    assert not Recognition.objects.exists()


@pytest.mark.parametrize("value", ["1e30", "NaN", "😀", str(2**64)])
def test_a_malformed_region_id_on_the_official_form_is_a_form_error(client, gd_province, value):
    client.force_login(gd_province)
    response = client.post(reverse("admin:accounts_user_add"), {
        "username": "o_new", "password1": "Xy7#kq2Lm9pz", "password2": "Xy7#kq2Lm9pz",
        "official_level": "county", "region": value, "person_name": "王五"})
    assert response.status_code == 200
    assert "region" in response.context["adminform"].form.errors


def test_the_history_shows_local_times_and_display_values(client, gd_province, ent_tianhe):
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=CST), tick=False):
        firm = enterprise_for_account(user=ent_tianhe)
    with time_machine.travel(dt.datetime(2026, 3, 2, 23, 51, tzinfo=CST), tick=False):
        firm.industry = Industry.objects.get(code="3311")
        firm.scale = "small"
        firm._history_user = ent_tianhe
        firm.save()
    client.force_login(gd_province)
    body = client.get(reverse("admin:enterprises_enterprise_change", args=[firm.pk])).content.decode()
    assert "2026-03-02 23:51" in body and "2026-03-02 15:51" not in body
    assert str(Industry.objects.get(code="3311")) in body
    assert "小型" in body and ">small<" not in body


def test_the_history_names_the_account_not_its_id(client, gd_province, firms, ent_tianhe):
    firm = firms["tianhe"]
    firm.account = None
    firm.save()
    firm.account = ent_tianhe
    firm.save()
    client.force_login(gd_province)
    body = client.get(reverse("admin:enterprises_enterprise_change", args=[firm.pk])).content.decode()
    assert f"<td>{ent_tianhe}</td>" in body
    assert f"<td>{ent_tianhe.pk}</td>" not in body
