"""The hard conditions of the 2026 rules (工信部企业〔2026〕2号, effective 2026-04-01, §3.5).

Source quality is [S] (two consistent secondary compilations): every number is data here.
The 专精特新发展评价 score (75号 system) is computed by the platform elsewhere and passed in.
"""

from __future__ import annotations

from decimal import Decimal

from declarations.standards.inputs import AwardLevel, RdInstitutionLevel

VERSION = "2026"
BASIS = "工信部企业〔2026〕2号"
TWO_YEARS = ("last_year", "year_before")

# --- 专精特新中小企业 -------------------------------------------------------------------
SPECIALIZED_TITLE = "专精特新中小企业认定条件（2026）"
SPECIALIZED_NICHE_YEARS = Decimal(3)
SPECIALIZED_REVENUE = Decimal(1500)  # 上年营收, 万元
SPECIALIZED_EQUITY = Decimal(2000)  # 或近两年新增股权投资, 万元
SPECIALIZED_MAIN_SHARE = Decimal(80)  # ≥
SPECIALIZED_DEBT_RATIO = Decimal(80)  # ≤
SPECIALIZED_RD_AMOUNT = Decimal(100)  # 近两年每年 ≥, 万元
SPECIALIZED_RD_RATIO = Decimal(3)  # 近两年每年 ≥, %
SPECIALIZED_IP_APPLIED = 1  # ≥1项 Ⅰ类, 已应用产生经济效益
# IP exemptions: 近三年省部级以上科技奖励排名前三 / 省部级以上研发机构
SPECIALIZED_IP_AWARD_LIMITS: dict[AwardLevel, int | None] = {
    AwardLevel.NATIONAL: 3,
    AwardLevel.PROVINCIAL: 3,
}
SPECIALIZED_IP_INSTITUTIONS = (RdInstitutionLevel.NATIONAL, RdInstitutionLevel.PROVINCIAL)
SPECIALIZED_DEVELOPMENT_SCORE = Decimal(50)  # 复核: 近两年任一年 ≥50

# --- 专精特新"小巨人"企业 ----------------------------------------------------------------
GIANT_TITLE = '专精特新"小巨人"企业认定条件（2026）'
GIANT_NICHE_YEARS = Decimal(3)  # no 2-year exception any more
GIANT_REVENUE = Decimal(5000)
GIANT_MAIN_SHARE = Decimal(90)
GIANT_REVENUE_CAGR = Decimal(5)  # 近两年营收复合增长率, 复核不考查
GIANT_DEBT_RATIO = Decimal(75)  # ≤
GIANT_RD_TOTAL = Decimal(1200)  # 近两年研发费用合计, 万元
GIANT_RD_RATIO = Decimal(3)  # 每年 ≥, %
GIANT_IP_OWN = 4  # ≥4项 Ⅰ类 (不含转入；权利人排名前三)
GIANT_IP_AWARD_LIMITS: dict[AwardLevel, int | None] = {AwardLevel.NATIONAL: 3}
GIANT_MARKET_SHARE = Decimal(10)  # ≥10% …
GIANT_DOMESTIC_RANK = 3  # … 或国内前三
GIANT_DEVELOPMENT_SCORE = Decimal(60)
