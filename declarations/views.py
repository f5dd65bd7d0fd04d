"""Declaration pages: the public dialog of open regions, and the enterprise's 企业申报信息
(list, start, the form with its live preview, submission, detail), evidence and the 申报书."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from common.tiers import Tier
from portal.accounts.decorators import PERSON_CANNOT_DECLARE, enterprise_required

from . import report, selectors, services
from .models import Declaration, DeclarationEvidence


def declare_entry_url(tier: str, region_code: str) -> str:
    """Where a chosen region leads: the enterprise's 企业申报信息 entry.

    The declaration form itself comes with the declarations work; until then the enterprise
    home (with its 企业申报 card) is the entry. One function, so that work changes one line.
    """
    return f"{reverse('enterprise_home')}?{urlencode({'tier': tier, 'region': region_code})}"


def open_regions(request: HttpRequest, tier: str) -> HttpResponse:
    """The regions whose window for `tier` is open now (manual 一(五), FAQ 4).

    Public: the home page's dialog loads it for everyone; choosing a region sends an anonymous
    visitor to the login page first. Requested by the dialog (X-Requested-With) it answers the
    fragment only; opened directly (no JavaScript, or after login) it is a whole page.
    """
    if tier not in Tier.values:
        raise Http404("没有这个申报层级。")
    user = request.user
    rows = []
    for window in selectors.open_windows(tier=tier):
        target = declare_entry_url(tier, window.declaration_region.code)
        if not user.is_authenticated:
            target = f"{reverse('accounts:login')}?{urlencode({'next': target})}"
        rows.append({"window": window, "url": target})
    notice = ""
    if user.is_authenticated and getattr(user, "is_person", False):
        notice = PERSON_CANNOT_DECLARE
    elif user.is_authenticated and (getattr(user, "is_official", False) or user.is_superuser):
        notice = "管理端账户不能申报；以下为当前开放申报的地区。"
    context = {"tier": Tier(tier), "rows": rows, "notice": notice,
               "can_declare": not notice}
    fragment = request.headers.get("X-Requested-With") == "XMLHttpRequest"
    template = "declarations/includes/open_regions.html" if fragment else "declarations/open_regions.html"
    response = render(request, template, context)
    response["Vary"] = "X-Requested-With, Cookie"
    return response


# --- 企业申报信息: list, start, form, preview, submit, detail ------------------------------------------

def declarations(request: HttpRequest) -> HttpResponse:
    raise Http404


def start(request: HttpRequest, tier: str) -> HttpResponse:
    raise Http404


def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    raise Http404


def edit(request: HttpRequest, public_id: str) -> HttpResponse:
    raise Http404


def autosave(request: HttpRequest, public_id: str) -> HttpResponse:
    raise Http404


def preview(request: HttpRequest, public_id: str) -> HttpResponse:
    raise Http404


def submit(request: HttpRequest, public_id: str) -> HttpResponse:
    raise Http404


# --- 佐证材料 -------------------------------------------------------------------------------------------

def evidence_response(evidence: DeclarationEvidence) -> FileResponse:
    """Stream one evidence file under its original (Chinese) name, never cached.

    The caller has already decided who may read it: the owning enterprise here (through
    `selectors.get_declaration_for_user`), officials of its region in the admin.
    """
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:  # ValueError: no file on the row
        raise Http404("佐证材料文件不存在。") from exc
    # as_attachment + filename: Content-Disposition carries the name as RFC 5987 UTF-8
    # (filename*=utf-8''…); the generated storage name never reaches the user.
    response = FileResponse(handle, as_attachment=True, filename=evidence.name)
    add_never_cache_headers(response)
    return response


def _back_to_form(declaration: Declaration) -> HttpResponse:
    if declaration.editable:
        return redirect("declarations:edit", public_id=declaration.public_id)
    return redirect("declarations:detail", public_id=declaration.public_id)


@enterprise_required
@require_POST
def evidence_upload(request: HttpRequest, public_id: str) -> HttpResponse:
    """上传佐证材料: one indicator, one or more files, all or nothing."""
    declaration = selectors.get_declaration_for_user(request.user, public_id)
    files = request.FILES.getlist("files")
    try:
        added = services.evidence_add(declaration=declaration, by=request.user,
                                      indicator=request.POST.get("indicator", ""), files=files)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已上传 {len(added)} 个佐证材料文件：{'、'.join(e.name for e in added)}。")
    return _back_to_form(declaration)


@enterprise_required
def evidence_file(request: HttpRequest, public_id: str, evidence_id: int) -> HttpResponse:
    declaration = selectors.get_declaration_for_user(request.user, public_id)
    return evidence_response(get_object_or_404(declaration.evidence, pk=evidence_id))


@enterprise_required
@require_POST
def evidence_delete(request: HttpRequest, public_id: str, evidence_id: int) -> HttpResponse:
    declaration = selectors.get_declaration_for_user(request.user, public_id)
    evidence = get_object_or_404(declaration.evidence, pk=evidence_id)
    try:
        services.evidence_remove(evidence=evidence, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已删除佐证材料“{evidence.name}”。")
    return _back_to_form(declaration)


# --- 申报书 PDF -----------------------------------------------------------------------------------------

@enterprise_required
@ratelimit(key="user", rate="30/h", block=False)
def pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    """【下载】: the 申报书 of a filed declaration, for signing and sealing (owner only)."""
    # A 申报书 takes about a second of CPU (CJK font subsetting): limited per account (ASVS 2.4.1).
    if getattr(request, "limited", False):
        return HttpResponse("申报书生成过于频繁，请稍后再试。", status=429,
                            content_type="text/plain; charset=utf-8")
    declaration = selectors.get_declaration_for_user(request.user, public_id)
    if declaration.editable or not declaration.verification_code:
        # A draft has no 申报书; a returned one gets a new one when it is submitted again.
        raise Http404("申报书在提交后生成；请先提交申报。")
    response = HttpResponse(report.render_declaration_pdf(declaration),
                            content_type="application/pdf")
    filename = f"申报书-{declaration.number}.pdf"
    response["Content-Disposition"] = (
        f"attachment; filename=\"declaration-{declaration.number}.pdf\"; "
        f"filename*=UTF-8''{quote(filename, safe='')}")
    add_never_cache_headers(response)
    return response
