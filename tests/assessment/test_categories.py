"""Industry → questionnaire category (domain.md §5.3): one function, every 门类."""

import pytest

from assessment.models import Category, ProducerServiceIndustry
from assessment.selectors import category_for_industry
from enterprises.models import Industry

M, P, OTH = Category.MANUFACTURING, Category.PRODUCER_SERVICES, Category.OTHER

CASES = [
    ("0111", OTH),  # A 稻谷种植
    ("0511", P),  # A 农林牧渔专业及辅助性活动 → 10 生产性支持服务
    ("0610", OTH),  # B 煤炭开采
    ("1120", P),  # B 开采专业及辅助性活动
    ("1311", M),  # C 制造业, first 大类
    ("3311", M),  # C 金属结构制造
    ("4320", M),  # C 43 修理业: 门类 C wins over the crosswalk
    ("4411", OTH),  # D 火力发电
    ("4710", OTH),  # E 住宅房屋建筑
    ("5171", P),  # F 批发业 → 09 批发与贸易经纪代理服务
    ("5211", OTH),  # F 百货零售
    ("5431", P),  # G 道路货物运输
    ("5411", OTH),  # G 公共电汽车客运
    ("6110", OTH),  # H 旅游饭店
    ("6513", P),  # I 软件开发 → 03 信息服务
    ("6621", P),  # J 商业银行服务 → 04 金融服务
    ("7010", OTH),  # K 房地产开发经营
    ("7211", P),  # L 企业总部管理 → 07 商务服务
    ("7310", P),  # M 自然科学研究和试验发展 → 01
    ("7721", P),  # N 水污染治理 → 05 节能与环保服务
    ("8010", OTH),  # O 家庭服务
    ("8310", OTH),  # P 学前教育
    ("8411", OTH),  # Q 综合医院
    ("8610", OTH),  # R 新闻业
    ("9011", OTH),  # R 歌舞厅娱乐活动
    ("9100", OTH),  # S 中国共产党机关
    ("9700", OTH),  # T 国际组织
]


def test_the_cases_cover_every_section():
    sections = {Industry.objects.get(code=code).section for code, _ in CASES}
    assert sections == set("ABCDEFGHIJKLMNOPQRST")


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code,expected", CASES)
def test_each_industry_gets_its_category(code, expected):
    match = category_for_industry(Industry.objects.get(code=code))
    assert match.category == expected
    assert code in match.reason


def test_a_producer_services_match_names_the_class_and_that_it_is_unconfirmed():
    match = category_for_industry(Industry.objects.get(code="5171"))
    assert "09 批发与贸易经纪代理服务" in match.reason and "尚待" in match.reason


def test_an_industry_above_the_class_level_matches_through_its_own_code():
    assert category_for_industry(Industry.objects.get(code="65")).category == P
    assert category_for_industry(Industry.objects.get(code="C")).category == M
    assert category_for_industry(Industry.objects.get(code="F")).category == OTH


def test_no_industry_means_no_questionnaire_yet():
    assert category_for_industry(None) is None


def test_the_crosswalk_is_data_officials_can_change():
    ProducerServiceIndustry.objects.create(industry_code="5211", industry_name="百货零售",
                                           ps_class="09 批发与贸易经纪代理服务", confirmed=True)
    match = category_for_industry(Industry.objects.get(code="5211"))
    assert match.category == P and "尚待" not in match.reason
