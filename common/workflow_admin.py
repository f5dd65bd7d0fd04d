"""The one admin form for decisions: a radio of the steps open to officials from the object's
state, an opinion, and the timeline of its events. Every decision admin (information updates,
major changes, phone-change requests, declarations) mixes this in and maps an action to its
service in `take_decision`; the service goes through `common.workflow.decide`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .workflow import Step, Workflow, events_for

LEVEL_LABELS = {"ministry": "部级", "province": "省级", "city": "市级", "county": "县级",
                "enterprise": "企业", "system": "系统"}


class DecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(label="审核结果", widget=forms.RadioSelect, choices=())
    opinion = forms.CharField(label="审核意见", required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4, "cols": 70}))

    steps: tuple[Step, ...] = ()  # set on the subclass that get_form builds

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [(s.action, s.label) for s in self.steps]
        if len(self.steps) == 1:  # one possible decision: the opinion alone takes it
            self.fields["decision"].required = False
            self.fields["decision"].initial = self.steps[0].action

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        action = data.get("decision") or (self.steps[0].action if len(self.steps) == 1 else "")
        data["decision"] = action
        data["opinion"] = (data.get("opinion") or "").strip()
        step = next((s for s in self.steps if s.action == action), None)
        if step is not None and step.opinion and not data["opinion"]:
            self.add_error("opinion", f"{step.label}时必须填写审核意见。")
        return data


def timeline_html(subject: Model, *workflows: Workflow) -> str:
    """The 办理记录 of `subject` as a table, oldest first, states read with the event's own
    workflow among `workflows` (the first one otherwise). An object that follows two workflows
    (a title: 取消认定, 取消复核资格) shows both in one timeline."""
    by_name = {w.name: w for w in workflows}

    def states(e: Any) -> str:
        label = by_name.get(e.workflow, workflows[0]).state_label
        return f"{label(e.from_state)} → {label(e.to_state)}"

    rows = [(timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"),
             LEVEL_LABELS.get(e.by_level, e.by_level or "—"),
             (getattr(e.by, "person_name", "") or getattr(e.by, "username", "")) if e.by else "—",
             e.action_label, states(e), e.opinion or "—")
            for e in events_for(subject)]
    if not rows:
        return "暂无办理记录"
    body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                                "<td>{}</td></tr>", rows)
    return format_html("<table><tr><th>时间</th><th>层级</th><th>操作人</th><th>操作</th>"
                       "<th>状态</th><th>意见</th></tr>{}</table>", body)


class DecisionAdminMixin:
    """Mixed into a ModelAdmin (before RegionScopedAdminMixin, whose permission checks it
    narrows) whose model follows `workflow`."""

    workflow: Workflow
    decision_actors: tuple[str, ...] = ("official",)
    # Read-only fields shown above the decision.
    decision_readonly: tuple[str, ...] = ()
    # A subclass of DecisionForm with more fields the decision takes (a major change's outcome);
    # `decision_fields` names them: shown between the radios and the opinion, passed to
    # `take_decision` as keyword arguments.
    decision_form: type[DecisionForm] = DecisionForm
    decision_fields: tuple[str, ...] = ()

    def decision_steps(self, request: HttpRequest, obj: Model | None) -> list[Step]:
        if obj is None:
            return []
        return self.workflow.available(getattr(obj, self.workflow.field), self.decision_actors)

    def take_decision(self, request: HttpRequest, obj: Model, action: str, opinion: str) -> None:
        raise NotImplementedError

    # -- the form ----------------------------------------------------------------------------

    def get_form(self, request: HttpRequest, obj: Model | None = None, change: bool = False,
                 **kwargs: Any) -> type[forms.ModelForm]:
        steps = tuple(self.decision_steps(request, obj))
        kwargs["form"] = type("DecisionForm", (self.decision_form,), {"steps": steps})
        return super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        fields = [*self.decision_readonly, "decision_timeline"]
        if self.decision_steps(request, obj):
            fields += ["decision", *self.decision_fields, "opinion"]
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [*self.decision_readonly, "decision_timeline"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # decisions are taken on objects the enterprises file

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is not None and not self.decision_steps(request, obj):
            return False  # decided: read-only
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # a decided or pending request is a record, never deleted by an official

    @admin.display(description="办理记录")
    def decision_timeline(self, obj: Model) -> str:
        return timeline_html(obj, self.workflow)

    # -- saving is deciding --------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        try:
            data = form.cleaned_data
            self.take_decision(request, obj, data["decision"], data["opinion"],
                               **{name: data.get(name) for name in self.decision_fields})
        except (ValidationError, PermissionDenied) as exc:
            request._decision_failed = True  # type: ignore[attr-defined]
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, text, messages.ERROR)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # nothing but the decision is written from this form

    def message_user(self, request: HttpRequest, message: Any, level: int = messages.INFO,
                     *args: Any, **kwargs: Any) -> None:
        if getattr(request, "_decision_failed", False) and level != messages.ERROR:
            return  # no "成功修改" under a refused decision
        super().message_user(request, message, level, *args, **kwargs)  # type: ignore[misc]
