import datetime as dt
from decimal import Decimal

import pytest

from enterprises.models import Enterprise, Industry, Recognition, YearFigures
from enterprises.services import enterprise_for_account
from portal.regions.models import Region


def profile_post(region="广东省 广州市 天河区", **overrides) -> dict:
    data = {
        "name": "广州天河科技有限公司", "region": region, "address": "广州市天河区科韵路1号",
        "industry": "3311 金属结构制造", "founded_on": "2015-03-01", "registered_capital": "1000.00",
        "scale": "small", "legal_representative": "张三", "contact_person": "李四",
        "contact_phone": "020-88888888", "contact_email": "contact@example.cn",
        "main_product": "钢结构件", "niche_market": "装配式钢结构", "niche_since": "2016-01-01",
        "employees": "120", "rd_staff": "20",
    }
    data.update(overrides)
    return data


def figures_post(year: int, **overrides) -> dict:
    values = {"operating_revenue": "5000.00", "main_business_revenue": "4500.00",
              "rd_expense": "260.00", "net_profit": "400.00", "total_assets": "6000.00",
              "total_liabilities": "2400.00", "new_equity_financing": "0"}
    values.update(overrides)
    return {f"y{year}-{k}": v for k, v in values.items()}


def complete(enterprise: Enterprise, year: int) -> Enterprise:
    """Fill every field a declaration needs, with figures for `year`."""
    enterprise.region = Region.objects.get(code="440106")
    enterprise.address = "广州市天河区科韵路1号"
    enterprise.industry = Industry.objects.get(code="3311")
    enterprise.founded_on = dt.date(2015, 3, 1)
    enterprise.registered_capital = Decimal("1000")
    enterprise.scale = "small"
    enterprise.legal_representative = "张三"
    enterprise.contact_person = "李四"
    enterprise.contact_phone = "020-88888888"
    enterprise.contact_email = "contact@example.cn"
    enterprise.main_product = "钢结构件"
    enterprise.niche_market = "装配式钢结构"
    enterprise.niche_since = dt.date(2016, 1, 1)
    enterprise.employees = 120
    enterprise.rd_staff = 20
    enterprise.save()
    YearFigures.objects.update_or_create(
        enterprise=enterprise, year=year,
        defaults={"operating_revenue": Decimal("5000"), "main_business_revenue": Decimal("4500"),
                  "rd_expense": Decimal("260"), "net_profit": Decimal("400"),
                  "total_assets": Decimal("6000"), "total_liabilities": Decimal("2400"),
                  "new_equity_financing": Decimal("0")})
    return enterprise


def recognise(enterprise: Enterprise, tier="specialized", start=dt.date(2024, 6, 1)) -> Recognition:
    return Recognition.objects.create(enterprise=enterprise, tier=tier, batch="2024年第一批",
                                      valid_from=start, valid_until=start.replace(year=start.year + 3))


@pytest.fixture
def tianhe_enterprise(ent_tianhe) -> Enterprise:
    return enterprise_for_account(user=ent_tianhe)


@pytest.fixture
def nanjing_enterprise(ent_nanjing) -> Enterprise:
    return enterprise_for_account(user=ent_nanjing)
