import pytest
from django.core.management import call_command

from portal.regions.models import DeclarationRegion, Region

pytestmark = pytest.mark.django_db


def test_the_full_tree_ships_with_the_migrations():
    assert Region.objects.filter(level="province").count() == 31
    assert Region.objects.filter(level="city").count() == 342
    # 2978 county-level rows less the three cities that are their own county (东莞, 中山, 儋州)
    assert Region.objects.filter(level="county").count() == 2975
    assert not Region.objects.filter(declaration_region__isnull=True).exists()
    assert not Region.objects.filter(level__in=["city", "county"], parent__isnull=True).exists()


def test_there_are_37_declaration_regions():
    assert DeclarationRegion.objects.count() == 37
    assert DeclarationRegion.objects.filter(kind="province").count() == 31
    assert set(DeclarationRegion.objects.filter(kind="plan_city").values_list("name", flat=True)) == {
        "大连市", "青岛市", "宁波市", "厦门市", "深圳市"}
    assert DeclarationRegion.objects.get(kind="corps").name == "新疆生产建设兵团"


@pytest.mark.parametrize(
    "code,declaration_region",
    [("440305", "深圳市"), ("440106", "广东省"), ("330212", "宁波市"), ("330106", "浙江省"),
     ("659001", "新疆生产建设兵团"), ("650102", "新疆维吾尔自治区"), ("110101", "北京市"),
     ("441900", "广东省")],
)
def test_each_region_declares_where_domain_rule_0_6_says(code, declaration_region):
    assert Region.objects.get(code=code).declaration_region.name == declaration_region


def test_full_names_skip_statistical_placeholders():
    assert Region.objects.get(code="110101").full_name == "北京市 东城区"
    assert Region.objects.get(code="440106").full_name == "广东省 广州市 天河区"


def test_municipalities_have_no_city_review_level():
    assert not DeclarationRegion.objects.get(code="110000").city_review
    assert DeclarationRegion.objects.get(code="440000").city_review


def test_load_reference_data_is_idempotent(capsys):
    call_command("load_reference_data")
    assert Region.objects.count() == 3348 and DeclarationRegion.objects.count() == 37
    assert "3348" in capsys.readouterr().out
