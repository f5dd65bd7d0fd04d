"""Declaration fixtures: open windows, complete enterprises, assessments, titles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from common.tiers import Tier
from declarations.models import DeclarationWindow
from enterprises.models import Enterprise, Recognition
from enterprises.services import enterprise_for_account
from portal.regions.models import DeclarationRegion
from tests.enterprises.conftest import complete

CST = dt.timezone(dt.timedelta(hours=8))


def open_window(code: str, tier: str, *, days_left: int = 30, **extra) -> DeclarationWindow:
    """A window of `tier` in declaration region `code`, open since yesterday."""
    now = timezone.now()
    return DeclarationWindow.objects.create(
        declaration_region=DeclarationRegion.objects.get(code=code), tier=tier,
        starts_at=now - dt.timedelta(days=1), ends_at=now + dt.timedelta(days=days_left),
        note="2026年第一批", **extra)


def ready(user, year: int | None = None) -> Enterprise:
    """The account's enterprise with a complete profile and last year's figures."""
    year = year or timezone.localdate().year - 1
    company = complete(enterprise_for_account(user=user), year)
    for back in (1, 2):
        complete(company, year - back)
    return company


def specialized_title(company: Enterprise) -> Recognition:
    today = timezone.localdate()
    return Recognition.objects.create(enterprise=company, tier=Tier.SPECIALIZED, batch="2025年",
                                      valid_from=today - dt.timedelta(days=200),
                                      valid_until=today + dt.timedelta(days=900))


@pytest.fixture
def gd_innovative(db) -> DeclarationWindow:
    return open_window("440000", Tier.INNOVATIVE)


@pytest.fixture
def company(ent_tianhe) -> Enterprise:
    return ready(ent_tianhe)
