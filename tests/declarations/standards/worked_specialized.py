"""专精特新中小企业 (§3.2) scored by hand: ten enterprises."""

from __future__ import annotations

from decimal import Decimal as D

from declarations.standards import (
    Award,
    AwardLevel,
    BasicEligibility,
    FeatureBand,
    FeatureConfig,
    FeatureIndicator,
    FeatureKind,
    IpCounts,
    QualityItem,
    RdInstitutionLevel,
    SpecializedInput,
    SpecializedProductField,
    Verdict,
)
from tests.declarations.standards.builders import fin
from tests.declarations.standards.worked_base import OK, Worked

# ---------------------------------------------------------------------------------------
# 专精特新中小企业 (§3.2) — 示例省 特色化: 出口占比 ≥30% 10 / ≥10% 5; 重点产业链 是 5 / 否 0
# ---------------------------------------------------------------------------------------

FEATURES = FeatureConfig("示例省", (
    FeatureIndicator("export", "上年度出口额占营业收入比重", 10, unit="%",
                     bands=(FeatureBand(D(30), 10), FeatureBand(D(10), 5))),
    FeatureIndicator("chain", "属于本省重点产业链", 5, kind=FeatureKind.CHOICE,
                     choices={"是": 5, "否": 0}),
))
Q = QualityItem
F = SpecializedProductField
R = RdInstitutionLevel


def spec(last: dict[str, object], before: dict[str, object], earliest: dict[str, object],
         **kwargs: object) -> SpecializedInput:
    kwargs.setdefault("features", FEATURES)
    kwargs.setdefault("eligibility", OK)
    figures = fin(last, before, earliest)
    return SpecializedInput(financials=figures, **kwargs)  # type: ignore[arg-type]


# S4 and S5 differ only in 细分市场年限
_S4 = {
    "last": {"operating_revenue": 1000, "main_business_revenue": 800, "rd_expense": 100,
             "net_profit": 60, "total_assets": 1000, "total_liabilities": 600,
             "employees": 100, "rd_staff": 10, "new_equity_financing": 0},
    "before": {"operating_revenue": 950, "main_business_revenue": 770, "rd_expense": 90,
               "new_equity_financing": 0},
    "earliest": {"main_business_revenue": 700},
}
_S4_KW: dict[str, object] = {
    "product_field": F.FOUNDATION, "digital_level": 3,
    "quality_items": frozenset({Q.QMS_CERTIFIED}), "ip": IpCounts(0, 0, 1, 4),
    "rd_institution": R.BELOW_MUNICIPAL, "feature_values": {"export": "10", "chain": "否"},
}
_S4_LINES: dict[str, tuple[int | str, str]] = {
    "1": (5, "800 / 1000 = 80.00% → edge ≥80% → 5"),
    "2": (6, "(800 − 770) / 770 = 3.896… = 3.90%; (770 − 700) / 700 = 10.00%; "
             "(3.90 + 10.00) / 2 = 6.95% → 6%–8% → 6"),
    "4": (3, "B → 3"),
    "5": (5, "三级 → 5"),
    "6": (3, "1 项 × 3 = 3"),
    "7": (6, "60 / 1000 = 6.00% → edge of 6%–8% → 6"),
    "8": (3, "600 / 1000 = 60.00% → edge of 50%–60% → 3"),
    "9": (5, "出口 10% → edge ≥10% → 5; 否 → 0; 5"),
    "10": (6, "Ⅰ类 1 项 → 6"),
    "11": (10, "100万 → 2; 100 / 1000 = 10.00% → 10; best 10"),
    "12": (3, "10 / 100 = 10.00% → edge of 10%–20% → 3"),
    "13": (2, "市级以下 → 2"),
}

SPECIALIZED = [
    Worked(
        "华芯", "specialized",
        spec({"operating_revenue": 8000, "main_business_revenue": 7200, "rd_expense": 560,
              "net_profit": 880, "total_assets": 10000, "total_liabilities": 4500,
              "employees": 300, "rd_staff": 66, "new_equity_financing": 0},
             {"operating_revenue": 7000, "main_business_revenue": 6400, "rd_expense": 450,
              "new_equity_financing": 0},
             {"main_business_revenue": 5600},
             niche_years=D(9), product_field=F.KEY_LINK, digital_level=3,
             quality_items=frozenset({Q.QMS_CERTIFIED, Q.OWN_BRAND}), ip=IpCounts(0, 1, 1, 3),
             rd_institution=R.PROVINCIAL, feature_values={"export": "35", "chain": "是"}),
        {
            "1": (5, "7200 / 8000 = 90.00% → 5"),
            "2": (10, "(7200 − 6400) / 6400 = 12.50%; (6400 − 5600) / 5600 = 14.2857… = "
                      "14.29%; exact mean (12.5 + 14.2857…) / 2 = 13.3928… = 13.39% → ≥10% → 10"),
            "3": (4, "9 年 → 满4个2年 → 4"),
            "4": (5, "A → 5"),
            "5": (5, "三级 → 5"),
            "6": (5, "2 项 × 3 = 6 → 最高 5"),
            "7": (10, "880 / 8000 = 11.00% → 10"),
            "8": (5, "4500 / 10000 = 45.00% → 5"),
            "9": (15, "出口 35% → 10; 是 → 5; 15"),
            "10": (8, "自主研发Ⅰ类 → 8"),
            "11": (10, "560万 ≥500 → 10; 560 / 8000 = 7.00% → 6; best 10"),
            "12": (5, "66 / 300 = 22.00% → 5"),
            "13": (8, "省级 → 8"),
        },
        Verdict.MEETS, 95, {"专业化": 24, "精细化": 25, "特色化": 15, "创新能力": 31},
    ),
    Worked(
        "精工", "specialized",
        spec({"operating_revenue": 6000, "main_business_revenue": 5400, "rd_expense": 150,
              "net_profit": 300, "total_assets": 8000, "total_liabilities": 4400,
              "employees": 200, "rd_staff": 20, "new_equity_financing": 0},
             {"operating_revenue": 5500, "main_business_revenue": 5000, "rd_expense": 140,
              "new_equity_financing": 0},
             {"main_business_revenue": 4600},
             niche_years=D(12), product_field=F.FOUNDATION, digital_level=2,
             quality_items=frozenset({Q.QUALITY_AWARD, Q.QMS_CERTIFIED, Q.STANDARDS}),
             ip=IpCounts(0, 0, 3, 2), rd_institution=R.NATIONAL,
             feature_values={"export": "12", "chain": "否"}),
        {
            "1": (5, "5400 / 6000 = 90.00% → 5"),
            "2": (8, "(5400 − 5000) / 5000 = 8.00%; (5000 − 4600) / 4600 = 8.6956… = 8.70%; "
                     "(8.00 + 8.70) / 2 = 8.35% → 8%–10% → 8"),
            "3": (5, "12 年 → 6 → 最高 5"),
            "4": (3, "B → 3"),
            "5": (3, "二级 → 3"),
            "6": (5, "3 项 × 3 = 9 → 最高 5"),
            "7": (4, "300 / 6000 = 5.00% → 4%–6% → 4"),
            "8": (3, "4400 / 8000 = 55.00% → 50%–60% → 3"),
            "9": (5, "出口 12% → 5; 否 → 0; 5"),
            "10": (6, "Ⅰ类 → 6"),
            "11": (2, "150万 → 2; 150 / 6000 = 2.50% → 0; best 2"),
            "12": (3, "20 / 200 = 10.00% → 3"),
            "13": (10, "国家级 → 10"),
        },
        # 62 points but 认定条件2: 研发费用占比 2.50% < 3%
        Verdict.FAILS, 62, {"专业化": 21, "精细化": 15, "特色化": 5, "创新能力": 21},
    ),
    Worked(
        "海洋", "specialized",
        spec({"operating_revenue": 900, "main_business_revenue": 880, "rd_expense": 400,
              "net_profit": -200, "total_assets": 5000, "total_liabilities": 1000,
              "employees": 60, "rd_staff": 30, "new_equity_financing": 1200},
             {"operating_revenue": 500, "main_business_revenue": 480, "rd_expense": 350,
              "new_equity_financing": 800},
             {"main_business_revenue": 300},
             niche_years=D(3), product_field=F.KEY_LINK, digital_level=1,
             quality_items=frozenset({Q.OWN_BRAND}), ip=IpCounts(0, 0, 2, 0),
             rd_institution=R.MUNICIPAL, maker_china_rank=300,
             feature_values={"export": "0", "chain": "是"}),
        {
            "1": (5, "880 / 900 = 97.777… = 97.78% → 5"),
            "2": (10, "(880 − 480) / 480 = 83.33%; (480 − 300) / 300 = 60.00%; "
                      "(83.33 + 60.00) / 2 = 71.665 = 71.67% → 10"),
            "3": (1, "3 年 → 满1个2年 → 1"),
            "4": (5, "A → 5"),
            "5": (0, "一级 → 0"),
            "6": (3, "1 项 → 3"),
            "7": (0, "-200 / 900 = -22.22% → <2% → 0"),
            "8": (5, "1000 / 5000 = 20.00% → 5"),
            "9": (5, "出口 0% → 0; 是 → 5; 5"),
            "10": (6, "Ⅰ类 → 6"),
            "11": (10, "400万 → 8; 400 / 900 = 44.44% → 10; best 10"),
            "12": (5, "30 / 60 = 50.00% → 5"),
            "13": (4, "市级 → 4"),
        },
        # 59 < 60, but 创客中国 全国300名 ≤ 500; 营业收入 900 < 1000 but 股权融资
        # 1200 + 800 = 2000 (edge) → 认定条件3
        Verdict.MEETS, 59, {"专业化": 21, "精细化": 8, "特色化": 5, "创新能力": 25},
    ),
    Worked(
        "云帆", "specialized",
        spec(_S4["last"], _S4["before"], _S4["earliest"], niche_years=D(6), **_S4_KW),
        {**_S4_LINES, "3": (3, "6 年 → 3")},
        # exactly 60; 营业收入 exactly 1000; 研发费用 exactly 100 — every edge passes
        Verdict.MEETS, 60, {"专业化": 17, "精细化": 17, "特色化": 5, "创新能力": 21},
    ),
    Worked(
        "远景", "specialized",
        spec(_S4["last"], _S4["before"], _S4["earliest"], niche_years=D(4), **_S4_KW),
        {**_S4_LINES, "3": (2, "4 年 → 2")},
        # 59 < 60; 研发均值 (100 + 90) / 2 = 95 < 1000; no direct condition
        Verdict.FAILS, 59, {"专业化": 16, "精细化": 17, "特色化": 5, "创新能力": 21},
    ),
    Worked(
        "博远", "specialized",
        spec({"operating_revenue": 20000, "main_business_revenue": 19000, "rd_expense": 1200,
              "net_profit": 2400, "total_assets": 30000, "total_liabilities": 9000,
              "employees": 500, "rd_staff": 120, "new_equity_financing": 0},
             {"operating_revenue": 18000, "main_business_revenue": 17000, "rd_expense": 1000,
              "new_equity_financing": 0},
             {"main_business_revenue": 15000},
             niche_years=D(15), product_field=F.KEY_LINK, digital_level=None,
             quality_items=None, ip=IpCounts(2, 2, 2, 0), rd_institution=R.NATIONAL,
             features=None),
        {
            "1": (5, "19000 / 20000 = 95.00% → 5"),
            "2": (10, "(19000 − 17000) / 17000 = 11.7647… = 11.76%; (17000 − 15000) / 15000 "
                      "= 13.33%; (11.76 + 13.33) / 2 = 12.545 = 12.55% → 10"),
            "3": (5, "15 年 → 7 → 最高 5"),
            "4": (5, "A → 5"),
            "5": (0, "无评测结果 → 0 (missing)"),
            "6": (0, "未填报 → 0 (missing)"),
            "7": (10, "2400 / 20000 = 12.00% → 10"),
            "8": (5, "9000 / 30000 = 30.00% → 5"),
            "9": (0, "本地区未配置 → 0"),
            "10": (10, "Ⅰ类高价值 → 10"),
            "11": (10, "1200万 → 10; 1200 / 20000 = 6.00% → 6; best 10"),
            "12": (5, "120 / 500 = 24.00% → 5"),
            "13": (10, "国家级 → 10"),
        },
        Verdict.MEETS, 75, {"专业化": 25, "精细化": 15, "特色化": 0, "创新能力": 35},
        missing=("digital_level", "quality_items", "features"),
    ),
    Worked(
        "启明", "specialized",
        spec({"operating_revenue": 3000, "main_business_revenue": 1500, "rd_expense": 90,
              "net_profit": 30, "total_assets": 2000, "total_liabilities": 1500,
              "employees": 80, "rd_staff": 3, "new_equity_financing": 0},
             {"operating_revenue": 2800, "main_business_revenue": 1600, "rd_expense": 80,
              "new_equity_financing": 0},
             {"main_business_revenue": 1700},
             niche_years=D("1.5"), product_field=F.OTHER, digital_level=1,
             quality_items=frozenset(), ip=IpCounts(0, 0, 0, 0), rd_institution=R.NONE,
             feature_values={"export": "8", "chain": "否"}),
        {
            "1": (0, "1500 / 3000 = 50.00% → <60% → 0"),
            "2": (0, "(1500 − 1600) / 1600 = -6.25%; (1600 − 1700) / 1700 = -5.88%; "
                     "(-6.25 + -5.88) / 2 = -6.065 = -6.07% → 0"),
            "3": (0, "1.5 年 → 0"),
            "4": (0, "C → 0"),
            "5": (0, "一级 → 0"),
            "6": (0, "0 项 → 0"),
            "7": (0, "30 / 3000 = 1.00% → 0"),
            "8": (0, "1500 / 2000 = 75.00% → >70% → 0"),
            "9": (0, "出口 8% → 0; 否 → 0"),
            "10": (0, "无 → 0"),
            "11": (2, "90万 → 0; 90 / 3000 = 3.00% → edge → 2; best 2"),
            "12": (0, "3 / 80 = 3.75% → 0"),
            "13": (0, "未建立 → 0"),
        },
        # 认定条件1 (1.5 < 2), 2 (90 < 100), 4 fail
        Verdict.FAILS, 2, {"专业化": 0, "精细化": 0, "特色化": 0, "创新能力": 2},
    ),
    Worked(
        "同创", "specialized",
        spec({"operating_revenue": 2500, "main_business_revenue": 2000, "rd_expense": 200,
              "net_profit": 100, "total_assets": 4000, "total_liabilities": 2600,
              "employees": 150, "rd_staff": 12, "new_equity_financing": 0},
             {"operating_revenue": 2400, "main_business_revenue": 1950, "rd_expense": 180,
              "new_equity_financing": 0},
             {"main_business_revenue": 1900},
             niche_years=D(5), product_field=F.FOUNDATION, digital_level=2,
             quality_items=frozenset({Q.OWN_BRAND}), ip=IpCounts(0, 0, 0, 6),
             rd_institution=R.MUNICIPAL, awards=(Award(AwardLevel.PROVINCIAL, 2),),
             feature_values={"export": "20", "chain": "否"}),
        {
            "1": (5, "2000 / 2500 = 80.00% → 5"),
            "2": (2, "(2000 − 1950) / 1950 = 2.56%; (1950 − 1900) / 1900 = 2.63%; "
                     "(2.56 + 2.63) / 2 = 2.595 = 2.60% → 0%–4% → 2"),
            "3": (2, "5 年 → 2"),
            "4": (3, "B → 3"),
            "5": (3, "二级 → 3"),
            "6": (3, "1 项 → 3"),
            "7": (4, "100 / 2500 = 4.00% → edge → 4"),
            "8": (1, "2600 / 4000 = 65.00% → 60%–70% → 1"),
            "9": (5, "出口 20% → 5; 否 → 0"),
            "10": (2, "Ⅱ类 → 2"),
            "11": (8, "200万 → 4; 200 / 2500 = 8.00% → 8; best 8"),
            "12": (1, "12 / 150 = 8.00% → 1"),
            "13": (4, "市级 → 4"),
        },
        # 43 < 60 but 省级科技奖励排名第2 → 认定条件4 direct 1
        Verdict.MEETS, 43, {"专业化": 12, "精细化": 11, "特色化": 5, "创新能力": 15},
    ),
    Worked(
        "鼎盛", "specialized",
        spec({"operating_revenue": 800, "main_business_revenue": 760, "rd_expense": 120,
              "net_profit": 100, "total_assets": 1000, "total_liabilities": 300,
              "employees": 40, "rd_staff": 10, "new_equity_financing": 1500},
             {"operating_revenue": 600, "main_business_revenue": 560, "rd_expense": 100,
              "new_equity_financing": "499.99"},
             {"main_business_revenue": 400},
             niche_years=D(4), product_field=F.KEY_LINK, digital_level=3,
             quality_items=frozenset({Q.QMS_CERTIFIED, Q.OWN_BRAND}), ip=IpCounts(1, 1, 1, 1),
             rd_institution=R.PROVINCIAL, feature_values={"export": "40", "chain": "是"}),
        {
            "1": (5, "760 / 800 = 95.00% → 5"),
            "2": (10, "(760 − 560) / 560 = 35.71%; (560 − 400) / 400 = 40.00%; "
                      "(35.71 + 40.00) / 2 = 37.855 = 37.86% → 10"),
            "3": (2, "4 年 → 2"),
            "4": (5, "A → 5"),
            "5": (5, "三级 → 5"),
            "6": (5, "2 项 → 6 → 5"),
            "7": (10, "100 / 800 = 12.50% → 10"),
            "8": (5, "300 / 1000 = 30.00% → 5"),
            "9": (15, "出口 40% → 10; 是 → 5"),
            "10": (10, "高价值 → 10"),
            "11": (10, "120万 → 2; 120 / 800 = 15.00% → 10; best 10"),
            "12": (5, "10 / 40 = 25.00% → 5"),
            "13": (8, "省级 → 8"),
        },
        # 95 points but 认定条件3: 营业收入 800 < 1000 and 股权融资 1500 + 499.99 = 1999.99
        Verdict.FAILS, 95, {"专业化": 22, "精细化": 25, "特色化": 15, "创新能力": 33},
    ),
    Worked(
        "星河", "specialized",
        spec({"operating_revenue": 12000, "main_business_revenue": 9000, "rd_expense": 400,
              "net_profit": 600, "total_assets": 10000, "total_liabilities": 5000,
              "employees": 400, "rd_staff": 40, "new_equity_financing": 0},
             {"operating_revenue": 11000, "main_business_revenue": 8800, "rd_expense": 380,
              "new_equity_financing": 0},
             {"main_business_revenue": 8000},
             niche_years=D(8), product_field=F.FOUNDATION, digital_level=4,
             quality_items=frozenset({Q.QUALITY_AWARD, Q.QMS_CERTIFIED}),
             ip=IpCounts(0, 0, 1, 10), rd_institution=R.PROVINCIAL,
             feature_values={"export": "9.99", "chain": "是"},
             eligibility=BasicEligibility(True, None, True, True)),
        {
            "1": (3, "9000 / 12000 = 75.00% → 70%–80% → 3"),
            "2": (6, "(9000 − 8800) / 8800 = 2.27%; (8800 − 8000) / 8000 = 10.00%; "
                     "(2.27 + 10.00) / 2 = 6.135 = 6.14% → 6"),
            "3": (4, "8 年 → 4"),
            "4": (3, "B → 3"),
            "5": (5, "四级 → 5"),
            "6": (5, "2 项 → 6 → 5"),
            "7": (4, "600 / 12000 = 5.00% → 4"),
            "8": (5, "5000 / 10000 = 50.00% → edge ≤50% → 5"),
            "9": (5, "出口 9.99% → 0; 是 → 5"),
            "10": (6, "Ⅰ类 → 6"),
            "11": (8, "400万 → 8; 400 / 12000 = 3.33% → 2; best 8"),
            "12": (3, "40 / 400 = 10.00% → 3"),
            "13": (8, "省级 → 8"),
        },
        # 65 points, 认定条件 all met, but 信用 not yet judged by an official
        Verdict.REVIEW, 65, {"专业化": 16, "精细化": 19, "特色化": 5, "创新能力": 25},
    ),
]
