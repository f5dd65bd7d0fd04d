"""The enterprise home's assessment card: the latest submitted attempt and whether a draft
is in progress, read in one query."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment import selectors, services

from .conftest import submitted

pytestmark = pytest.mark.django_db


def card(enterprise):
    with CaptureQueriesContext(connection) as queries:
        found = selectors.home_card(enterprise)
    assert len(queries) == 1
    return found


def test_nothing_yet(manufacturer):
    assert card(manufacturer) == (None, False)


def test_a_draft_only(manufacturer):
    services.attempt_start(enterprise=manufacturer, by=manufacturer.account)
    assert card(manufacturer) == (None, True)


def test_the_latest_of_several_submitted_and_a_draft(manufacturer):
    now = timezone.now()
    submitted(manufacturer, level=2, when=now - dt.timedelta(days=30))
    latest = submitted(manufacturer, level=3, when=now - dt.timedelta(days=1))
    submitted(manufacturer, level=1, when=now - dt.timedelta(days=60))
    assert card(manufacturer) == (latest, False)
    services.attempt_start(enterprise=manufacturer, by=manufacturer.account)
    attempt, has_draft = card(manufacturer)
    assert attempt == latest and has_draft and attempt.level == 3
