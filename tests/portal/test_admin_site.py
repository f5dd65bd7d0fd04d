"""The officials' admin site as a whole: every admin is scoped, every foreign key in every form
offers and accepts only rows in the official's scope, every action needs the rules' permission.

These tests walk the admin registry, so a new admin, form field or action is covered (or fails
here until it is listed) without writing a test for it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import Model
from django.test import RequestFactory
from django.urls import reverse

from announcements.models import Level, Status
from assessment.models import Questionnaire
from assessment.services import questionnaire_new_version
from audit.triggers import is_history_model
from declarations.models import Declaration, DeclarationWindow, RecognitionBatch
from enterprises.models import Enterprise, Recognition, UpdateWindow
from enterprises.services import enterprise_for_account
from portal.accounts.models import User
from portal.accounts.scoping import RegionScopedAdminMixin, ScopedChoicesMixin
from portal.regions.models import DeclarationRegion, Region
from tests.announcements.conftest import make
from tests.conftest import dr

pytestmark = pytest.mark.django_db

# Admins that are not region-scoped, and why. Everything else must use RegionScopedAdminMixin.
NOT_SCOPED = {
    # Operators' tools from third-party apps (groups, lockout records, beat schedules): only
    # superusers may open them; officials have no permission on them (tested below).
    "auth.group", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog",
    "django_celery_beat.periodictask", "django_celery_beat.clockedschedule",
    "django_celery_beat.crontabschedule", "django_celery_beat.solarschedule",
    "django_celery_beat.intervalschedule",
    # The audit log (security events and every model's change history): the whole platform,
    # for the 审计管理员 and superusers only (tests/audit/test_roles.py).
    "audit.securityevent",
    *(m._meta.label_lower for m in apps.get_models() if is_history_model(m)),
}

# Every admin action and the official levels that may use it (the rules predicates in each
# app's rules.py). A new action fails test_every_action_is_listed until it is added here.
# Decision records (DecisionAdminMixin: information updates, major changes, phone-change
# requests) offer no delete action to anyone, superusers included.
EVERYONE = {"county", "city", "province", "ministry"}
ACTIONS: dict[tuple[str, str], set[str]] = {
    ("accounts.user", "delete_selected"): set(),
    ("accounts.user", "unlock_accounts"): EVERYONE,
    # The 安全管理员 only (tests/audit/test_roles.py, tests/accounts/test_two_factor.py).
    ("accounts.user", "reset_otp"): set(),
    ("accounts.phonechangerequest", "approve_selected"): EVERYONE,
    ("announcements.announcement", "delete_selected"): {"province", "ministry"},
    ("announcements.announcement", "withdraw_selected"): {"province", "ministry"},
    ("enterprises.enterprise", "delete_selected"): set(),
    ("enterprises.recognition", "delete_selected"): set(),
    ("enterprises.updatewindow", "delete_selected"): set(),
    ("enterprises.rereviewsetting", "delete_selected"): {"province", "ministry"},
    ("assessment.questionnaire", "activate"): {"ministry"},
    ("assessment.producerserviceindustry", "delete_selected"): {"ministry"},
    ("declarations.declarationwindow", "delete_selected"): {"province", "ministry"},
    # Offered to every official; the service then lets each declaration move only at its
    # current processing level (tests/declarations/test_review.py).
    ("declarations.reviewchain", "delete_selected"): {"province", "ministry"},
    ("declarations.declaration", "recommend_selected"): EVERYONE,
    ("declarations.declaration", "draw_onsite_sample"): EVERYONE,
    # Offered to the recognising levels; the service then lets each batch move only for its
    # own recogniser (tests/declarations/test_recognition.py).
    ("declarations.recognitionbatch", "publicize_selected"): {"province", "ministry"},
    ("declarations.recognitionbatch", "recognise_selected"): {"province", "ministry"},
}


# Every page a ModelAdmin adds to Django's own (get_urls) and the official levels that may use
# it on a title of their region. A new page fails test_every_admin_page_is_listed until it is
# added here. None: a download or a page whose rules are tested in its app's own tests.
DJANGO_PAGES = {"changelist", "add", "change", "delete", "history", "autocomplete"}
PAGES: dict[str, set[str] | None] = {
    # 取消认定 / 取消复核资格: the recognising level — for the 专精特新 title of `world`, the
    # province and the ministry (every tier × level: tests/enterprises/test_revocation.py).
    "enterprises_recognition_revoke": {"province", "ministry"},
    "enterprises_recognition_bar_rereview": {"province", "ministry"},
    "accounts_phonechangerequest_letter": None,
    "messaging_message_broadcast": None,
    "announcements_announcement_preview": None,
    "announcements_announcement_publish": None,
    "announcements_announcement_withdraw": None,
    "enterprises_majorchange_file": None,
    "assessment_attempt_export": None,
    "assessment_questionnaire_export": None,
    "assessment_questionnaire_new_version": None,
    "declarations_declaration_evidence": None,
    "declarations_declaration_judge": None,
    "declarations_objection_letter": None,
}


def registry() -> list[tuple[str, admin.ModelAdmin]]:
    return [(model._meta.label_lower, model_admin) for model, model_admin in admin.site._registry.items()]


def as_request(user: User) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


# --- (a) every admin is scoped -----------------------------------------------------------------


def test_every_registered_admin_is_region_scoped_or_listed():
    unscoped = [label for label, model_admin in registry()
                if not isinstance(model_admin, RegionScopedAdminMixin) and label not in NOT_SCOPED]
    assert unscoped == []
    assert {label for label, _ in registry()} >= NOT_SCOPED  # the list holds no stale names


def test_every_inline_limits_its_choices_too():
    loose = [f"{label}: {inline.__name__}" for label, model_admin in registry()
             for inline in model_admin.inlines
             if label not in NOT_SCOPED and not issubclass(inline, ScopedChoicesMixin)]
    assert loose == []


@pytest.fixture
def officials(ministry, gd_province, gz_city, tianhe_county) -> dict[str, User]:
    return {"ministry": ministry, "province": gd_province, "city": gz_city, "county": tianhe_county}


def test_officials_cannot_open_the_unscoped_admins(client, officials):
    for user in officials.values():
        client.force_login(user)
        for label in NOT_SCOPED:
            app_label, model_name = label.split(".")
            url = reverse(f"admin:{app_label}_{model_name}_changelist")
            assert client.get(url).status_code == 403, (user.username, label)


# --- (b) every foreign key refuses an out-of-scope id --------------------------------------------


@pytest.fixture
def world(ent_tianhe, ent_nanjing, ent_shenzhen) -> dict[str, Any]:
    tianhe = enterprise_for_account(user=ent_tianhe)
    nanjing = enterprise_for_account(user=ent_nanjing)
    enterprise_for_account(user=ent_shenzhen)
    recognition = Recognition.objects.create(
        enterprise=tianhe, tier="specialized", batch="2024年第一批", certificate_no="GD-1",
        valid_from=dt.date(2024, 6, 1), valid_until=dt.date(2027, 5, 31))
    UpdateWindow.objects.create(year=2026, declaration_region=dr("440000"),
                                starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 4, 30))
    # A 江苏 batch in 公示 with its declaration: what a 广东 official must not point to.
    js_window = DeclarationWindow.objects.create(
        declaration_region=dr("320000"), tier="innovative",
        starts_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC), ends_at=dt.datetime(2026, 3, 31, tzinfo=dt.UTC))
    js_batch = RecognitionBatch.objects.create(
        name="2026年第一批", tier="innovative", declaration_region=dr("320000"),
        status="publicizing", objection_contact="江苏省工业和信息化厅")
    js_declaration = Declaration.objects.create(
        number="JS0001", enterprise=nanjing, tier="innovative", window=js_window,
        region=Region.objects.get(code="320102"), status="publicized", batch=js_batch)
    return {
        "tianhe": tianhe, "recognition": recognition,
        # One row outside every Guangdong official's scope, per model a form can point to.
        "outside": {Enterprise: nanjing, User: ent_nanjing, Region: Region.objects.get(code="320102"),
                    DeclarationRegion: dr("320000"), RecognitionBatch: js_batch,
                    Declaration: js_declaration},
    }


def form_data(form: forms.BaseForm) -> dict[str, Any]:
    """What the browser would post back for `form` as rendered (files left out)."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        if isinstance(field, forms.FileField) or value is None:
            continue
        if isinstance(field, forms.SplitDateTimeField):
            moment = value if isinstance(value, dt.datetime) else None
            if moment:
                data[f"{bound.html_name}_0"], data[f"{bound.html_name}_1"] = (
                    moment.date().isoformat(), moment.time().isoformat())
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, (list, tuple)):
            data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[bound.html_name] = str(getattr(value, "pk", value))
    return data


def choice_fields(form: forms.BaseForm) -> list[tuple[str, forms.ModelChoiceField]]:
    # An inline row's own id is limited by its formset to the rows of the parent.
    own_pk = form._meta.model._meta.pk.name if form.prefix else None
    return [(form[name].html_name, field) for name, field in form.fields.items()
            if isinstance(field, forms.ModelChoiceField) and name != own_pk]


def snapshot(model: type[Model]) -> list[dict[str, Any]]:
    return list(model._default_manager.order_by("pk").values())


def scoped_forms(user: User) -> list[tuple[str, str, type[Model]]]:
    """(label, url, model) of every add form and one change form per admin this user may use."""
    request = as_request(user)
    pages = []
    for label, model_admin in registry():
        if label in NOT_SCOPED:
            continue
        app_label, model_name = label.split(".")
        if model_admin.has_add_permission(request):
            pages.append((label, reverse(f"admin:{app_label}_{model_name}_add"), model_admin.model))
        obj = next((o for o in model_admin.get_queryset(request)
                    if model_admin.has_change_permission(request, o)), None)
        if obj is not None:
            pages.append((label, reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk]),
                          model_admin.model))
    return pages


@pytest.mark.parametrize("level", ["province", "city", "county"])
def test_no_admin_form_accepts_a_foreign_key_outside_the_officials_scope(client, officials, world,
                                                                         level):
    user = officials[level]
    client.force_login(user)
    checked = set()
    for label, url, model in scoped_forms(user):
        page = client.get(url)
        assert page.status_code == 200, url
        forms_on_page = [page.context["adminform"].form]
        base = form_data(forms_on_page[0])
        for inline in page.context["inline_admin_formsets"]:
            formset = inline.formset
            base.update(form_data(formset.management_form))
            for inline_form in formset.forms:
                base.update(form_data(inline_form))
                forms_on_page.append(inline_form)
        for form in forms_on_page:
            for html_name, field in choice_fields(form):
                target = field.queryset.model
                assert target in world["outside"], f"{label}.{html_name}: add an out-of-scope {target}"
                outside = world["outside"][target]
                before = snapshot(model)
                response = client.post(url, {**base, html_name: str(outside.pk)})
                assert response.status_code == 200, (url, html_name)
                errors = (response.context["adminform"].form.errors if form.prefix is None
                          else {f"{form.prefix}-{k}": v
                                for f in response.context["inline_admin_formsets"]
                                for ff in f.formset.forms if ff.prefix == form.prefix
                                for k, v in ff.errors.items()})
                assert html_name in errors, (url, html_name, level)
                assert snapshot(model) == before
                checked.add((label, html_name))
    # The forms that hold foreign keys an official sets are among those walked.
    expected = {"province": {("enterprises.recognition", "enterprise"), ("accounts.user", "region"),
                             ("enterprises.updatewindow", "declaration_region"),
                             ("enterprises.rereviewsetting", "declaration_region"),
                             ("declarations.declarationwindow", "declaration_region"),
                             ("declarations.recognitionbatch", "declaration_region"),
                             ("declarations.objection", "batch"),
                             ("declarations.objection", "declaration")},
                "city": {("accounts.user", "region")}, "county": set()}[level]
    assert expected <= checked


# --- actions ---------------------------------------------------------------------------------


def test_every_action_is_listed_with_who_may_use_it(admin_user):
    found = {(label, name) for label, model_admin in registry() if label not in NOT_SCOPED
             for name in model_admin.get_actions(as_request(admin_user))}
    assert found == set(ACTIONS)


@pytest.fixture
def action_targets(world, ministry, gd_province):
    """Rows each action would change, so that a refused action is seen to change nothing."""
    questionnaire_new_version(questionnaire=Questionnaire.objects.filter(is_active=True).first())
    make("部级通知", level=Level.MINISTRY)
    make("广东省通知", level=Level.PROVINCE, region="440000")
    make("广东省草稿", level=Level.PROVINCE, region="440000", status=Status.DRAFT)
    DeclarationWindow.objects.create(
        declaration_region=dr("440000"), tier="innovative",
        starts_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC), ends_at=dt.datetime(2026, 3, 31, tzinfo=dt.UTC))


@pytest.mark.parametrize("level", ["county", "city", "province", "ministry"])
def test_an_official_who_may_not_use_an_action_is_neither_offered_it_nor_can_post_it(
        client, officials, action_targets, level):
    user = officials[level]
    client.force_login(user)
    for (label, name), allowed in ACTIONS.items():
        model_admin = next(a for lbl, a in registry() if lbl == label)
        offered = name in model_admin.get_actions(as_request(user))
        assert offered == (level in allowed), (label, name, level)
        if offered:
            continue
        model = model_admin.model
        before = snapshot(model)
        app_label, model_name = label.split(".")
        client.post(reverse(f"admin:{app_label}_{model_name}_changelist"), {
            "action": name, helpers.ACTION_CHECKBOX_NAME: [row["id"] for row in before],
            "post": "yes", "confirm": "yes", "index": "0"})
        assert snapshot(model) == before, (label, name, level)


def test_every_admin_page_is_listed_with_who_may_use_it():
    found = {pattern.name for _, model_admin in registry() for pattern in model_admin.get_urls()
             if getattr(pattern, "name", None)
             and not any(pattern.name.endswith(f"_{kind}") for kind in DJANGO_PAGES)}
    assert found == set(PAGES)


@pytest.mark.parametrize("level", ["county", "city", "province", "ministry"])
def test_an_official_who_may_not_use_a_page_can_neither_open_nor_post_it(client, officials, world,
                                                                         level):
    client.force_login(officials[level])
    recognition = world["recognition"]
    change_page = client.get(reverse("admin:enterprises_recognition_change",
                                     args=[recognition.pk])).content.decode()
    for name, allowed in PAGES.items():
        if allowed is None:
            continue
        url = reverse(f"admin:{name}", args=[recognition.pk])
        before = snapshot(Recognition)
        assert (url in change_page) == (level in allowed), (name, level)  # offered
        assert client.get(url).status_code == (200 if level in allowed else 403), (name, level)
        if level in allowed:
            continue
        client.post(url, {"ground": "other", "document_no": "文号", "opinion": "意见",
                          "confirm": "1"})
        assert snapshot(Recognition) == before, (name, level)


def test_a_county_official_cannot_switch_the_national_questionnaire(client, tianhe_county):
    draft = questionnaire_new_version(questionnaire=Questionnaire.objects.filter(is_active=True).first())
    client.force_login(tianhe_county)
    client.post(reverse("admin:assessment_questionnaire_changelist"),
                {"action": "activate", helpers.ACTION_CHECKBOX_NAME: [draft.pk], "index": "0"})
    draft.refresh_from_db()
    assert not draft.is_active


def test_the_ministry_switches_the_national_questionnaire(client, ministry):
    draft = questionnaire_new_version(questionnaire=Questionnaire.objects.filter(is_active=True).first())
    client.force_login(ministry)
    client.post(reverse("admin:assessment_questionnaire_changelist"),
                {"action": "activate", helpers.ACTION_CHECKBOX_NAME: [draft.pk], "index": "0"})
    draft.refresh_from_db()
    assert draft.is_active


# --- look ------------------------------------------------------------------------------------


def test_the_tab_title_says_error_in_chinese_after_a_validation_error(client, gd_province):
    client.force_login(gd_province)
    body = client.post(reverse("admin:enterprises_recognition_add"), {"tier": "specialized"}).content.decode()
    assert "<title>错误：" in body and "Error:" not in body


def test_the_login_tab_title_says_error_in_chinese(client, gd_province):
    body = client.post(reverse("admin:login"), {"username": "o_gd", "password": "wrong",
                                                "captcha_0": "x", "captcha_1": "PASSED"}).content.decode()
    assert "<title>错误：" in body and "Error:" not in body


def test_the_header_welcomes_the_official_by_name(client, gd_province):
    User.objects.filter(pk=gd_province.pk).update(person_name="陈建国")
    client.force_login(gd_province)
    body = client.get(reverse("admin:index")).content.decode()
    assert "欢迎，<strong" in body and "陈建国" in body
    assert ">o_gd<" not in body


@pytest.mark.parametrize("label", ["accounts.user", "enterprises.enterprise", "assessment.attempt",
                                   "announcements.announcement"])
def test_a_nul_character_in_a_search_gets_our_own_message(client, gd_province, label):
    client.force_login(gd_province)
    app_label, model_name = label.split(".")
    response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist") + "?q=%00")
    assert response.status_code == 200
    body = response.content.decode()
    assert "查询内容含有不允许的字符" in body
    assert "不允许是用空字符串" not in body
