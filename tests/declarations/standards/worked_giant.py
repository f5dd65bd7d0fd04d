"""专精特新"小巨人" (§3.3) judged by hand: ten enterprises."""

from __future__ import annotations

from decimal import Decimal as D

from declarations.standards import (
    Award,
    AwardLevel,
    GiantInput,
    IpCounts,
    RdInstitutionLevel,
    Verdict,
)
from tests.declarations.standards.builders import fin
from tests.declarations.standards.worked_base import FAIL, OK, PASS, REVIEW, Worked

# ---------------------------------------------------------------------------------------
# 专精特新"小巨人" (§3.3) — lines are condition keys → (outcome, work)
# ---------------------------------------------------------------------------------------

R = RdInstitutionLevel

ALL_TRUE: dict[str, object] = {
    "holds_valid_specialized": True, "governance_sound": True, "core_business_it_system": True,
    "management_certification": True, "distinctive_advantage": True, "own_brand": True,
    "industrial_chain_role": True, "priority_product_field": True, "eligibility": OK,
}


def big(last: dict[str, object], before: dict[str, object], earliest: dict[str, object],
        **kwargs: object) -> GiantInput:
    return GiantInput(financials=fin(last, before, earliest),  # type: ignore[arg-type]
                      **{**ALL_TRUE, **kwargs})


GIANT = [
    Worked(
        "中坚", "giant",
        big({"operating_revenue": 20000, "main_business_revenue": 18000, "rd_expense": 800,
             "total_assets": 30000, "total_liabilities": 15000, "employees": 600,
             "rd_staff": 90},
            {"operating_revenue": 17000, "main_business_revenue": 15500, "rd_expense": 700},
            {"main_business_revenue": 13000},
            niche_years=D(10), niche_market_share=D(18), rd_institution=R.NATIONAL,
            ip=IpCounts(class1_applied=5)),
        {
            "zhuan.1": (PASS, "10 年 ≥ 3"),
            "zhuan.2": (PASS, "18000 / 20000 = 90.00% ≥ 70%"),
            "zhuan.3": (PASS, "(18000 − 15500) / 15500 = 16.13%; (15500 − 13000) / 13000 = "
                              "19.23%; (16.13 + 19.23) / 2 = 17.68% ≥ 5%"),
            "jing.4": (PASS, "15000 / 30000 = 50.00% ≤ 70%"),
            "te.1": (PASS, "18% ≥ 10%"),
            "xin.general.1": (PASS, "营业收入 20000 ≥ 1亿 → 均需≥3%: 800 / 20000 = 4.00%; "
                                    "700 / 17000 = 4.1176… = 4.12%"),
            "xin.general.3": (PASS, "5 项 ≥ 2"),
            "xin": (PASS, "一般性条件满足"),
        },
        Verdict.MEETS,
    ),
    Worked(
        "锐意", "giant",
        big({"operating_revenue": 8000, "main_business_revenue": 7000, "rd_expense": 440,
             "total_assets": 10000, "total_liabilities": 6000, "employees": 300,
             "rd_staff": 60},
            {"operating_revenue": 7500, "main_business_revenue": 6500, "rd_expense": 420},
            {"main_business_revenue": 6000},
            niche_years=D(6), niche_market_share=D(12), rd_institution=R.PROVINCIAL,
            ip=IpCounts(class1_applied=3), maker_china_rank=30),
        {
            "zhuan.2": (PASS, "7000 / 8000 = 87.50%"),
            "zhuan.3": (PASS, "(7000 − 6500) / 6500 = 7.69%; (6500 − 6000) / 6000 = 8.33%; "
                              "(7.69 + 8.33) / 2 = 8.01%"),
            "jing.4": (PASS, "6000 / 10000 = 60.00%"),
            "xin.general.1": (FAIL, "8000 in 5000万–1亿 → 均需≥6%: 440 / 8000 = 5.50%; "
                                    "420 / 7500 = 5.60%"),
            "xin.general": (FAIL, "一般性条件不满足"),
            "xin.direct.2": (PASS, "创客中国 全国第30名 ≤ 50"),
            "xin": (PASS, "创新直通条件满足"),
        },
        Verdict.MEETS,
    ),
    Worked(
        "恒星", "giant",
        big({"operating_revenue": 3000, "main_business_revenue": 2800, "rd_expense": 1800,
             "total_assets": 20000, "total_liabilities": 4000, "employees": 120,
             "rd_staff": 60, "new_equity_financing": 5000},
            {"operating_revenue": 2000, "main_business_revenue": 1900, "rd_expense": 1200,
             "new_equity_financing": 3000},
            {"main_business_revenue": 1200},
            niche_years=D(4), niche_market_share=D(25), rd_institution=R.MUNICIPAL,
            ip=IpCounts(class1_applied=2)),
        {
            "zhuan.2": (PASS, "2800 / 3000 = 93.33%"),
            "zhuan.3": (PASS, "(2800 − 1900) / 1900 = 47.37%; (1900 − 1200) / 1200 = 58.33%; "
                              "(47.37 + 58.33) / 2 = 52.85%"),
            "jing.4": (PASS, "4000 / 20000 = 20.00%"),
            "xin.general.1": (PASS, "3000 < 5000 → 股权融资 5000 + 3000 = 8000 (edge); "
                                    "研发费用 1800 + 1200 = 3000 (edge); 60 / 120 = 50.00% "
                                    "(edge)"),
            "xin.general.2": (PASS, "市级研发机构 → 已建立"),
            "xin.general.3": (PASS, "2 项 (edge)"),
        },
        Verdict.MEETS,
    ),
    Worked(
        "博识", "giant",
        big({"operating_revenue": 15000, "main_business_revenue": 12000, "rd_expense": 600,
             "total_assets": 20000, "total_liabilities": 14000, "employees": 400,
             "rd_staff": 50},
            {"operating_revenue": 14000, "main_business_revenue": 11000, "rd_expense": 560},
            {"main_business_revenue": 10000},
            niche_years=D(3), niche_market_share=D(10), rd_institution=R.PROVINCIAL,
            ip=IpCounts(class1_applied=2), industrial_chain_role=None),
        {
            "zhuan.1": (PASS, "3 年 (edge)"),
            "zhuan.2": (PASS, "12000 / 15000 = 80.00%"),
            "zhuan.3": (PASS, "(12000 − 11000) / 11000 = 9.09%; (11000 − 10000) / 10000 = "
                              "10.00%; (9.09 + 10.00) / 2 = 9.545 = 9.55%"),
            "jing.4": (PASS, "14000 / 20000 = 70.00% (edge ≤70%)"),
            "te.1": (PASS, "10% (edge)"),
            "xin.general.1": (PASS, "≥1亿: 600 / 15000 = 4.00%; 560 / 14000 = 4.00%"),
            "lian": (REVIEW, "产业链配套 尚待判断"),
        },
        Verdict.REVIEW,
    ),
    Worked(
        "蓝海", "giant",
        big({"operating_revenue": 12000, "main_business_revenue": 10500, "rd_expense": 500,
             "total_assets": 10000, "total_liabilities": 5000, "employees": 300,
             "rd_staff": 40},
            {"operating_revenue": 11000, "main_business_revenue": 10000, "rd_expense": 400},
            {"main_business_revenue": 9600},
            niche_years=D(7), niche_market_share=D(15), rd_institution=R.NATIONAL,
            ip=IpCounts(class1_applied=4)),
        {
            "zhuan.2": (PASS, "10500 / 12000 = 87.50%"),
            "zhuan.3": (FAIL, "(10500 − 10000) / 10000 = 5.00%; (10000 − 9600) / 9600 = "
                              "4.1666… = 4.17%; exact mean (5 + 4.1666…) / 2 = 4.5833… = 4.58% < 5%"),
            "zhuan": (FAIL, "专业化不满足"),
            "xin.general.1": (PASS, "≥1亿: 500 / 12000 = 4.17%; 400 / 11000 = 3.64%"),
            "xin": (PASS, "一般性条件满足"),
        },
        Verdict.FAILS,
    ),
    Worked(
        "长风", "giant",
        big({"operating_revenue": 9000, "main_business_revenue": 8500, "rd_expense": 700,
             "total_assets": 10000, "total_liabilities": 7200, "employees": 250,
             "rd_staff": 40},
            {"operating_revenue": 8000, "main_business_revenue": 7500, "rd_expense": 560},
            {"main_business_revenue": 6500},
            niche_years=D(5), niche_market_share=D(11), rd_institution=R.PROVINCIAL,
            ip=IpCounts(class1_applied=3), core_business_it_system=False),
        {
            "zhuan.2": (PASS, "8500 / 9000 = 94.44%"),
            "zhuan.3": (PASS, "(8500 − 7500) / 7500 = 13.33%; (7500 − 6500) / 6500 = 15.38%; "
                              "(13.33 + 15.38) / 2 = 14.355 = 14.36%"),
            "jing.2": (FAIL, "无核心业务信息系统"),
            "jing.4": (FAIL, "7200 / 10000 = 72.00% > 70%"),
            "jing": (FAIL, "精细化不满足"),
            "xin.general.1": (PASS, "5000万–1亿 → ≥6%: 700 / 9000 = 7.78%; 560 / 8000 = 7.00%"),
        },
        Verdict.FAILS,
    ),
    Worked(
        "启航", "giant",
        big({"operating_revenue": 6000, "main_business_revenue": 5000, "rd_expense": 400,
             "total_assets": 8000, "total_liabilities": 3000, "employees": 200,
             "rd_staff": 30},
            {"operating_revenue": 5200, "main_business_revenue": 4400, "rd_expense": 330},
            {"main_business_revenue": 4000},
            niche_years=D(4), niche_market_share=D(8), rd_institution=R.MUNICIPAL,
            ip=IpCounts(class1_applied=2), priority_product_field=False),
        {
            "zhuan.2": (PASS, "5000 / 6000 = 83.33%"),
            "zhuan.3": (PASS, "(5000 − 4400) / 4400 = 13.64%; (4400 − 4000) / 4000 = 10.00%; "
                              "(13.64 + 10.00) / 2 = 11.82%"),
            "jing.4": (PASS, "3000 / 8000 = 37.50%"),
            "te.1": (FAIL, "8.00% < 10%"),
            "xin.general.1": (PASS, "5000万–1亿 → ≥6%: 400 / 6000 = 6.67%; 330 / 5200 = 6.35%"),
            "pin": (FAIL, "主导产品不属于重点领域"),
        },
        Verdict.FAILS,
    ),
    Worked(
        "新锐", "giant",
        big({"operating_revenue": 4000, "main_business_revenue": 3800, "rd_expense": 800,
             "total_assets": 6000, "total_liabilities": 2000, "employees": 100,
             "rd_staff": 55, "new_equity_financing": 3000},
            {"operating_revenue": 3000, "main_business_revenue": 2800, "rd_expense": 700,
             "new_equity_financing": 2000},
            {"main_business_revenue": 2000},
            niche_years=D(5), niche_market_share=D(20), rd_institution=R.PROVINCIAL,
            ip=IpCounts(class1_applied=3), awards=(Award(AwardLevel.NATIONAL, 4),)),
        {
            "zhuan.3": (PASS, "(3800 − 2800) / 2800 = 35.71%; (2800 − 2000) / 2000 = 40.00%; "
                              "(35.71 + 40.00) / 2 = 37.855 = 37.86%"),
            "jing.4": (PASS, "2000 / 6000 = 33.33%"),
            "xin.general.1": (FAIL, "4000 < 5000 → 股权融资 3000 + 2000 = 5000 < 8000; "
                                    "研发费用 800 + 700 = 1500 < 3000; 55 / 100 = 55.00%"),
            "xin.direct.1": (FAIL, "国家级科技奖励排名第4 > 3"),
            "xin.direct.2": (FAIL, "未入围创客中国"),
            "xin": (FAIL, "创新能力不满足"),
        },
        Verdict.FAILS,
    ),
    Worked(
        "致远", "giant",
        big({"operating_revenue": 30000, "main_business_revenue": 24000, "rd_expense": 1500,
             "total_assets": 40000, "total_liabilities": 20000, "employees": 800,
             "rd_staff": 100},
            {"operating_revenue": 27000, "main_business_revenue": 21000, "rd_expense": 1300},
            {"main_business_revenue": 19000},
            niche_years=D(12), niche_market_share=D(30), rd_institution=R.NATIONAL,
            ip=IpCounts(class1_applied=1), awards=(Award(AwardLevel.NATIONAL, 2),)),
        {
            "zhuan.2": (PASS, "24000 / 30000 = 80.00%"),
            "zhuan.3": (PASS, "(24000 − 21000) / 21000 = 14.29%; (21000 − 19000) / 19000 = "
                              "10.53%; (14.29 + 10.53) / 2 = 12.41%"),
            "xin.general.1": (PASS, "≥1亿: 1500 / 30000 = 5.00%; 1300 / 27000 = 4.81%"),
            "xin.general.3": (FAIL, "1 项 < 2"),
            "xin.direct.1": (PASS, "国家级科技奖励排名第2"),
            "xin": (PASS, "创新直通条件满足"),
        },
        Verdict.MEETS,
    ),
    Worked(
        "明德", "giant",
        big({"operating_revenue": 11000, "main_business_revenue": 10000, "rd_expense": 400,
             "total_assets": 10000, "total_liabilities": 5000, "employees": 200,
             "rd_staff": 30},
            {"operating_revenue": 10000, "main_business_revenue": 9000, "rd_expense": 350},
            {},
            niche_years=None, niche_market_share=D(15), rd_institution=R.PROVINCIAL,
            ip=IpCounts(class1_applied=2), holds_valid_specialized=None),
        {
            "zhuan.1": (FAIL, "细分市场年限缺失"),
            "zhuan.2": (PASS, "10000 / 11000 = 90.909… = 90.91%"),
            "zhuan.3": (FAIL, "上上上年度主营业务收入缺失 → 无法计算"),
            "xin.general.1": (PASS, "≥1亿: 400 / 11000 = 3.64%; 350 / 10000 = 3.50%"),
            "prerequisite": (REVIEW, "专精特新资格待核实"),
        },
        # a failure outweighs the pending prerequisite
        Verdict.FAILS,
        missing=("niche_years", "financials.two_years_before.main_business_revenue"),
    ),
]
