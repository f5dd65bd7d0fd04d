"""The numbers of the 2022 standards (工信部企业〔2022〕63号, §3 of domain.md) as data.

Everything an official might one day correct is here and only here; the evaluators in
this package read it.  Items marked UNCONFIRMED in the domain notes are flagged below.
"""

from __future__ import annotations

from decimal import Decimal

from declarations.standards.inputs import (
    AwardLevel,
    RdInstitutionLevel,
    SpecializedProductField,
)
from declarations.standards.rules import Band, BandTable, make_table

VERSION = "2022"
BASIS = "工信部企业〔2022〕63号"

# --- §3.1 附件1 创新型中小企业评价标准 -----------------------------------------------------
INNOVATIVE_TITLE = "创新型中小企业评价标准"
INNOVATIVE_PASS_TOTAL = 60
# group name → (max points, floor)
INNOVATIVE_GROUPS: dict[str, tuple[int, int]] = {
    "创新能力": (40, 20),
    "成长性": (30, 15),
    "专业化": (30, 15),
}
# indicator 1: (IpCounts field, label, points), best first
INNOVATIVE_IP_TIERS = (
    ("high_value_class1", "Ⅰ类高价值知识产权", 20),
    ("self_developed_class1", "自主研发的Ⅰ类知识产权", 15),
    ("class1", "Ⅰ类知识产权", 10),
    ("class2", "Ⅱ类知识产权", 5),
)
INNOVATIVE_RD_RATIO = make_table([(5, 20), (3, 15), (2, 10), (1, 5)])  # indicator 2
INNOVATIVE_MAIN_GROWTH = make_table([(15, 20), (10, 15), (5, 10), (0, 5)])  # indicator 3
INNOVATIVE_DEBT_RATIO = make_table([(55, 10), (75, 5)], higher_is_better=False)  # indicator 4
INNOVATIVE_PRODUCT_FIELD = {  # indicator 5
    True: ("属于《战略性新兴产业分类》", 10),
    False: ("属于其他领域", 5),
}
INNOVATIVE_MAIN_SHARE = make_table([(70, 20), (60, 15), (55, 10), (50, 5)])  # indicator 6
INNOVATIVE_EQUITY_DIRECT = Decimal("500")  # direct condition 4, 万元, 近三年
INNOVATIVE_EQUITY_YEARS = ("last_year", "year_before", "two_years_before")  # UNCONFIRMED window
INNOVATIVE_AWARD_LIMITS: dict[AwardLevel, int | None] = {  # direct 1: any rank
    AwardLevel.NATIONAL: None,
    AwardLevel.PROVINCIAL: None,
}
INNOVATIVE_RD_INSTITUTIONS = (RdInstitutionLevel.NATIONAL, RdInstitutionLevel.PROVINCIAL)

# --- §3.2 附件2 专精特新中小企业认定标准 -----------------------------------------------------
SPECIALIZED_TITLE = "专精特新中小企业认定标准"
SPECIALIZED_PASS_TOTAL = 60
SPECIALIZED_GROUPS: dict[str, int] = {"专业化": 25, "精细化": 25, "特色化": 15, "创新能力": 35}
# mandatory conditions
SPECIALIZED_NICHE_YEARS = Decimal(2)  # 认定条件1
SPECIALIZED_RD_AMOUNT = Decimal(100)  # 认定条件2, 万元
SPECIALIZED_RD_RATIO = Decimal(3)  # 认定条件2, %
SPECIALIZED_REVENUE = Decimal(1000)  # 认定条件3, 万元
SPECIALIZED_EQUITY_SMALL = Decimal(2000)  # 认定条件3, 近2年, 万元
TWO_YEARS = ("last_year", "year_before")
# 认定条件4 direct conditions
SPECIALIZED_AWARD_LIMITS: dict[AwardLevel, int | None] = {
    AwardLevel.PROVINCIAL: 3,  # 省级科技奖励，获奖单位中排名前三
    AwardLevel.NATIONAL: 5,  # 国家级科技奖励，获奖单位中排名前五
}
SPECIALIZED_RD_MEAN_DIRECT = Decimal(1000)  # 近两年研发费用总额均值, 万元
SPECIALIZED_EQUITY_DIRECT = Decimal(6000)  # 近两年新增股权融资总额, 万元
SPECIALIZED_MAKER_CHINA_RANK = 500  # "创客中国"全国500强
# indicators
SPECIALIZED_MAIN_SHARE = make_table([(80, 5), (70, 3), (60, 1)])  # 1
SPECIALIZED_MAIN_GROWTH = make_table([(10, 10), (8, 8), (6, 6), (4, 4), (0, 2)])  # 2
SPECIALIZED_NICHE_STEP = Decimal(2)  # 3: 每满2年得1分，最高5分
SPECIALIZED_NICHE_EACH = 1
SPECIALIZED_NICHE_CAP = 5
SPECIALIZED_PRODUCT_FIELD = {  # 4
    SpecializedProductField.KEY_LINK: ("A 补短板、锻长板、填空白取得实际成效", 5),
    SpecializedProductField.FOUNDATION: ("B 工业六基、中华老字号或服务重点龙头企业", 3),
    SpecializedProductField.OTHER: ("C 不属于以上情况", 0),
}
SPECIALIZED_DIGITAL = BandTable((  # 5 (§0.5): level of the latest 数字化水平评测
    Band(Decimal(3), 5, "三级及以上"),
    Band(Decimal(2), 3, "二级"),
    Band(None, 0, "一级或未达一级"),
), unit="级")
SPECIALIZED_QUALITY_EACH = 3  # 6: 每满足一项加3分，最高5分
SPECIALIZED_QUALITY_CAP = 5
SPECIALIZED_NET_MARGIN = make_table([(10, 10), (8, 8), (6, 6), (4, 4), (2, 2)])  # 7
SPECIALIZED_DEBT_RATIO = make_table([(50, 5), (60, 3), (70, 1)], higher_is_better=False)  # 8
SPECIALIZED_FEATURE_POINTS = 15  # 9
SPECIALIZED_IP_TIERS = (  # 10
    ("high_value_class1", "Ⅰ类高价值知识产权", 10),
    ("self_developed_class1", "自主研发的Ⅰ类知识产权", 8),
    ("class1", "Ⅰ类知识产权", 6),
    ("class2", "Ⅱ类知识产权", 2),
)
# 11: the better of amount and ratio
SPECIALIZED_RD_AMOUNT_BANDS = make_table(
    [(500, 10), (400, 8), (300, 6), (200, 4), (100, 2)], unit="万元"
)
SPECIALIZED_RD_RATIO_BANDS = make_table([(10, 10), (8, 8), (6, 6), (4, 4), (3, 2)])
SPECIALIZED_RD_STAFF = make_table([(20, 5), (10, 3), (5, 1)])  # 12
SPECIALIZED_RD_INSTITUTION = {  # 13
    RdInstitutionLevel.NATIONAL: ("国家级", 10),
    RdInstitutionLevel.PROVINCIAL: ("省级", 8),
    RdInstitutionLevel.MUNICIPAL: ("市级", 4),
    RdInstitutionLevel.BELOW_MUNICIPAL: ("市级以下", 2),
    RdInstitutionLevel.NONE: ("未建立研发机构", 0),
}

# --- §3.3 附件3 专精特新"小巨人"企业认定标准 ---------------------------------------------
GIANT_TITLE = '专精特新"小巨人"企业认定标准'
GIANT_NICHE_YEARS = Decimal(3)
# UNCONFIRMED: "关键领域补短板/填空白可放宽至2年" — whether 63号 has it is unknown, so the
# exception is off (None).  Set to Decimal(2) to enable it for key_field_breakthrough=True.
GIANT_NICHE_YEARS_EXCEPTION: Decimal | None = None
GIANT_MAIN_SHARE = Decimal(70)
GIANT_MAIN_GROWTH = Decimal(5)
GIANT_DEBT_RATIO = Decimal(70)  # ≤
GIANT_MARKET_SHARE = Decimal(10)
# 新 一般性条件 (1): revenue brackets by 上年度营业收入 (万元), the lower edge belongs to the
# higher bracket (§0.2): ≥10000 → each of 近2年 R&D ratio ≥3%; 5000–10000 → ≥6%.
GIANT_REVENUE_LARGE = Decimal(10000)
GIANT_RD_RATIO_LARGE = Decimal(3)
GIANT_REVENUE_MEDIUM = Decimal(5000)
GIANT_RD_RATIO_MEDIUM = Decimal(6)
# <5000: 近2年新增股权融资 ≥8000 and 研发费用总额 ≥3000 (UNCONFIRMED: read as the 近2年 sum)
# and 研发人员占比 ≥50% (上年度).
GIANT_SMALL_EQUITY = Decimal(8000)
GIANT_SMALL_RD_TOTAL = Decimal(3000)
GIANT_SMALL_RD_STAFF = Decimal(50)
GIANT_IP_APPLIED = 2  # 新 一般性条件 (3): ≥2项Ⅰ类知识产权 applied
# 新 直通条件 (1): UNCONFIRMED whether 2022 says 国家级 — kept as data.
GIANT_AWARD_LIMITS: dict[AwardLevel, int | None] = {AwardLevel.NATIONAL: 3}
GIANT_MAKER_CHINA_RANK = 50
