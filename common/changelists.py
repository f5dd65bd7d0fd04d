"""Officials' change lists at national scale: a capped count and an index-friendly search.

Django's admin counts the filtered list on every page (`SELECT COUNT(*)`); at a million
enterprises, three million declarations and twenty million messages that reads the whole scope
each time. `CappedPaginator` counts at most `CAP + 1` rows (`SELECT COUNT(*) FROM (… LIMIT
CAP + 1)`, or one page past the page asked for), so the list says "1000+" and every page stays
reachable one "next" at a time; filters and search narrow it down.

The admin's search ORs `icontains` over every search field; when they sit on different tables
(a declaration's number, its enterprise's name and code) PostgreSQL cannot use an index for any
of them and reads the whole list. `UnionSearchMixin` asks each field on its own and keeps the
rows whose key is in the union (`pk IN (… UNION ALL …)`): each branch uses its own trigram or
B-tree index (bench/scale_bench.py).

`action_checkbox` draws each row's selection box as Django does, in Python: Django renders it
through the form renderer's templates once per row, a fifth of a 申报 list's time.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import helpers
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext

# 1 000: at a province the scope goes through the region join and the planner reads the table in
# order until it has CAP + 1 rows in scope (10 000 took 40–330 ms there, bench/scale_bench.py).
CAP = 1000


class CappedPaginator(Paginator):
    cap = CAP
    capped = False

    def __init__(self, *args: Any, reach: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # `reach`: the page asked for. The count goes one page past it, so every page stays
        # reachable ("下一页" is always there while rows remain); only the count stops early.
        if reach:
            self.cap = max(type(self).cap, (reach + 1) * self.per_page)

    @cached_property
    def count(self) -> int:
        """The number of rows, or `cap` when there are more (then `capped` is true)."""
        counted = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


class UnionSearchMixin:
    """For a ModelAdmin whose `search_fields` are plain paths (no ^ = @ prefixes): every word
    of the search must match one of the fields, as in Django's admin, but each field is its own
    subquery of the union."""

    search_fields: Any

    def get_search_results(self, request: HttpRequest, queryset: QuerySet,
                           search_term: str) -> tuple[QuerySet, bool]:
        fields = list(self.get_search_fields(request))  # type: ignore[attr-defined]
        if not search_term or not fields or any(f[0] in "^=@" for f in fields):
            return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]
        model = queryset.model
        for bit in smart_split(search_term):
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            branches = [model._default_manager.filter(**{f"{f}__icontains": bit})
                        .order_by().values("pk") for f in fields]
            union = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
            queryset = queryset.filter(pk__in=union)
        # A key IN a subquery never repeats a row.
        return queryset, False


def trigram_indexes(*indexes: tuple[str, str, str]) -> tuple[Any, Any]:
    """A migration's (forwards, backwards) creating GIN trigram indexes on UPPER(column) —
    the expression the admin's `icontains` search compares on PostgreSQL — for
    `(index name, table, column)` triples. Nothing happens on other databases (SQLite reads
    its small tables whole). pg_trgm ships with PostgreSQL; creating it needs a role that may
    create extensions (the migrating role, once)."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, table, column in indexes:
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                                  f'USING gin (UPPER("{column}"::text) gin_trgm_ops)')

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, _table, _column in indexes:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return forwards, backwards


def action_checkbox(obj: Model) -> SafeString:
    """The markup of `ModelAdmin.action_checkbox` (a CheckboxInput, unchecked), escaped once."""
    label = format_html(gettext("Select this object for an action - {}"), str(obj))
    return format_html('<input type="checkbox" name="{}" value="{}" class="action-select" '
                       'aria-label="{}">', helpers.ACTION_CHECKBOX_NAME, str(obj.pk), label)
