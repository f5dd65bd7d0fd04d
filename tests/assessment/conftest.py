"""Fixtures for the self-assessment: enterprises with an industry, answers built from the data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from assessment import services
from assessment.content import Definition
from assessment.models import Attempt, Category, Questionnaire
from enterprises.models import Enterprise, Industry
from enterprises.services import enterprise_for_account
from tests.enterprises.conftest import complete


def questionnaire(category: str = Category.MANUFACTURING) -> Questionnaire:
    return Questionnaire.objects.get(category=category, is_active=True)


def best(definition: Definition) -> dict[str, Any]:
    """Full marks: every scored option of a multiple choice, the top option of a single one."""
    answers = {}
    for q in definition.questions:
        if q.multiple:
            options = [o.id for o in q.options if not o.exclusive]
        else:
            options = [max(q.options, key=lambda o: o.points).id]
        answers[q.id] = {"options": options, "fields": {}}
    return answers


def worst(definition: Definition) -> dict[str, Any]:
    """Zero: "无" or the 0-point option everywhere."""
    return {q.id: {"options": [min(q.options, key=lambda o: o.points).id], "fields": {}}
            for q in definition.questions}


def scenes_at(definition: Definition, level: int) -> dict[str, int]:
    return {s.id: level for s in definition.scenes}


def with_industry(enterprise: Enterprise, code: str) -> Enterprise:
    enterprise.industry = Industry.objects.get(code=code)
    enterprise.save()
    return enterprise


@pytest.fixture
def manufacturer(ent_tianhe) -> Enterprise:
    return complete(enterprise_for_account(user=ent_tianhe), timezone.localdate().year - 1)


@pytest.fixture
def nanjing(ent_nanjing) -> Enterprise:
    return with_industry(enterprise_for_account(user=ent_nanjing), "6513")


def submitted(enterprise: Enterprise, *, answers=None, level: int = 3, when=None) -> Attempt:
    """A submitted attempt with the given scene level everywhere (full marks by default)."""
    attempt = services.attempt_start(enterprise=enterprise, by=enterprise.account)
    definition = attempt.questionnaire.definition
    services.attempt_save(attempt=attempt, by=enterprise.account,
                          answers=answers if answers is not None else best(definition),
                          scenes=scenes_at(definition, level))
    attempt = services.attempt_submit(attempt=attempt, by=enterprise.account, pledged=True)
    if when is not None:
        Attempt.objects.filter(pk=attempt.pk).update(submitted_at=when)
        attempt.refresh_from_db()
    return attempt


CST = dt.timezone(dt.timedelta(hours=8))
