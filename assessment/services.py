"""Every write of the self-assessment: start, save as you go, submit; questionnaire versions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from common.pagecache import site_pages_changed
from enterprises.models import Enterprise
from portal.accounts.models import User

from . import content, scoring, selectors
from .models import Attempt, Category, Questionnaire

# --- attempts ------------------------------------------------------------------------------------


@transaction.atomic
def attempt_start(*, enterprise: Enterprise, by: User) -> Attempt:
    """【去自评】: resume the attempt in progress, or open the questionnaire the industry matches."""
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()  # one draft at a time
    draft = selectors.draft_for(enterprise)
    if draft is not None:
        return draft
    match = selectors.category_for_industry(enterprise.industry)
    if match is None:
        raise ValidationError("请先在企业信息中填写所属行业：评测表根据所属行业自动匹配。")
    questionnaire = selectors.active_questionnaire(match.category)
    if questionnaire is None:
        raise ValidationError(f"暂无可用的{match.category.label}评测表，请联系主管部门。")
    return Attempt.objects.create(
        enterprise=enterprise, questionnaire=questionnaire, category=match.category,
        industry_code=enterprise.industry.code, industry_name=enterprise.industry.name,
        category_reason=match.reason[:200], created_by=by,
    )


def _locked_draft(attempt: Attempt) -> Attempt:
    locked = Attempt.objects.select_for_update().select_related("questionnaire").get(pk=attempt.pk)
    if locked.status != Attempt.Status.DRAFT:
        raise ValidationError("该评测已提交，不能再修改。如需重新评测，请点击【重新评测】。")
    return locked


def _clean(definition: content.Definition, answers: dict[str, Any],
           scenes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
    """Keep only known questions, options, fields and scene levels; values as typed."""
    clean_answers: dict[str, Any] = {}
    for qid, raw in answers.items():
        question = definition.question(qid)
        if question is None:
            continue
        options = [o for o in dict.fromkeys(raw.get("options") or []) if question.option(o)]
        keys = {f.key for f in question.fields}
        # (a NUL cannot be typed, and no database stores it in JSON: it is dropped)
        fields = {k: str(v).replace("\x00", "").strip()[:30]
                  for k, v in (raw.get("fields") or {}).items() if k in keys}
        clean_answers[qid] = {"options": options, "fields": fields}
    known = {s.id for s in definition.scenes}
    clean_scenes = {}
    for sid, value in scenes.items():
        if sid in known and str(value).strip() in {"0", "1", "2", "3", "4"}:
            clean_scenes[sid] = int(value)
    return clean_answers, clean_scenes


@transaction.atomic
def attempt_save(*, attempt: Attempt, by: User, answers: dict[str, Any], scenes: dict[str, Any],
                 step: int | None = None) -> list[scoring.Issue]:
    """Save what the enterprise has answered so far (merged into the draft); return the
    contradictions found (saved all the same: nothing typed is lost)."""
    locked = _locked_draft(attempt)
    definition = locked.questionnaire.definition
    new_answers, new_scenes = _clean(definition, answers, scenes)
    merged = {**locked.answers, **new_answers}
    # A rate computed from the device counts picks its band when no option is chosen yet.
    values = scoring.field_values(definition, merged)
    for question in definition.questions:
        if question.rate and question.id in new_answers and not merged[question.id]["options"]:
            percent = scoring.rate(question, values)
            option = scoring.band_option(question, percent) if percent is not None else None
            if option:
                merged[question.id]["options"] = [option]
    locked.answers = merged
    locked.scenes = {**locked.scenes, **new_scenes}
    fields = ["answers", "scenes", "updated_at"]
    if step is not None:
        locked.step = max(0, min(step, len(definition.dimensions) + 1))
        fields.append("step")
    locked.save(update_fields=fields)
    attempt.answers, attempt.scenes, attempt.step = locked.answers, locked.scenes, locked.step
    return scoring.check(definition, locked.answers, locked.scenes, complete=False)


@transaction.atomic
def attempt_submit(*, attempt: Attempt, by: User, pledged: bool) -> Attempt:
    """【提交】: every question answered, nothing contradictory, the 真实性承诺 given;
    the result is computed and frozen on the attempt."""
    locked = _locked_draft(attempt)
    definition = locked.questionnaire.definition
    messages = [i.message for i in scoring.check(definition, locked.answers, locked.scenes,
                                                 complete=True)]
    if not pledged:
        messages.append("请阅读并勾选真实性承诺后再提交。")
    if messages:
        raise ValidationError(messages)
    evaluation = scoring.evaluate(definition, locked.answers, locked.scenes)
    locked.status = Attempt.Status.SUBMITTED
    locked.pledged = True
    locked.total_score = evaluation.total
    locked.level = evaluation.level
    locked.result = {
        "dimensions": [{"title": t, "points": str(p), "max": str(m)} for t, p, m in evaluation.dimensions],
        "points": {qid: str(p) for qid, p in evaluation.points.items()},
        "scenes": evaluation.scene_levels,
        "next_steps": evaluation.next_steps,
    }
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "pledged", "total_score", "level", "result",
                               "submitted_at", "updated_at"])
    return locked


@transaction.atomic
def attempt_discard(*, attempt: Attempt, by: User) -> None:
    """【重新开始】: throw away the attempt in progress (submitted ones are history)."""
    _locked_draft(attempt).delete()


# --- questionnaire versions ----------------------------------------------------------------------


def _is_answered(questionnaire: Questionnaire) -> bool:
    return questionnaire.pk is not None and questionnaire.attempts.exists()


@transaction.atomic
def questionnaire_import(*, data: Any, category: str = "", activate: bool = False) -> Questionnaire:
    """A new version from a JSON tree (ours or the platform's own); never overwrites one."""
    definition = content.parse(data)
    category = category or definition.category
    if category not in Category.values:
        raise ValidationError("请选择评测表类别（制造业、生产性服务业或其他行业）。")
    data = {**data, "category": category}
    questionnaire = Questionnaire.objects.create(
        category=category, name=(definition.name or "未命名评测表")[:120],
        version=(definition.version or "")[:40], description=definition.description,
        content=data,
    )
    if activate:
        questionnaire_activate(questionnaire=questionnaire, by=None)
    return questionnaire


@transaction.atomic
def questionnaire_update(*, questionnaire: Questionnaire, data: Any) -> Questionnaire:
    """Replace the content of a version nobody has answered; refused once it has answers."""
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if _is_answered(locked):
        raise ValidationError("该版本已有企业作答，不能直接修改；请基于它创建新版本后再修改。")
    content.parse(data)
    locked.content = {**data, "category": locked.category}
    locked.save(update_fields=["content", "updated_at"])
    return locked


@transaction.atomic
def questionnaire_new_version(*, questionnaire: Questionnaire) -> Questionnaire:
    """An editable, inactive copy of a version (the way to change an answered one)."""
    return Questionnaire.objects.create(
        category=questionnaire.category, name=questionnaire.name,
        version=f"{questionnaire.version}-修订"[:40], description=questionnaire.description,
        content=questionnaire.content, derived_from=questionnaire,
    )


@transaction.atomic
def questionnaire_activate(*, questionnaire: Questionnaire, by: User | None) -> Questionnaire:
    """Serve this version to new attempts of its category (drafts keep their own version).

    `by` None is the product itself (loading its shipped versions); an official needs the
    ministry's permission (rules.py): the questionnaire is national.
    """
    if by is not None and not by.has_perm("assessment.change_questionnaire", questionnaire):
        raise PermissionDenied("只有部级管理员可以启用评测表版本。")
    Questionnaire.objects.select_for_update().filter(category=questionnaire.category).update(is_active=False)
    Questionnaire.objects.filter(pk=questionnaire.pk).update(is_active=True)
    site_pages_changed()  # UPDATEs send no signal
    questionnaire.is_active = True
    return questionnaire


def questionnaire_export(questionnaire: Questionnaire) -> dict[str, Any]:
    """The version as JSON in the platform's tree shape (re-importable as it is)."""
    return {**questionnaire.content, "category": questionnaire.category,
            "name": questionnaire.name, "versionNum": questionnaire.version,
            "description": questionnaire.description}
