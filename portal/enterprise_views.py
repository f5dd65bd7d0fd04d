"""The enterprise home (/enterprise/): messages, assessment card, declaration card."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from assessment import selectors as assessment_selectors
from common.pagecache import account_page
from enterprises import selectors as enterprise_selectors
from enterprises.services import enterprise_for_account
from messaging import selectors as message_selectors
from portal.accounts.decorators import PERSON_CANNOT_DECLARE
from portal.views import TIERS


@login_required
@account_page
def enterprise_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_official or user.is_superuser:
        return redirect("admin:index")
    context = {"tiers": TIERS, "person_notice": "", "missing": [], "enterprise": None,
               "assessment": None, "assessment_draft": None,
               "latest_messages": message_selectors.latest(user)}
    if user.is_person:
        context["person_notice"] = PERSON_CANNOT_DECLARE
    else:
        enterprise = enterprise_for_account(user=user)
        context["enterprise"] = enterprise
        # Until the profile is complete, the declaration card sends the enterprise to it.
        context["missing"] = enterprise_selectors.missing_fields(enterprise)
        # The assessment card: the latest submitted level (the one that counts), or 去自评.
        context["assessment"], context["assessment_draft"] = assessment_selectors.home_card(
            enterprise)
    return render(request, "portal/enterprise_home.html", context)
