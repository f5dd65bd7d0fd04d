"""/assessment/: 去自评, answer step by step (saved as you go), submit, result, PDF, history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from common.pagecache import account_page
from enterprises.services import enterprise_for_account
from portal.accounts.decorators import enterprise_required

from . import charts, report, scoring, selectors, services
from .forms import PledgeForm, page_items, read_step
from .models import Attempt, Category, Level


@enterprise_required
@account_page
def index(request: HttpRequest) -> HttpResponse:
    enterprise = enterprise_for_account(user=request.user)
    match = selectors.category_for_industry(enterprise.industry)
    questionnaire = (selectors.active_questionnaire(match.category, heading_only=True)
                     if match else None)
    latest = selectors.latest_listed(enterprise)
    return render(request, "assessment/index.html", {
        "enterprise": enterprise, "match": match, "questionnaire": questionnaire,
        "draft": selectors.draft_listed(enterprise), "latest": latest,
        "history": selectors.history(enterprise),
    })


@require_POST
@enterprise_required
def start(request: HttpRequest) -> HttpResponse:
    enterprise = enterprise_for_account(user=request.user)
    try:
        attempt = services.attempt_start(enterprise=enterprise, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("assessment:index")
    return redirect("assessment:take", public_id=attempt.public_id)


@require_POST
@enterprise_required
def discard(request: HttpRequest, public_id: str) -> HttpResponse:
    attempt = selectors.get_attempt_for_user(request.user, public_id)
    try:
        services.attempt_discard(attempt=attempt, by=request.user)
        messages.success(request, "已放弃本次填写。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("assessment:index")


def _steps(attempt: Attempt) -> list[dict[str, Any]]:
    definition = attempt.questionnaire.definition
    steps = [{"index": i, "title": d.title, "count": len(d.questions)}
             for i, d in enumerate(definition.dimensions)]
    steps.append({"index": len(steps), "title": "数字化经营", "count": len(definition.scenes)})
    steps.append({"index": len(steps), "title": "确认提交", "count": 0})
    return steps


def _step_param(value: Any, default: int, last: int) -> int:
    try:
        return max(0, min(int(value), last))
    except (TypeError, ValueError):
        return default


@enterprise_required
def take(request: HttpRequest, public_id: str) -> HttpResponse:
    attempt = selectors.get_attempt_for_user(request.user, public_id)
    if not attempt.is_draft:
        return redirect("assessment:result", public_id=attempt.public_id)
    definition = attempt.questionnaire.definition
    steps = _steps(attempt)
    last = len(steps) - 1
    step = _step_param(request.GET.get("step"), attempt.step, last)
    pledge_form = PledgeForm()
    submit_errors: list[str] = []
    if request.method == "POST":
        step = _step_param(request.POST.get("step"), attempt.step, last)
        questions, scenes = page_items(definition, step)
        answers, levels = read_step(request.POST, questions=questions, scenes=scenes)
        action = request.POST.get("action", "save")
        target = step
        if action == "next":
            target = min(step + 1, last)
        elif action == "prev":
            target = max(step - 1, 0)
        elif action.startswith("goto-"):
            target = _step_param(action[5:], step, last)
        try:
            services.attempt_save(attempt=attempt, by=request.user, answers=answers,
                                  scenes=levels, step=target)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("assessment:index")
        if action == "submit":
            pledge_form = PledgeForm(request.POST)
            pledge_form.is_valid()
            try:
                services.attempt_submit(attempt=attempt, by=request.user,
                                        pledged=bool(pledge_form.cleaned_data.get("pledge")))
            except ValidationError as exc:
                submit_errors = exc.messages
            else:
                messages.success(request, "评测已提交。")
                return redirect("assessment:result", public_id=attempt.public_id)
        else:
            if action == "save":
                messages.success(request, "已保存。下次进入【数字化水平评测】将从这里继续。")
            return redirect(f"{request.path}?step={target}")
    questions, scenes = page_items(definition, step)
    issues = scoring.check(definition, attempt.answers, attempt.scenes, complete=step == last)
    by_target: dict[str, list[str]] = {}
    for issue in issues:
        by_target.setdefault(issue.target, []).append(issue.message)
    step_of = {q.id: i for i, d in enumerate(definition.dimensions) for q in d.questions}
    step_of.update({s.id: len(definition.dimensions) for s in definition.scenes})
    values = scoring.field_values(definition, attempt.answers)
    return render(request, "assessment/take.html", {
        "attempt": attempt, "definition": definition, "steps": steps, "step": step,
        "last": last, "progress": scoring.progress(definition, attempt.answers, attempt.scenes),
        "questions": [{
            "q": q, "chosen": set(scoring.chosen(attempt.answers, q)),
            "fields": [{"f": f, "value": ((attempt.answers.get(q.id) or {}).get("fields") or {}).get(f.key, "")}
                       for f in q.fields],
            "rate": scoring.rate(q, values), "issues": by_target.get(q.id, []),
        } for q in questions],
        "scene_groups": [{
            "title": g.title,
            "scenes": [{"s": s, "value": attempt.scenes.get(s.id), "issues": by_target.get(s.id, []),
                        "levels": list(enumerate(s.levels, start=1))} for s in g.scenes],
        } for g in definition.scene_groups] if scenes else [],
        "final_issues": [{"message": i.message, "step": step_of.get(i.target, last)} for i in issues]
        if step == last else [],
        "submit_errors": submit_errors, "pledge_form": pledge_form,
    })


@require_POST
@enterprise_required
def autosave(request: HttpRequest, public_id: str) -> HttpResponse:
    """Saved as the enterprise goes (static/assessment/assessment.js posts each change)."""
    attempt = selectors.get_attempt_for_user(request.user, public_id)
    definition = attempt.questionnaire.definition
    step = _step_param(request.POST.get("step"), attempt.step, len(definition.dimensions) + 1)
    questions, scenes = page_items(definition, step)
    answers, levels = read_step(request.POST, questions=questions, scenes=scenes)
    try:
        # step=None: an autosave that lands after the page moved on must not move it back.
        issues = services.attempt_save(attempt=attempt, by=request.user, answers=answers,
                                       scenes=levels, step=None)
    except ValidationError as exc:
        return JsonResponse({"saved": False, "errors": exc.messages}, status=409)
    shown = {q.id for q in questions} | {s.id for s in scenes}
    return JsonResponse({
        "saved": True,
        "progress": scoring.progress(definition, attempt.answers, attempt.scenes),
        "issues": {i.target: i.message for i in issues if i.target in shown},
        "chosen": {q.id: scoring.chosen(attempt.answers, q) for q in questions if q.rate},
    })


def _result_context(attempt: Attempt) -> dict[str, Any]:
    definition = attempt.questionnaire.definition
    result = attempt.result
    levels = result.get("scenes", {})
    scenes = [{"title": s.title, "group": s.group, "binding": s.binding,
               "level": levels.get(s.id, 0),
               "level_label": Level(levels.get(s.id, 0)).label if levels.get(s.id, 0) else "尚未达到一级",
               "text": s.levels[levels[s.id] - 1] if levels.get(s.id) else ""}
              for s in definition.scenes]
    steps = result.get("next_steps", {})
    gap = steps.get("gap") or {}
    return {
        "attempt": attempt, "definition": definition,
        "category_label": Category(attempt.category).label,
        "dimensions": charts.dimension_bars(result.get("dimensions", [])),
        "scene_chart": charts.scene_bars(scenes), "scenes": scenes,
        "gap": {**gap, "level_label": Level(gap["level"]).label} if gap else None,
        "advice": steps.get("scenes", []),
        "rules": [{"label": Level(r.level).label, "rule": r} for r in definition.level_rules],
    }


@enterprise_required
def result(request: HttpRequest, public_id: str) -> HttpResponse:
    attempt = selectors.get_attempt_for_user(request.user, public_id)
    if attempt.is_draft:
        return redirect("assessment:take", public_id=attempt.public_id)
    context = _result_context(attempt)
    latest = selectors.latest_attempt(attempt.enterprise)
    context["is_latest"] = latest is not None and latest.pk == attempt.pk
    return render(request, "assessment/result.html", context)


@enterprise_required
@ratelimit(key="user", rate="30/h", block=False)
def report_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    # A report takes about a second of CPU (CJK font subsetting): limited per account (ASVS 2.4.1).
    if getattr(request, "limited", False):
        return HttpResponse("报告生成过于频繁，请稍后再试。", status=429,
                            content_type="text/plain; charset=utf-8")
    attempt = selectors.get_attempt_for_user(request.user, public_id)
    if attempt.is_draft:
        return redirect("assessment:take", public_id=attempt.public_id)
    pdf = report.render_pdf(_result_context(attempt))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"assessment-{attempt.submitted_at:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
