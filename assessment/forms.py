"""Reading a step of the questionnaire from a POST (field names q-, f-, s-), and the pledge."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from .content import Definition, Question, Scene

PLEDGE = "本企业承诺：所填写的数字化水平评测信息真实、准确、完整，如有虚假，愿承担相应责任。"


def read_step(data: QueryDict, *, questions: tuple[Question, ...] | list[Question],
              scenes: tuple[Scene, ...] | list[Scene]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The answers of the questions and scenes shown on one page (unticked boxes clear)."""
    answers = {
        q.id: {"options": data.getlist(f"q-{q.id}"),
               "fields": {f.key: data.get(f"f-{q.id}-{f.key}", "") for f in q.fields}}
        for q in questions
    }
    levels = {s.id: data[f"s-{s.id}"] for s in scenes if data.get(f"s-{s.id}", "") != ""}
    return answers, levels


def page_items(definition: Definition, step: int) -> tuple[tuple[Question, ...], tuple[Scene, ...]]:
    if step < len(definition.dimensions):
        return definition.dimensions[step].questions, ()
    if step == len(definition.dimensions):
        return (), definition.scenes
    return (), ()


class PledgeForm(forms.Form):
    pledge = forms.BooleanField(label=PLEDGE, required=False)
