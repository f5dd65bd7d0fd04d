"""Enterprise-facing pages: 企业信息 (edit / annual update) and 企业重大变更."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_GET, require_http_methods, require_POST

from audit.services import Event, security_event
from common.formtools import add_service_errors, typed_values
from common.integrity import verified_file_response
from common.pagecache import account_page
from portal.accounts.decorators import enterprise_required

from . import selectors, services
from .forms import ChangeForm, FiguresForm, ProfileForm, figure_forms
from .models import ChangeType, Enterprise, InfoUpdate, MajorChange


def _enterprise(request: HttpRequest) -> Enterprise:
    return services.enterprise_for_account(user=request.user)


def _picking(request: HttpRequest) -> bool:
    """A picker's 【选择】 (pages without JavaScript): show the chosen branch, validate nothing."""
    return request.method == "POST" and "pick" in request.POST


def _options_etag(request: HttpRequest, tree: str) -> str | None:
    # Each answer depends only on the URL and the shipped reference data, which the version hashes.
    picker = selectors.PICKER_TREES.get(tree)
    return picker.version if picker else None


@enterprise_required
@require_GET
@condition(etag_func=_options_etag)
@cache_control(private=True, max_age=24 * 60 * 60)
def options(request: HttpRequest, tree: str) -> JsonResponse:
    """The options of a picker (所属行业, 注册地): a node's children (?parent=, the top level
    without it) or a search by code or name (?q=, at most 50 selectable nodes)."""
    picker = selectors.PICKER_TREES.get(tree)
    if picker is None:
        raise Http404
    query = request.GET.get("q", "")
    results = (picker.search(query) if query.strip()
               else picker.children(request.GET.get("parent") or None))
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})


@enterprise_required
@account_page
def profile(request: HttpRequest) -> HttpResponse:
    enterprise = _enterprise(request)
    today = selectors.today()
    # Every title once (a handful): those in force today are picked from them, as
    # `Recognition.objects.valid_on` would; and the figures once, for the table and the
    # completeness check.
    titles = list(enterprise.recognitions.order_by("-valid_from", "-id"))
    recognitions = sorted((t for t in titles if t.revoked_at is None
                           and t.valid_from <= today <= t.valid_until), key=lambda t: t.pk)
    prefetch_related_objects([enterprise], "figures")
    window = selectors.update_window(enterprise=enterprise, year=today.year)
    this_year_update = enterprise.info_updates.filter(year=today.year).first()
    context = {
        "enterprise": enterprise,
        "recognitions": recognitions,
        "recognised": bool(recognitions),
        "window": window,
        "window_open": window.is_open(today),
        "this_year_update": this_year_update,
        "figures": list(enterprise.figures.all())[:3],
        # 我的称号: every title, cancelled ones with their ground and 取消文号 (§2.7).
        "titles": [(title, selectors.recognition_status(title, today)) for title in titles],
        "missing": selectors.missing_fields(enterprise, today),
        "next_window": selectors.update_window(enterprise=enterprise, year=today.year + 1),
    }
    return render(request, "enterprises/profile.html", context)


def _profile_form_page(request: HttpRequest, *, mode: str) -> HttpResponse:
    enterprise = _enterprise(request)
    today = selectors.today()
    if mode == "edit":
        years = [today.year - 1, today.year - 2, today.year - 3]
        if selectors.is_recognised(enterprise, today):
            messages.info(request, "已认定企业不能编辑基本信息，请在信息更新期间使用【信息更新】。")
            return redirect("enterprises:profile")
    else:
        years = [today.year - 1]
        if not selectors.is_recognised(enterprise, today):
            return redirect("enterprises:edit")
        window = selectors.update_window(enterprise=enterprise, year=today.year)
        opens_on = None
        if not window.is_open(today):
            opens_on = (window.starts_on if today < window.starts_on else
                        selectors.update_window(enterprise=enterprise, year=today.year + 1).starts_on)
        submitted = enterprise.info_updates.filter(
            year=today.year, status=InfoUpdate.Status.SUBMITTED).first()
        if submitted is not None:
            # Submitted: read-only until an official returns it (services.info_update_submit
            # refuses a second one anyway); a POST changes nothing.
            return render(request, "enterprises/update_submitted.html", {
                "update": submitted, "enterprise": enterprise, "opens_on": opens_on,
                "changes": list(submitted.changes.values()),
            }, status=409 if request.method == "POST" else 200)
        if opens_on is not None:
            return render(request, "enterprises/update_closed.html", {
                "window": window, "year": today.year, "opens_on": opens_on,
            }, status=403)
    form = ProfileForm(request.POST or None, instance=enterprise, annual_update=mode == "update")
    years_forms = figure_forms(enterprise, request.POST or None, years=years)
    if _picking(request):
        form = ProfileForm(initial=typed_values(form), instance=enterprise,
                           annual_update=mode == "update")
        years_forms = [FiguresForm(initial=typed_values(f), year=f.year, instance=f.instance)
                       for f in years_forms]
    elif request.method == "POST" and form.is_valid() and all(f.is_valid() for f in years_forms):
        data = {k: v for k, v in form.cleaned_data.items()
                if k in form.fields and not form.fields[k].disabled}
        figures = {f.year: f.values() for f in years_forms}
        try:
            if mode == "edit":
                services.enterprise_update_profile(enterprise=enterprise, by=request.user,
                                                   data=data, figures=figures)
                messages.success(request, "企业信息已保存。")
            else:
                services.info_update_submit(enterprise=enterprise, by=request.user, data=data,
                                            figures=figures)
                messages.success(request, f"{today.year}年信息更新已提交。")
                return redirect("enterprises:update")
            return redirect("enterprises:profile")
        except ValidationError as exc:
            add_service_errors(form, exc)
    # Form errors stay on the page with what was typed (the instance is not reloaded).
    return render(request, "enterprises/profile_form.html", {
        "form": form, "figure_forms": years_forms, "mode": mode, "enterprise": enterprise,
    })


@enterprise_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest) -> HttpResponse:
    return _profile_form_page(request, mode="edit")


@enterprise_required
@require_http_methods(["GET", "POST"])
@account_page
def update(request: HttpRequest) -> HttpResponse:
    return _profile_form_page(request, mode="update")


# --- 企业重大变更 ---------------------------------------------------------------------------------

@enterprise_required
@account_page
def changes(request: HttpRequest) -> HttpResponse:
    enterprise = _enterprise(request)
    items = enterprise.major_changes.all()
    kind = request.GET.get("type", "")
    if kind in ChangeType.values:
        items = items.filter(change_type=kind)
    page = Paginator(items, 20).get_page(request.GET.get("page"))
    return render(request, "enterprises/changes.html", {
        "page": page, "types": ChangeType.choices, "type": kind, "enterprise": enterprise,
    })


def _change_form_page(request: HttpRequest, change: MajorChange | None) -> HttpResponse:
    enterprise = _enterprise(request)
    initial = None
    if change is not None:
        initial = {f: getattr(change, f) for f in services.CHANGE_FIELDS}
        initial["new_region"] = change.new_region
    form = ChangeForm(request.POST or None, request.FILES or None, initial=initial)
    if _picking(request):
        form = ChangeForm(initial=typed_values(form))
        if request.FILES:
            messages.info(request, "已选择的证明材料未上传，请在暂存或提交前重新选择。")
    elif request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data.get(f) for f in services.CHANGE_FIELDS}
        try:
            saved = services.change_save(enterprise=enterprise, by=request.user, data=data,
                                         files=form.cleaned_data["files"], change=change)
            if "submit" in request.POST:
                saved = services.change_submit(change=saved, by=request.user)
                note = "（报告时间已超过变更发生后3个月，已标记为逾期报告）" if saved.is_late else ""
                messages.success(request, f"变更报告已提交，等待主管部门审核。{note}")
            else:
                messages.success(request, "已暂存，可继续编辑后提交。")
            return redirect("enterprises:change_detail", public_id=saved.public_id)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "enterprises/change_form.html", {"form": form, "change": change})


@enterprise_required
@require_http_methods(["GET", "POST"])
def change_new(request: HttpRequest) -> HttpResponse:
    return _change_form_page(request, None)


@enterprise_required
@require_http_methods(["GET", "POST"])
def change_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    change = selectors.get_change_for_user(request.user, public_id, write=True)
    return _change_form_page(request, change)


@enterprise_required
def change_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    change = selectors.get_change_for_user(request.user, public_id)
    return render(request, "enterprises/change_detail.html", {"change": change})


@enterprise_required
@require_POST
def change_submit(request: HttpRequest, public_id: str) -> HttpResponse:
    change = selectors.get_change_for_user(request.user, public_id, write=True)
    try:
        change = services.change_submit(change=change, by=request.user)
        messages.success(request, "变更报告已提交，等待主管部门审核。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("enterprises:change_detail", public_id=change.public_id)


@enterprise_required
@require_POST
def change_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    change = selectors.get_change_for_user(request.user, public_id, write=True)
    try:
        services.change_delete(change=change)
        messages.success(request, "暂存的变更记录已删除。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("enterprises:changes")


@enterprise_required
def change_file(request: HttpRequest, public_id: str, file_id: int) -> HttpResponse:
    change = selectors.get_change_for_user(request.user, public_id)
    item = get_object_or_404(change.evidence, pk=file_id)
    if not item.file:
        raise Http404
    security_event(event=Event.DOWNLOAD, request=request, obj=item, detail="重大变更佐证材料")
    return verified_file_response(request, item.file, item.sha256, filename=item.name,
                                  subject=item)
