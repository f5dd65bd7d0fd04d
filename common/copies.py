"""Copies of a parent's 注册地 kept equal by the database.

Two lists of officials filter a row by a region its parent holds: a message by its recipient
account's, a title (认定记录) by its enterprise's. At a million enterprises a join to the parent
for every candidate row is what makes a city's list slow, so the row keeps a copy of the
parent's region — and the lists, their scoping included, read the copy. A copy read for access
must never differ from what it copies, so the database keeps it, not the code:

* a row inserted, or its parent or copy changed, takes its parent's region (whatever was
  written: a raw UPDATE cannot make it differ);
* a parent whose region changes passes it to its rows.

`operation(RegionCopy(...))` installs them, on PostgreSQL or SQLite, from a migration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IDENTIFIER = re.compile(r"^[a-z_]+$")

_POSTGRESQL = ([
    """CREATE OR REPLACE FUNCTION {n}_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.region_id := (SELECT region_id FROM {pt} WHERE id = NEW.{p});
    RETURN NEW;
END $$""",
    """CREATE TRIGGER {n}_copy BEFORE INSERT OR UPDATE OF {p}, region_id ON {t}
    FOR EACH ROW EXECUTE FUNCTION {n}_copy()""",
    """CREATE OR REPLACE FUNCTION {n}_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {t} SET region_id = NEW.region_id WHERE {p} = NEW.id;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER {n}_follow AFTER UPDATE OF region_id ON {pt}
    FOR EACH ROW WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id)
    EXECUTE FUNCTION {n}_follow()""",
], [
    "DROP TRIGGER IF EXISTS {n}_follow ON {pt}",
    "DROP FUNCTION IF EXISTS {n}_follow()",
    "DROP TRIGGER IF EXISTS {n}_copy ON {t}",
    "DROP FUNCTION IF EXISTS {n}_copy()",
])

# SQLite cannot assign NEW: the row is corrected right after it is written.
_SQLITE = ([
    """CREATE TRIGGER {n}_copy_insert AFTER INSERT ON {t}
BEGIN UPDATE {t} SET region_id = (SELECT region_id FROM {pt} WHERE id = NEW.{p})
      WHERE id = NEW.id; END""",
    """CREATE TRIGGER {n}_copy_update AFTER UPDATE OF {p}, region_id ON {t}
WHEN NEW.region_id IS NOT (SELECT region_id FROM {pt} WHERE id = NEW.{p})
BEGIN UPDATE {t} SET region_id = (SELECT region_id FROM {pt} WHERE id = NEW.{p})
      WHERE id = NEW.id; END""",
    """CREATE TRIGGER {n}_follow AFTER UPDATE OF region_id ON {pt}
WHEN OLD.region_id IS NOT NEW.region_id
BEGIN UPDATE {t} SET region_id = NEW.region_id WHERE {p} = NEW.id; END""",
], [
    "DROP TRIGGER IF EXISTS {n}_follow",
    "DROP TRIGGER IF EXISTS {n}_copy_update",
    "DROP TRIGGER IF EXISTS {n}_copy_insert",
])


@dataclass(frozen=True)
class RegionCopy:
    name: str            # prefix of the function and trigger names
    table: str           # the rows that keep the copy
    parent_column: str   # their key to the parent
    parent_table: str    # the parent that holds the region

    def statements(self, vendor: str, forwards: bool = True) -> list[str]:
        names = {"n": self.name, "t": self.table, "p": self.parent_column, "pt": self.parent_table}
        if not all(_IDENTIFIER.match(v) for v in names.values()):
            raise ValueError(f"not a plain identifier: {names}")
        templates = {"postgresql": _POSTGRESQL, "sqlite": _SQLITE}.get(vendor)
        if templates is None:
            raise NotImplementedError(f"region copies on {vendor}")
        # Only the identifiers above (checked) go into the text.
        return [sql.format(**names) for sql in templates[0 if forwards else 1]]  # noqa: S608  # nosec B608


def operation(copy: RegionCopy):
    """The migration operation that installs `copy`'s triggers on this database."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        _run(schema_editor, copy, True)

    def backwards(apps, schema_editor):
        _run(schema_editor, copy, False)

    return migrations.RunPython(forwards, backwards)


def _run(schema_editor, copy: RegionCopy, forwards: bool) -> None:
    for sql in copy.statements(schema_editor.connection.vendor, forwards):
        schema_editor.execute(sql, params=None)
