"""Declaration pages: the public dialog of open regions, and the enterprise's 企业申报信息
(list, start, the form with its live preview, submission, detail), evidence and the 申报书."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from assessment.selectors import latest_result
from audit.services import Event, security_event
from common.integrity import SNAPSHOT_REFUSED, refused_response, verified_file_response
from common.integrity import logger as security_log
from common.pagecache import account_page
from common.tiers import Tier
from common.workflow import events_for
from enterprises.models import Recognition
from enterprises.services import enterprise_for_account
from portal.accounts.decorators import PERSON_CANNOT_DECLARE, enterprise_required

from . import building, forms, report, selectors, services
from .models import LEVEL_LABELS, Declaration, DeclarationEvidence


def declare_entry_url(tier: str, region_code: str) -> str:
    """Where a chosen region leads: the enterprise's 企业申报信息 entry.

    企业申报信息 preselects the tier and, when the region is not the enterprise's own, says
    why it cannot declare there (FAQ 4).
    """
    return f"{reverse('declarations:list')}?{urlencode({'tier': tier, 'region': region_code})}"


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

HISTORY_PER_PAGE = 20

PROFILE_LABELS = (("name", "企业名称"), ("uscc", "统一社会信用代码"), ("region", "注册地"),
                  ("address", "地址"), ("founded_on", "成立日期"), ("registered_capital", "注册资本（万元）"),
                  ("scale_label", "企业规模"), ("industry", "所属行业"),
                  ("legal_representative", "法定代表人"), ("contact_person", "联系人"),
                  ("contact_phone", "联系电话"), ("contact_email", "电子邮箱"),
                  ("main_product", "主导产品"), ("niche_market", "细分市场"),
                  ("niche_since", "专注细分市场起始时间"), ("employees", "职工总数（人）"),
                  ("rd_staff", "研发人员数（人）"))


def _region_param(request: HttpRequest) -> str:
    """The declaration region the home page's dialog chose (a 6-digit code), or ""."""
    code = request.GET.get("region", "").strip()
    return code if code.isdigit() and len(code) == 6 else ""


@enterprise_required
@account_page
def declarations(request: HttpRequest) -> HttpResponse:
    """企业申报信息: the three tiers (【申请】, 【继续填写】 or why not) and the history."""
    enterprise = enterprise_for_account(user=request.user)
    chosen = request.GET.get("tier", "")
    chosen = chosen if chosen in Tier.values else ""
    region = _region_param(request) if chosen else ""
    now = timezone.now()
    # The enterprise's own declarations, a few a year: read once for the history, the
    # drafts to continue and the windows already used.
    history = list(selectors.declarations_of(enterprise))
    ongoing = selectors.ongoing_drafts(enterprise, now, declarations=history)
    facts = selectors.EnterpriseFacts(enterprise, now)
    facts.__dict__["filed"] = {(d.tier, d.window_id) for d in history
                               if d.status not in Declaration.EDITABLE_STATES}
    tiers = []
    for tier in Tier:
        draft = ongoing.get(tier.value)
        refusals = [] if draft else selectors.start_refusals(
            enterprise=enterprise, tier=tier, region_code=region if tier == chosen else "",
            facts=facts)
        tiers.append({"tier": tier, "draft": draft, "refusals": refusals,
                      "chosen": tier == chosen, "region": region if tier == chosen else ""})
    page = Paginator(history, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "declarations/list.html", {"tiers": tiers, "page": page})


@require_POST
@enterprise_required
def start(request: HttpRequest, tier: str) -> HttpResponse:
    """【申请】: a draft (the same one on a double click), then the form."""
    if tier not in Tier.values:
        raise Http404("没有这个申报层级。")
    enterprise = enterprise_for_account(user=request.user)
    try:
        declaration = services.declaration_start(enterprise=enterprise, by=request.user, tier=tier,
                                                 region_code=request.POST.get("region", "")[:12])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(f"{reverse('declarations:list')}?{urlencode({'tier': tier})}")
    return redirect("declarations:edit", public_id=declaration.public_id)


# --- 认证到期管理 (复核) ---------------------------------------------------------------------------


@enterprise_required
@account_page
def rereviews(request: HttpRequest) -> HttpResponse:
    """认证到期管理: each title with its validity and 复核 period, 【去复核】 when every condition
    holds (else exactly which fails), the 复核 of its current validity, and the 复核 history."""
    enterprise = enterprise_for_account(user=request.user)
    history = list(selectors.rereviews_of(enterprise))  # a few per title, read once
    titles = selectors.rereview_titles(enterprise, rereviews=history)
    page = Paginator(history, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "declarations/rereviews.html", {"titles": titles, "page": page})


@require_POST
@enterprise_required
def rereview_start(request: HttpRequest, recognition_id: int) -> HttpResponse:
    """【去复核】: a 复核 draft of one of the enterprise's own titles (the same one on a
    double click), then the form."""
    enterprise = enterprise_for_account(user=request.user)
    title = get_object_or_404(Recognition, pk=recognition_id, enterprise=enterprise)
    try:
        declaration = services.rereview_start(enterprise=enterprise, by=request.user,
                                              recognition=title)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("declarations:rereviews")
    return redirect("declarations:edit", public_id=declaration.public_id)


def _edit_url(declaration: Declaration, section: str = "") -> str:
    url = reverse("declarations:edit", args=[declaration.public_id])
    return f"{url}#section-{section}" if section else url


def score_table(result: dict[str, Any] | None) -> dict[str, Any] | None:
    """An engine result (`EvaluationResult.to_dict()`, live or frozen) arranged for the page:
    indicators under their groups, then the conditions and the verdict."""
    if not result:
        return None
    indicators = result.get("indicators") or []
    groups = []
    for group in result.get("groups") or []:
        groups.append({**group, "indicators": [i for i in indicators if i.get("group") == group["name"]]})
    named = {g["name"] for g in groups}
    loose = [i for i in indicators if i.get("group") not in named]
    if loose:
        groups.append({"name": "其他指标", "points": None, "max_points": None, "indicators": loose})
    return {**result, "grouped": groups}


def _preview_context(declaration: Declaration) -> dict[str, Any]:
    if not declaration.editable:
        return {"declaration": declaration, "score": score_table(declaration.result), "missing": []}
    try:
        result = building.evaluate(declaration)
    except ValidationError as exc:  # impossible inputs: say which, score nothing
        return {"declaration": declaration, "score": None, "missing": exc.messages}
    return {"declaration": declaration, "score": score_table(result.to_dict()),
            "missing": building.enterprise_missing(declaration, result)}


def _edit_page(request: HttpRequest, declaration: Declaration, *,
               bound: forms.AnySectionForm | None = None, pledge_form: forms.PledgeForm | None = None,
               submit_errors: list[str] | None = None) -> HttpResponse:
    sections = []
    for form in forms.section_forms(declaration):
        if bound is not None and bound.prefix == form.prefix:
            form = bound
        sections.append({"name": form.prefix, "label": building.SECTION_LABELS.get(form.prefix, form.prefix),
                         "form": form})
    returned = None
    if declaration.status == Declaration.Status.RETURNED:
        returned = events_for(declaration).filter(action="return").last()
    digital = None
    if declaration.tier == Tier.SPECIALIZED:
        found = latest_result(declaration.enterprise)
        digital = {"level": found[0], "attempt": found[1]} if found else {}
    return render(request, "declarations/edit.html", {
        **_preview_context(declaration), "sections": sections, "returned": returned,
        "returned_by": LEVEL_LABELS.get(declaration.returned_level, "审核部门"),
        "digital": digital, "pledge_form": pledge_form or forms.PledgeForm(),
        "submit_errors": submit_errors or [],
        "years": building.figure_years(declaration.year),
        "evidence": selectors.evidence_of(declaration), "editable": True,
    })


@enterprise_required
def edit(request: HttpRequest, public_id: str) -> HttpResponse:
    """The form, section by section (each 【保存本部分】 saves its own), with the live preview."""
    declaration = selectors.get_declaration_for_user(request.user, public_id)
    if not declaration.editable:
        if request.method == "POST":
            messages.error(request, "申报已提交，不能修改。")
        return redirect("declarations:detail", public_id=declaration.public_id)
    if request.method != "POST":
        return _edit_page(request, declaration)
    section = request.POST.get("section", "")
    if section not in building.sections(declaration.tier, declaration.standard_version):
        messages.error(request, "没有这一部分，请刷新页面后重试。")
        return redirect(_edit_url(declaration))
    form = forms.section_form(declaration, section, request.POST)
    if not form.is_valid():
        forms.mark_invalid(form)
        messages.error(request, f"“{building.SECTION_LABELS.get(section, section)}”有填写错误，"
                                "请按提示修改后再保存。")
        return _edit_page(request, declaration, bound=form)
    try:
        services.declaration_save_section(declaration=declaration, by=request.user, section=section,
                                          data=form.values())
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(_edit_url(declaration))
    messages.success(request, f"已保存：{building.SECTION_LABELS.get(section, section)}。")
    return redirect(_edit_url(declaration, section))


@require_POST
@enterprise_required
def autosave(request: HttpRequest, public_id: str) -> JsonResponse:
    """One section saved as the enterprise types (static/declarations/declaration.js): 200 with
    the errors by input name, or saved; 409 once it is filed."""
    declaration = selectors.get_declaration_for_user(request.user, public_id)
    if not declaration.editable:
        return JsonResponse({"saved": False, "errors": {"__all__": ["申报已提交，不能修改。"]}},
                            status=409)
    section = request.POST.get("section", "")
    if section not in building.sections(declaration.tier, declaration.standard_version):
        return JsonResponse({"saved": False, "errors": {"__all__": ["没有这一部分，请刷新页面后重试。"]}},
                            status=400)
    form = forms.section_form(declaration, section, request.POST)
    if not form.is_valid():
        return JsonResponse({"saved": False, "errors": forms.errors_by_field(form)})
    try:
        services.declaration_save_section(declaration=declaration, by=request.user, section=section,
                                          data=form.values())
    except ValidationError as exc:
        return JsonResponse({"saved": False, "errors": {"__all__": exc.messages}}, status=409)
    return JsonResponse({"saved": True, "errors": {}})


@enterprise_required
def preview(request: HttpRequest, public_id: str) -> HttpResponse:
    """The live preview fragment (refreshed after each autosave); the frozen table once filed."""
    declaration = selectors.get_declaration_for_user(request.user, public_id)
    return render(request, "declarations/includes/preview.html", _preview_context(declaration))


@require_POST
@enterprise_required
def submit(request: HttpRequest, public_id: str) -> HttpResponse:
    """【提交】 / 【重新提交】 with the 承诺; errors on the form page, success on the detail."""
    declaration = selectors.get_declaration_for_user(request.user, public_id)
    if not declaration.editable:
        messages.error(request, "申报已提交，不能重复提交。")
        return redirect("declarations:detail", public_id=declaration.public_id)
    pledge_form = forms.PledgeForm(request.POST)
    pledge_form.is_valid()
    try:
        filed = services.declaration_submit(declaration=declaration, by=request.user,
                                            pledge=bool(pledge_form.cleaned_data.get("pledge")))
    except ValidationError as exc:
        declaration.refresh_from_db(fields=["status"])
        if not declaration.editable:  # another tab filed it meanwhile
            messages.error(request, "；".join(exc.messages))
            return redirect("declarations:detail", public_id=declaration.public_id)
        errors: list[str] = []
        if hasattr(exc, "error_dict"):
            for field, field_errors in exc.message_dict.items():
                if field in pledge_form.fields:
                    pledge_form.add_error(field, field_errors)
                else:
                    errors.extend(field_errors)
        else:
            errors = exc.messages
        return _edit_page(request, declaration, pledge_form=pledge_form, submit_errors=errors)
    messages.success(request, f"申报已提交，当前由{filed.processing_level_label}审核。"
                              "审核进度请在本页查看。")
    return redirect("declarations:detail", public_id=filed.public_id)


def _display(field: building.Field, value: Any) -> str:
    if value in (None, "", []):
        return "未填写"
    labels = dict(field.choices)
    if field.kind == "yesno":
        return "是" if value else "否"
    if field.kind == "choice":
        return str(labels.get(value, value))
    if field.kind == "choices":
        return "、".join(str(labels.get(v, v)) for v in value)
    if field.kind == "awards":
        return "；".join(f"{labels.get(a.get('level'), a.get('level'))}"
                        f"{'，排名第' + str(a['rank']) if a.get('rank') else ''}" for a in value)
    return str(value)


def filed_sections(declaration: Declaration) -> list[dict[str, Any]]:
    """What the enterprise filled, section by section, as (label, display value) rows."""
    data = declaration.form_data
    out = []
    for name, fields in building.spec(declaration.tier, declaration.standard_version).items():
        stored = data.get(name) or {}
        if name == "figures":
            years = building.figure_years(declaration.year)
            rows = [(label, [(stored.get(str(y)) or {}).get(key) for y in years])
                    for key, label in building.FIGURES]
            out.append({"name": name, "label": building.SECTION_LABELS[name], "years": years,
                        "table": rows})
            continue
        if name == "features":
            config = forms.feature_config(declaration)
            items = config.indicators if config else ()
            rows = [(f"{i.name}{'（' + i.unit + '）' if i.unit else ''}",
                     "未填写" if stored.get(i.key) in (None, "") else str(stored[i.key])) for i in items]
        else:
            rows = [(f.label, _display(f, stored.get(f.name))) for f in fields]
        out.append({"name": name, "label": building.SECTION_LABELS.get(name, name), "rows": rows})
    return out


@enterprise_required
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """【详情】: everything filed (frozen), the score table, the evidence and the timeline."""
    declaration = selectors.get_declaration_for_user(request.user, public_id)
    if declaration.status == Declaration.Status.DRAFT:
        return redirect("declarations:edit", public_id=declaration.public_id)
    profile = declaration.profile or {}
    return render(request, "declarations/detail.html", {
        "declaration": declaration,
        "profile": [(label, profile.get(key) or "—") for key, label in PROFILE_LABELS],
        "filed": filed_sections(declaration), "score": score_table(declaration.result),
        "assessment": declaration.assessment, "events": events_for(declaration),
        # Read-only here (a returned declaration changes its evidence on the form page).
        "evidence": selectors.evidence_of(declaration), "editable": False,
    })


# --- 佐证材料 -------------------------------------------------------------------------------------------

def evidence_response(request: HttpRequest, evidence: DeclarationEvidence) -> HttpResponse:
    """Stream one evidence file under its original (Chinese) name, never cached, if it still
    has the SHA-256 taken at upload (else the refusal page, logged: common/integrity.py), and
    record the download (等保 安全审计).

    The caller has already decided who may read it: the owning enterprise here (through
    `selectors.get_declaration_for_user`), officials of its region in the admin.
    """
    security_event(event=Event.DOWNLOAD, request=request, obj=evidence,
                   detail=f"佐证材料 申报 {evidence.declaration_id}")
    # as_attachment + filename: Content-Disposition carries the name as RFC 5987 UTF-8
    # (filename*=utf-8''…); the generated storage name never reaches the user.
    return verified_file_response(request, evidence.file, evidence.sha256,
                                  filename=evidence.name, subject=evidence)


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
    return evidence_response(request, get_object_or_404(declaration.evidence, pk=evidence_id))


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
    if not declaration.frozen_intact:
        security_log.warning(
            "frozen declaration integrity check failed: declaration pk=%s number=%s user=%s",
            declaration.pk, declaration.number, request.user.pk)
        return refused_response(request, SNAPSHOT_REFUSED)
    response = HttpResponse(report.render_declaration_pdf(declaration),
                            content_type="application/pdf")
    security_event(event=Event.DOWNLOAD, request=request, obj=declaration,
                   detail=f"申报书 {declaration.number}")
    filename = f"申报书-{declaration.number}.pdf"
    response["Content-Disposition"] = (
        f"attachment; filename=\"declaration-{declaration.number}.pdf\"; "
        f"filename*=UTF-8''{quote(filename, safe='')}")
    add_never_cache_headers(response)
    return response
