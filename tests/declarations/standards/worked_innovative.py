"""创新型中小企业 (§3.1) scored by hand: ten enterprises."""

from __future__ import annotations

from declarations.standards import (
    Award,
    AwardLevel,
    BasicEligibility,
    Honor,
    InnovativeInput,
    IpCounts,
    RdInstitutionLevel,
    Verdict,
)
from tests.declarations.standards.builders import fin
from tests.declarations.standards.worked_base import OK, Worked

# ---------------------------------------------------------------------------------------
# 创新型中小企业 (§3.1)
# ---------------------------------------------------------------------------------------

INNOVATIVE = [
    Worked(
        "甲精密", "innovative",
        InnovativeInput(
            fin({"operating_revenue": 4000, "main_business_revenue": 3600, "rd_expense": 180,
                 "total_assets": 5000, "total_liabilities": 2500, "new_equity_financing": 0},
                {"main_business_revenue": 3000, "new_equity_financing": 0},
                {"new_equity_financing": 0}),
            IpCounts(0, 2, 2, 5), True, eligibility=OK),
        {
            "1": (15, "自主研发Ⅰ类 2 项 ≥1 → 15"),
            "2": (15, "研发费用 180 / 营业收入 4000 = 4.50% → 3%–5% → 15"),
            "3": (20, "(3600 − 3000) / 3000 = 20.00% → ≥15% → 20"),
            "4": (10, "2500 / 5000 = 50.00% → ≤55% → 10"),
            "5": (10, "战略性新兴产业 → 10"),
            "6": (20, "3600 / 4000 = 90.00% → ≥70% → 20"),
        },
        Verdict.MEETS, 90, {"创新能力": 30, "成长性": 30, "专业化": 30},
    ),
    Worked(
        "乙软件", "innovative",
        InnovativeInput(
            fin({"operating_revenue": 2000, "main_business_revenue": 1900, "rd_expense": 30,
                 "total_assets": 1000, "total_liabilities": 300, "new_equity_financing": 0},
                {"main_business_revenue": 1600, "new_equity_financing": 0},
                {"new_equity_financing": 0}),
            IpCounts(0, 0, 0, 0), False, eligibility=OK),
        {
            "1": (0, "无知识产权 → 0"),
            "2": (5, "30 / 2000 = 1.50% → 1%–2% → 5"),
            "3": (20, "(1900 − 1600) / 1600 = 18.75% → ≥15% → 20"),
            "4": (10, "300 / 1000 = 30.00% → ≤55% → 10"),
            "5": (5, "其他领域 → 5"),
            "6": (20, "1900 / 2000 = 95.00% → 20"),
        },
        # total 60 but 创新能力 5 < 20 and no direct condition
        Verdict.FAILS, 60, {"创新能力": 5, "成长性": 30, "专业化": 25},
    ),
    Worked(
        "丙材料", "innovative",
        InnovativeInput(
            fin({"operating_revenue": 1500, "main_business_revenue": 1200, "rd_expense": 15,
                 "total_assets": 1000, "total_liabilities": 800, "new_equity_financing": 0},
                {"main_business_revenue": 1250, "new_equity_financing": 0},
                {"new_equity_financing": 0}),
            IpCounts(0, 0, 0, 2), False, honors=frozenset({Honor.HIGH_TECH}), eligibility=OK),
        {
            "1": (5, "Ⅱ类 2 项 → 5"),
            "2": (5, "15 / 1500 = 1.00% → edge of 1%–2% → 5"),
            "3": (0, "(1200 − 1250) / 1250 = -4.00% → <0 → 0"),
            "4": (0, "800 / 1000 = 80.00% → >75% → 0"),
            "5": (5, "其他领域 → 5"),
            "6": (20, "1200 / 1500 = 80.00% → 20"),
        },
        # 35 points, but 高新技术企业 is a direct condition
        Verdict.MEETS, 35, {"创新能力": 10, "成长性": 0, "专业化": 25},
    ),
    Worked(
        "丁装备", "innovative",
        InnovativeInput(
            fin({"operating_revenue": 3150, "main_business_revenue": 1890, "rd_expense": 63,
                 "total_assets": 10000, "total_liabilities": 5500, "new_equity_financing": 0},
                {"main_business_revenue": 1800, "new_equity_financing": 0},
                {"new_equity_financing": 0}),
            IpCounts(0, 0, 1, 3), False, eligibility=OK),
        {
            "1": (10, "Ⅰ类 1 项 → 10"),
            "2": (10, "63 / 3150 = 2.00% → edge of 2%–3% → 10"),
            "3": (10, "(1890 − 1800) / 1800 = 5.00% → edge of 5%–10% → 10"),
            "4": (10, "5500 / 10000 = 55.00% → edge ≤55% → 10"),
            "5": (5, "其他领域 → 5"),
            "6": (15, "1890 / 3150 = 60.00% → edge of 60%–70% → 15"),
        },
        # exactly 60 with 创新能力 exactly 20: every edge passes
        Verdict.MEETS, 60, {"创新能力": 20, "成长性": 20, "专业化": 20},
    ),
    Worked(
        "戊生物", "innovative",
        InnovativeInput(
            fin({"operating_revenue": 5000, "main_business_revenue": 4500, "rd_expense": 500,
                 "total_assets": 10000, "total_liabilities": 7600, "new_equity_financing": 100},
                {"main_business_revenue": 4500, "new_equity_financing": 200},
                {"new_equity_financing": "199.99"}),
            IpCounts(1, 1, 1, 0), True, eligibility=OK),
        {
            "1": (20, "Ⅰ类高价值 1 项 → 20"),
            "2": (20, "500 / 5000 = 10.00% → ≥5% → 20"),
            "3": (5, "(4500 − 4500) / 4500 = 0.00% → edge of 0%–5% → 5"),
            "4": (0, "7600 / 10000 = 76.00% → >75% → 0"),
            "5": (10, "战略性新兴产业 → 10"),
            "6": (20, "4500 / 5000 = 90.00% → 20"),
        },
        # 75 points but 成长性 5 < 15; equity 100 + 200 + 199.99 = 499.99 < 500
        Verdict.FAILS, 75, {"创新能力": 40, "成长性": 5, "专业化": 30},
    ),
    Worked(
        "己科技", "innovative",
        InnovativeInput(
            fin({"operating_revenue": 800, "main_business_revenue": 700, "rd_expense": 0,
                 "total_assets": 1000, "total_liabilities": 100, "new_equity_financing": 200},
                {"main_business_revenue": 800, "new_equity_financing": 200},
                {"new_equity_financing": 100}),
            IpCounts(0, 0, 0, 0), None, eligibility=OK),
        {
            "1": (0, "无 → 0"),
            "2": (0, "0 / 800 = 0.00% → <1% → 0"),
            "3": (0, "(700 − 800) / 800 = -12.50% → 0"),
            "4": (10, "100 / 1000 = 10.00% → 10"),
            "5": (0, "未填报主导产品所属领域 → 0 (missing)"),
            "6": (20, "700 / 800 = 87.50% → 20"),
        },
        # 30 points; 近三年股权融资 200 + 200 + 100 = 500 → direct condition 4 (edge)
        Verdict.MEETS, 30, {"创新能力": 0, "成长性": 10, "专业化": 20},
        missing=("strategic_emerging_product",),
    ),
    Worked(
        "庚电子", "innovative",
        InnovativeInput(
            fin({"operating_revenue": 5000, "main_business_revenue": 4200, "rd_expense": 250,
                 "total_assets": 5000, "total_liabilities": 3000, "new_equity_financing": 0},
                {"main_business_revenue": 3800, "new_equity_financing": 0},
                {"new_equity_financing": 0}),
            IpCounts(0, 1, 1, 0), True,
            eligibility=BasicEligibility(True, True, True, None)),
        {
            "1": (15, "自主研发Ⅰ类 1 项 → 15"),
            "2": (20, "250 / 5000 = 5.00% → edge ≥5% → 20"),
            "3": (15, "(4200 − 3800) / 3800 = 10.526… = 10.53% → 10%–15% → 15"),
            "4": (5, "3000 / 5000 = 60.00% → 55%–75% → 5"),
            "5": (10, "战略性新兴产业 → 10"),
            "6": (20, "4200 / 5000 = 84.00% → 20"),
        },
        # 85 points, but 近三年无重大事故 not yet judged by an official
        Verdict.REVIEW, 85, {"创新能力": 35, "成长性": 20, "专业化": 30},
    ),
    Worked(
        "辛食品", "innovative",
        InnovativeInput(
            fin({"main_business_revenue": 900, "rd_expense": 50, "total_liabilities": 400,
                 "new_equity_financing": 0},
                {"main_business_revenue": 1000, "new_equity_financing": 0},
                {"new_equity_financing": 0}),
            IpCounts(0, 0, 0, 3), False, eligibility=OK),
        {
            "1": (5, "Ⅱ类 3 项 → 5"),
            "2": (0, "营业收入缺失 → 0"),
            "3": (0, "(900 − 1000) / 1000 = -10.00% → 0"),
            "4": (0, "资产总额缺失 → 0"),
            "5": (5, "其他领域 → 5"),
            "6": (0, "营业收入缺失 → 0"),
        },
        Verdict.FAILS, 10, {"创新能力": 5, "成长性": 0, "专业化": 5},
        missing=("financials.last_year.operating_revenue", "financials.last_year.total_assets"),
    ),
    Worked(
        "壬机械", "innovative",
        InnovativeInput(
            fin({"operating_revenue": 10000, "main_business_revenue": 9500, "rd_expense": 99,
                 "total_assets": 10000, "total_liabilities": 7500, "new_equity_financing": 0},
                {"main_business_revenue": 9600, "new_equity_financing": 0},
                {"new_equity_financing": 0}),
            IpCounts(0, 0, 2, 0), True, awards=(Award(AwardLevel.PROVINCIAL, 2),),
            eligibility=OK),
        {
            "1": (10, "Ⅰ类 2 项 → 10"),
            "2": (0, "99 / 10000 = 0.99% → <1% → 0"),
            "3": (0, "(9500 − 9600) / 9600 = -1.0416… = -1.04% → 0"),
            "4": (5, "7500 / 10000 = 75.00% → edge of 55%–75% → 5"),
            "5": (10, "战略性新兴产业 → 10"),
            "6": (20, "9500 / 10000 = 95.00% → 20"),
        },
        # 45 points; 省级科技奖励 → direct condition 1
        Verdict.MEETS, 45, {"创新能力": 10, "成长性": 5, "专业化": 30},
    ),
    Worked(
        "癸新材", "innovative",
        InnovativeInput(
            fin({"operating_revenue": 1000, "main_business_revenue": 550, "rd_expense": 30,
                 "total_assets": 1000, "total_liabilities": 550, "new_equity_financing": 0},
                {"main_business_revenue": 530, "new_equity_financing": 0},
                {"new_equity_financing": 0}),
            IpCounts(0, 0, 0, 1), False, rd_institution=RdInstitutionLevel.MUNICIPAL,
            eligibility=OK),
        {
            "1": (5, "Ⅱ类 1 项 → 5"),
            "2": (15, "30 / 1000 = 3.00% → edge of 3%–5% → 15"),
            "3": (5, "(550 − 530) / 530 = 3.773… = 3.77% → 0%–5% → 5"),
            "4": (10, "550 / 1000 = 55.00% → edge ≤55% → 10"),
            "5": (5, "其他领域 → 5"),
            "6": (10, "550 / 1000 = 55.00% → edge of 55%–60% → 10"),
        },
        # every group floor met exactly (20/15/15) but 50 < 60; 市级研发机构 is no direct
        Verdict.FAILS, 50, {"创新能力": 20, "成长性": 15, "专业化": 15},
    ),
]
