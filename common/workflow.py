"""The one decision mechanism: a transition table per workflow, one service that applies a
step, and one event row per step (``common.models.DecisionEvent``).

Every decision in the product goes through ``decide``: announcements (publish, withdraw),
information updates (return), major changes (approve, return, reject), phone-change requests
(approve, reject) and declarations (the whole review chain). A workflow is a plain table —
``(state, action) → (next state, who, label, opinion required)`` — read by the services, shown
to officials and printed in the docs; never generated methods (style.md 4–6).

``decide`` is atomic: it re-reads the row with ``SELECT … FOR UPDATE``, checks the step
against the state it finds (so two officials acting on one object at once: one succeeds, the
other is told the object has moved on, and nothing happens twice), checks the actor, saves
the new state with ``update_fields`` and appends the event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import DecisionEvent
from .pagecache import rows_changed

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True, slots=True)
class Step:
    """One row of a transition table."""

    source: str  # the state the object must be in
    action: str  # the action's code (a form's value, an event's `action`)
    target: str  # the state it moves to
    label: str  # what the button or the radio says: 审核通过 / 退回 …
    actor: str  # who may take it; the workflow's user decides what a role means
    opinion: bool = False  # an opinion is required (a return, a refusal)


class Workflow:
    """A named transition table over one model's status field."""

    def __init__(self, name: str, steps: Iterable[Step], *, field: str = "status",
                 states: type[models.TextChoices] | None = None) -> None:
        self.name, self.field, self.states = name, field, states
        self.steps: tuple[Step, ...] = tuple(steps)
        self._table: dict[tuple[str, str], Step] = {}
        for step in self.steps:
            key = (step.source, step.action)
            if key in self._table:
                raise ValueError(f"{name}: two steps for {key}")
            self._table[key] = step

    def state_label(self, state: str) -> str:
        if not state:
            return "新建"
        if self.states is not None:
            try:
                return str(self.states(state).label)
            except ValueError:
                pass
        return state

    def step(self, state: str, action: str) -> Step:
        """The step `action` from `state`, or a ValidationError saying why not (in Chinese)."""
        found = self._table.get((state, action))
        if found is None:
            label = next((s.label for s in self.steps if s.action == action), action)
            raise ValidationError(
                "该记录当前状态为“%(state)s”，不能执行“%(action)s”（可能已被他人处理，请刷新后查看）。",
                params={"state": self.state_label(state), "action": label}, code="transition")
        return found

    def available(self, state: str, actors: Iterable[str] | None = None) -> list[Step]:
        """The steps open from `state` (to `actors` only, when given), in table order."""
        wanted = None if actors is None else set(actors)
        return [s for s in self.steps
                if s.source == state and (wanted is None or s.actor in wanted)]

    def is_open(self, state: str, actors: Iterable[str] | None = None) -> bool:
        return bool(self.available(state, actors))


def _level_of(user: Any) -> str:
    if user is None:
        return "system"
    if getattr(user, "is_official", False):
        return str(user.official_level or "")
    return "enterprise" if getattr(user, "is_enterprise", False) else ""


@transaction.atomic
def decide(
    *,
    workflow: Workflow,
    subject: M,
    action: str,
    by: Any,
    opinion: str = "",
    level: str = "",
    may: Callable[[Any, M, Step], bool] | None = None,
    apply: Callable[[M, Step], Sequence[str]] | None = None,
    queryset: QuerySet | None = None,
) -> tuple[M, DecisionEvent]:
    """Take `action` on `subject` for `by`; returns the re-read, saved row and the event.

    * `may(by, locked, step)` — the actor check (a rules predicate, the processing level …);
      False raises PermissionDenied.
    * `apply(locked, step)` — the workflow's own bookkeeping on the locked row (decided_by,
      submitted_at, …) before it is saved; returns the extra field names to save. It may raise
      ValidationError to refuse (nothing is written).
    * `queryset` — where to re-read the row (e.g. with `select_related`); the model's default
      manager when omitted.
    """
    model = type(subject)
    source_qs = queryset if queryset is not None else model._default_manager.all()
    # of=("self",): lock this row only (related rows read along may sit on the nullable side
    # of an outer join, which PostgreSQL cannot lock).
    locked = source_qs.select_for_update(of=("self",)).get(pk=subject.pk)
    source = getattr(locked, workflow.field)
    # The state moved on between the page and this click (another official acted): when the
    # action no longer fits, say that, rather than why it would not fit.
    moved_on = getattr(subject, workflow.field) != source
    try:
        step = workflow.step(source, action)
        if may is not None and not may(by, locked, step):
            raise PermissionDenied(f"您无权对该记录执行“{step.label}”。")
    except (ValidationError, PermissionDenied):
        if moved_on:
            raise ValidationError(
                "该记录已被他人处理，当前状态为“%(state)s”（可能已被他人处理，请刷新后查看）。",
                params={"state": workflow.state_label(source)}, code="transition") from None
        raise
    opinion = (opinion or "").strip()
    if step.opinion and not opinion:
        raise ValidationError({"opinion": f"{step.label}时必须填写意见。"})
    setattr(locked, workflow.field, step.target)
    fields = [workflow.field]
    if apply is not None:
        fields.extend(f for f in apply(locked, step) if f not in fields)
    locked.save(update_fields=fields)
    event = DecisionEvent.objects.create(
        content_type=ContentType.objects.get_for_model(model), object_id=locked.pk,
        workflow=workflow.name, action=step.action, action_label=step.label,
        from_state=source, to_state=step.target, by=by, by_level=level or _level_of(by),
        opinion=opinion, at=timezone.now(),
    )
    return locked, event


# Rows per UPDATE … WHERE pk IN (…): below every database's limit on bound parameters.
_CHUNK = 500


@transaction.atomic
def decide_many(
    *,
    workflow: Workflow,
    queryset: QuerySet,
    source: str,
    action: str,
    by: Any,
    opinion: str = "",
    level: str = "",
    may: Callable[[Any, Step], bool] | None = None,
    values: dict[str, Any] | None = None,
) -> list[int]:
    """Take `action` on every row of `queryset` that is in `source`, in bulk; returns the ids
    that moved, in id order.

    The same table and the same event rows as `decide`, for a batch decision (认定 of 2 000
    declarations): the rows are locked, each chunk moves with a conditional
    ``UPDATE … SET status = target WHERE pk IN (…) AND status = source`` (so a concurrent run
    moves nothing twice), and one `DecisionEvent` per moved row is written with `bulk_create`.
    `may(by, step)` is the actor check on the whole set (the caller scopes `queryset`);
    `values` are other columns the UPDATE sets. Queries: a handful per 500 rows.
    """
    step = workflow.step(source, action)
    if may is not None and not may(by, step):
        raise PermissionDenied(f"您无权执行“{step.label}”。")
    opinion = (opinion or "").strip()
    if step.opinion and not opinion:
        raise ValidationError({"opinion": f"{step.label}时必须填写意见。"})
    model = queryset.model
    ids = sorted(queryset.filter(**{workflow.field: source}).select_for_update(of=("self",))
                 .values_list("pk", flat=True))
    moved: list[int] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        rows = model._default_manager.filter(pk__in=chunk, **{workflow.field: source})
        # The ones still in `source` under the lock are exactly those the UPDATE moves.
        still = sorted(rows.values_list("pk", flat=True))
        if len(still) != rows.update(**{workflow.field: step.target, **(values or {})}):
            raise ValidationError("部分记录已被他人处理，请刷新后重试。", code="transition")
        moved.extend(still)
    content_type = ContentType.objects.get_for_model(model)
    now, by_level = timezone.now(), level or _level_of(by)
    events = DecisionEvent.objects.bulk_create([
        DecisionEvent(content_type=content_type, object_id=pk, workflow=workflow.name,
                      action=step.action, action_label=step.label, from_state=source,
                      to_state=step.target, by=by, by_level=by_level, opinion=opinion, at=now)
        for pk in moved], batch_size=_CHUNK)
    # bulk_create sends no signals: the events' history rows are written in bulk too (the
    # subjects' own rows moved by UPDATE; these events are their record).
    DecisionEvent.history.bulk_history_create(events, batch_size=_CHUNK, default_user=by,
                                              default_date=now)
    rows_changed(model, moved)  # an UPDATE sends no signal: the owners' pages are renewed here
    return moved


def record_start(*, workflow: Workflow, subject: models.Model, action: str, by: Any,
                 level: str = "") -> DecisionEvent:
    """The event of a newly created `subject` (a table row with an empty source state, e.g.
    ("", "submit") → submitted): creation is not a transition of an existing row."""
    step = workflow.step("", action)
    if getattr(subject, workflow.field) != step.target:
        raise ValueError(f"{workflow.name}: a new row must start in {step.target}")
    return DecisionEvent.objects.create(
        content_type=ContentType.objects.get_for_model(type(subject)), object_id=subject.pk,
        workflow=workflow.name, action=step.action, action_label=step.label, from_state="",
        to_state=step.target, by=by, by_level=level or _level_of(by), at=timezone.now(),
    )


def events_for(subject: models.Model) -> QuerySet[DecisionEvent]:
    """The timeline of `subject`, oldest first (one indexed query)."""
    return (DecisionEvent.objects
            .filter(content_type=ContentType.objects.get_for_model(type(subject)),
                    object_id=subject.pk)
            .select_related("by").order_by("at", "id"))


def table_rows(workflow: Workflow) -> list[tuple[str, str, str, str, str]]:
    """The table as rows of labels, for the docs and the admin's help text."""
    return [(workflow.state_label(s.source), s.label, workflow.state_label(s.target), s.actor,
             "必填" if s.opinion else "") for s in workflow.steps]


__all__ = ["Step", "Workflow", "decide", "decide_many", "events_for", "record_start",
           "table_rows"]
