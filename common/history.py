"""Model change history (等保 2.0 安全审计): django-simple-history, the one library for it.

`AuditHistory` is simple-history's `HistoricalRecords` with one difference: a save that
touches only fields left out of the history (`update_fields` ⊆ `excluded_fields`, such as a
user's `last_login` on every login) writes no empty history row. History rows are
append-only: on PostgreSQL a trigger refuses UPDATE and DELETE on every history table
(audit/migrations/0003_append_only.py).
"""

from __future__ import annotations

from typing import Any

from simple_history.models import HistoricalRecords


class AuditHistory(HistoricalRecords):
    def post_save(self, instance: Any, created: bool, using: str | None = None,
                  **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if not created and fields and set(fields) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)
