"""Summary tables rebuilt whole by one `INSERT … SELECT` each (统计分析: enterprises.EnterpriseCount,
RecognitionTierCount and RecognitionBatchCount, declarations.DeclarationTierCount and its
siblings), and the Asia/Shanghai years they count in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models


def year_starts(year: int) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """The first moments (Asia/Shanghai) of the year before `year`, of `year` and of the next:
    a row made at 2025-12-31 23:59 in Beijing counts in 2025, one at 2026-01-01 00:00 in 2026."""
    tz = ZoneInfo(settings.TIME_ZONE)
    last, this, following = (dt.datetime(y, 1, 1, tzinfo=tz) for y in (year - 1, year, year + 1))
    return last, this, following


def insert_select(model: type[models.Model], groups: models.QuerySet) -> int:
    """Write `groups` — a `values(…).annotate(…)` queryset whose field and annotation names
    are `model`'s fields — into `model`'s table by one INSERT … SELECT, so the rows never
    travel through Python. Returns the rows inserted."""
    select, params = groups.query.sql_with_params()
    # The SELECT lists the values() fields, then the annotations, under these names.
    names = [*groups.query.values_select, *groups.query.annotation_select]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column)
                        for name in names)
    with connection.cursor() as cursor:
        # Table and column names come from the model, the values are parameters.
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)  # noqa: S608
        return cursor.rowcount
