"""A title carries its enterprise's 注册地 (Recognition.region, read by the statistics): set
when it is recorded, moved with the enterprise, re-aligned by the counts' rebuild."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from enterprises import services
from enterprises.models import Enterprise, MajorChange, Recognition
from enterprises.services import Title, enterprise_for_account
from portal.regions.models import Region
from tests.conftest import make_uscc

pytestmark = pytest.mark.django_db


def firm(name: str, county: str, seq: int) -> Enterprise:
    return Enterprise.objects.create(uscc=make_uscc(county, seq), name=name,
                                     region=Region.objects.get(code=county))


def regions_of(enterprise: Enterprise) -> list[str | None]:
    return [r.code if r else None for r in
            (t.region for t in Recognition.objects.filter(enterprise=enterprise)
             .select_related("region"))]


def test_titles_granted_in_bulk_carry_the_region(gd_province):
    tianhe, shenzhen = firm("天河企业", "440106", 1), firm("深圳企业", "440305", 2)
    from tests.conftest import official

    sz = official("o_sz_2", "province", "440300")
    common = {"tier": "innovative", "valid_from": dt.date(2026, 1, 1),
              "valid_until": dt.date(2028, 12, 31)}
    services.recognitions_grant(by=gd_province, titles=[Title(enterprise_id=tianhe.pk, **common)])
    services.recognitions_grant(by=sz, titles=[Title(enterprise_id=shenzhen.pk, **common)])
    assert regions_of(tianhe) == ["440106"] and regions_of(shenzhen) == ["440305"]


def test_a_title_recorded_or_corrected_by_hand_carries_the_region(gd_province):
    tianhe, yuexiu = firm("天河企业", "440106", 1), firm("越秀企业", "440104", 2)
    saved = services.recognition_save(by=gd_province, recognition=None, enterprise=tianhe,
                                      tier="specialized", valid_from=dt.date(2024, 6, 1),
                                      valid_until=dt.date(2027, 5, 31))
    assert saved.region.code == "440106"
    moved = services.recognition_save(by=gd_province, recognition=saved, enterprise=yuexiu,
                                      tier="specialized", valid_from=dt.date(2024, 6, 1),
                                      valid_until=dt.date(2027, 5, 31))
    assert moved.region.code == "440104"


def test_an_out_of_scope_title_is_refused_and_nothing_is_written(gd_province):
    nanjing = firm("南京企业", "320102", 1)
    with pytest.raises(PermissionDenied):
        services.recognition_save(by=gd_province, recognition=None, enterprise=nanjing,
                                  tier="specialized", valid_from=dt.date(2024, 6, 1),
                                  valid_until=dt.date(2027, 5, 31))
    assert not Recognition.objects.exists()


def test_imported_titles_carry_the_region_of_new_and_existing_enterprises(gd_province):
    existing = firm("天河企业", "440106", 1)
    rows = [{"name": "天河企业", "uscc": existing.uscc, "region": Region.objects.get(code="440106"),
             "tier": "innovative", "batch": "2024年第一批", "valid_from": dt.date(2024, 6, 1),
             "valid_until": dt.date(2027, 5, 31)},
            {"name": "越秀新企业", "uscc": make_uscc("440104", 9),
             "region": Region.objects.get(code="440104"), "tier": "specialized",
             "batch": "2024年第一批", "valid_from": dt.date(2024, 6, 1),
             "valid_until": dt.date(2027, 5, 31)}]
    assert services.recognitions_import(by=gd_province, rows=rows) == 2
    assert sorted(Recognition.objects.values_list("enterprise__name", "region__code")) == [
        ("天河企业", "440106"), ("越秀新企业", "440104")]


def test_a_profile_edit_that_moves_the_enterprise_moves_its_titles(ent_tianhe):
    company = enterprise_for_account(user=ent_tianhe)
    company.region = Region.objects.get(code="440106")
    company.save()
    # An expired title: the enterprise is not recognised and may edit its 注册地.
    Recognition.objects.create(enterprise=company, region=company.region, tier="innovative",
                               valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2022, 12, 31))
    services.enterprise_update_profile(enterprise=company, by=ent_tianhe,
                                       data={"region": Region.objects.get(code="440104")},
                                       figures={})
    assert regions_of(company) == ["440104"]


def test_an_approved_relocation_moves_the_titles(ent_tianhe, tianhe_county):
    company = enterprise_for_account(user=ent_tianhe)
    company.region = Region.objects.get(code="440106")
    company.save()
    Recognition.objects.create(enterprise=company, region=company.region, tier="specialized",
                               valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2027, 12, 31))
    other = firm("他家企业", "440106", 7)
    Recognition.objects.create(enterprise=other, region=other.region, tier="specialized",
                               valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2027, 12, 31))
    change = MajorChange.objects.create(
        enterprise=company, change_type="relocation", changed_on=dt.date(2026, 5, 1),
        before="天河区", after="南京市玄武区", reason="迁址", status="submitted",
        submitted_at=timezone.now(), new_region=Region.objects.get(code="320102"),
        review_region=company.region)
    services.change_approve(change=change, by=tianhe_county, still_meets=True)
    assert regions_of(company) == ["320102"]
    assert regions_of(other) == ["440106"]  # nobody else's


def test_a_rename_leaves_the_titles_where_they_are(ent_tianhe, tianhe_county):
    company = enterprise_for_account(user=ent_tianhe)
    company.region = Region.objects.get(code="440106")
    company.save()
    Recognition.objects.create(enterprise=company, region=company.region, tier="specialized",
                               valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2027, 12, 31))
    change = MajorChange.objects.create(
        enterprise=company, change_type="rename", changed_on=dt.date(2026, 5, 1), before="旧名",
        after="新名", reason="更名", new_name="广州新名有限公司", status="submitted",
        submitted_at=timezone.now(), review_region=company.region)
    services.change_approve(change=change, by=tianhe_county, still_meets=True)
    assert regions_of(company) == ["440106"]


def test_the_database_keeps_the_copy_whatever_is_written():
    """The copy is read for access (认定记录 is scoped by it): no write can make it differ."""
    tianhe, yuexiu = firm("天河企业", "440106", 1), firm("越秀企业", "440104", 2)
    nowhere = Enterprise.objects.create(uscc=make_uscc("440106", 3), name="无注册地", region=None)
    common = {"tier": "innovative", "valid_from": dt.date(2026, 1, 1),
              "valid_until": dt.date(2028, 12, 31)}
    # Written around the model: a wrong copy, and none at all.
    Recognition.objects.bulk_create([
        Recognition(enterprise=yuexiu, region=tianhe.region, **common),
        Recognition(enterprise=nowhere, region=tianhe.region, **common)])
    title = Recognition.objects.create(enterprise=tianhe, **common)
    assert regions_of(yuexiu) == ["440104"] and regions_of(nowhere) == [None]
    # The copy changed by hand is put back.
    Recognition.objects.filter(pk=title.pk).update(region=yuexiu.region)
    assert regions_of(tianhe) == ["440106"]
    # The title moved to another enterprise takes that one's.
    Recognition.objects.filter(pk=title.pk).update(enterprise=yuexiu)
    assert regions_of(yuexiu) == ["440104", "440104"]
    # An enterprise moved by a raw UPDATE takes its titles along; a NULL too.
    Enterprise.objects.filter(pk=yuexiu.pk).update(region=Region.objects.get(code="320102"))
    assert regions_of(yuexiu) == ["320102", "320102"]
    Enterprise.objects.filter(pk=yuexiu.pk).update(region=None)
    assert regions_of(yuexiu) == [None, None]


TITLES = "/admin/enterprises/recognition/"


def test_a_title_saved_through_the_model_takes_its_enterprises_region():
    title = Recognition.objects.create(enterprise=firm("天河企业", "440106", 1), tier="innovative",
                                       valid_from=dt.date(2026, 1, 1),
                                       valid_until=dt.date(2028, 12, 31))
    assert title.region.code == "440106"


def test_the_officials_list_is_scoped_by_the_copy(client, gz_city, yuexiu_county):
    """认定记录 reads the title's own 注册地 column, no join to the enterprises."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    common = {"tier": "innovative", "valid_from": dt.date(2026, 1, 1),
              "valid_until": dt.date(2028, 12, 31)}
    Recognition.objects.create(enterprise=firm("天河企业", "440106", 1), **common)
    other = Recognition.objects.create(enterprise=firm("南京企业", "320102", 2), **common)
    client.force_login(gz_city)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(TITLES).content.decode()
    assert "天河企业" in body and "南京企业" not in body
    listed = [q["sql"] for q in queries if 'FROM "enterprises_recognition"' in q["sql"]
              and "LIMIT" in q["sql"]]
    assert listed and all('"enterprises_recognition"."region_id" IN' in sql for sql in listed)
    client.force_login(yuexiu_county)
    assert "南京企业" not in client.get(TITLES).content.decode()
    assert client.get(f"{TITLES}{other.pk}/change/").status_code == 404
