"""Pick one node of a reference tree (GB/T 4754 industries, GB/T 2260 regions) without putting the
whole tree in the page.

``Tree`` reads a tree: the children of a node, a search, the branch leading to a node, the node a
set of per-level ``<select>``s has reached. Every answer is cached: the trees change only through a
migration or ``load_reference_data``, both loading a file shipped with the code, so a hash of that
file versions the cache keys (and the HTTP ETag of the options endpoint).

``TreeSelect`` renders the chosen branch as plain ``<select>``s, one per level, with a 【选择】 button
that refreshes the branch without JavaScript; ``static/js/tree-picker.js`` turns it into a
searchable picker that asks the options endpoint.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from django import forms
from django.core.cache import cache
from django.db import models
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

# A day: the data only changes with a deployment, which changes the version in every key.
CACHE_SECONDS = 24 * 60 * 60
CODE = re.compile(r"[0-9A-Za-z]{1,12}")
MAX_TERMS, MAX_TERM_LENGTH = 5, 30

Node = dict[str, Any]


@dataclass(frozen=True, eq=False)
class Tree:
    """A reference tree stored as ``model`` rows with a unique ``code`` and a ``parent``."""

    slug: str  # names the tree in the endpoint's URL and in cache keys
    model: type[models.Model]
    data_file: Path  # the shipped file the tree is loaded from
    levels: tuple[str, ...]  # the levels' names, top first ("门类", "大类", …)
    selectable: models.Q  # the nodes that may be chosen
    label: Callable[[dict[str, Any]], str]  # a node's text in its level's list
    text: Callable[[dict[str, Any]], str]  # a node in words, on its own (search results)
    fields: tuple[str, ...] = ("code", "name")  # the columns `label` and `text` read
    search_fields: tuple[str, ...] = ("name",)  # searched by "contains", besides the code prefix
    search_limit: int = 50

    @cached_property
    def version(self) -> str:
        return hashlib.sha256(self.data_file.read_bytes()).hexdigest()[:12]

    def _key(self, *parts: str) -> str:
        return ":".join(("tree", self.slug, self.version, *parts))

    def _ancestor_fields(self) -> list[str]:
        return ["__".join(["parent"] * depth + ["code"]) for depth in range(1, len(self.levels))]

    def _nodes(self, queryset: models.QuerySet) -> list[Node]:
        """One query: the rows as JSON-ready dicts, each with its path from the top."""
        ancestors = self._ancestor_fields()
        rows = queryset.annotate(
            has_children=models.Exists(self.model.objects.filter(parent=models.OuterRef("pk"))),
            is_selectable=models.Case(models.When(self.selectable, then=True), default=False,
                                      output_field=models.BooleanField()),
        ).values(*self.fields, *ancestors, "has_children", "is_selectable")
        return [{
            "code": row["code"], "label": self.label(row), "text": self.text(row),
            "leaf": not row["has_children"], "selectable": row["is_selectable"],
            "path": [row[name] for name in reversed(ancestors) if row[name]] + [row["code"]],
        } for row in rows]

    def _cached(self, key: str, compute: Callable[[], list[Node]]) -> list[Node]:
        nodes = cache.get(key)
        if nodes is None:
            nodes = compute()
            cache.set(key, nodes, CACHE_SECONDS)
        return nodes

    def children(self, parent: str | None) -> list[Node]:
        """The nodes under `parent` (the top level for None) in code order; [] for an unknown code."""
        if parent is not None and not CODE.fullmatch(parent):
            return []
        rows = (self.model.objects.filter(parent__isnull=True) if parent is None
                else self.model.objects.filter(parent__code=parent))
        return self._cached(self._key("children", parent or ""),
                            lambda: self._nodes(rows.order_by("code")))

    def search(self, query: str) -> list[Node]:
        """Selectable nodes whose code starts with, or whose name contains, every word typed."""
        terms = [term[:MAX_TERM_LENGTH] for term in query.split()[:MAX_TERMS]]
        if not terms:
            return []
        condition = self.selectable
        for term in terms:
            match = models.Q(code__istartswith=term)
            for name in self.search_fields:
                match |= models.Q(**{f"{name}__icontains": term})
            condition &= match
        rows = self.model.objects.filter(condition).order_by("code")[: self.search_limit]
        digest = hashlib.sha256(" ".join(terms).lower().encode()).hexdigest()[:24]
        return self._cached(self._key("search", digest), lambda: self._nodes(rows))

    def path(self, code: str | None) -> list[Node]:
        """The nodes from the top down to `code`; [] for an unknown code."""
        if not code or not CODE.fullmatch(code):
            return []

        def compute() -> list[Node]:
            found = self._nodes(self.model.objects.filter(code=code))
            if not found:
                return []
            by_code = {n["code"]: n for n in self._nodes(self.model.objects.filter(code__in=found[0]["path"]))}
            return [by_code[c] for c in found[0]["path"]]

        return self._cached(self._key("path", code), compute)

    def reached(self, chosen: Sequence[str]) -> str | None:
        """The deepest code of per-level choices (top first) that still hangs from the ones above.

        A level whose choice no longer belongs to the level above (the 门类 was changed and the old
        大类 is still posted) ends the branch there.
        """
        above: list[str] = []
        for code in chosen[: len(self.levels)]:
            if not code or [n["code"] for n in self.path(code)] != [*above, code]:
                break
            above.append(code)
        return above[-1] if above else None

    def branch(self, code: str | None) -> list[dict[str, Any]]:
        """Per level: its name, the options to show (those under the choice above) and the choice."""
        path = self.path(code)
        levels = []
        for depth, name in enumerate(self.levels):
            if depth == 0:
                options = self.children(None)
            elif depth <= len(path) and not path[depth - 1]["leaf"]:
                options = self.children(path[depth - 1]["code"])
            else:
                options = []
            chosen = path[depth]["code"] if depth < len(path) else ""
            levels.append({"name": name, "options": options, "chosen": chosen})
        return levels

    def describe(self, code: str | None) -> str:
        path = self.path(code)
        return path[-1]["text"] if path else (code or "")


class TreeSelect(forms.Widget):
    """One ``<select>`` per level of the chosen branch, named ``<name>_0`` (top) … ``<name>_N``.

    The value is the deepest consistent choice (``Tree.reached``); a form posted with the plain
    ``<name>`` key instead (a code or a full name typed elsewhere) is read as before.
    """

    template_name = "includes/tree_select.html"
    use_fieldset = True

    def __init__(self, tree: Tree, *, endpoint: str, placeholder: str = "",
                 attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.tree = tree
        self.endpoint = endpoint  # the options URL (lazy: widgets are built at import time)
        self.placeholder = placeholder  # the search box's hint

    def _level_names(self, name: str) -> list[str]:
        return [f"{name}_{depth}" for depth in range(len(self.tree.levels))]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        keys = self._level_names(name)
        if any(key in data for key in keys):
            return self.tree.reached([str(data.get(key) or "") for key in keys])
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and not any(key in data for key in self._level_names(name))

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        code = value if isinstance(value, str) and value else None
        widget = context["widget"]
        widget_attrs = widget["attrs"]
        widget.update({
            "id": widget_attrs.get("id") or f"id_{name}",
            "disabled": bool(widget_attrs.get("disabled")),
            "invalid": "is-invalid" in str(widget_attrs.get("class", "")),
            "describedby": widget_attrs.get("aria-describedby", ""),
            "text": self.tree.describe(code),
            "endpoint": str(self.endpoint),
            "placeholder": self.placeholder,
            "levels": [{**level, "field": field}
                       for level, field in zip(self.tree.branch(code), self._level_names(name), strict=True)],
        })
        return context

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        # The project's templates, not the form renderer's (which sees only the apps' folders).
        # Safe: the output of an autoescaping Django template (bandit B308/B703 reviewed).
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))  # noqa: S308  # nosec B308 B703

    def id_for_label(self, id_: str) -> str:
        return id_
