"""Reads of the GB/T 2260 regions."""

from __future__ import annotations

from django.db.models import Q

from common.trees import Tree

from .loader import DATA_FILE
from .models import Region

# 注册地 pickers: province → city → county; a county, or a city without counties, may be chosen.
REGION_TREE = Tree(
    slug="regions",
    model=Region,
    data_file=DATA_FILE,
    levels=("省份", "城市", "区县"),
    selectable=Q(registrable=True),
    label=lambda row: row["name"],
    text=lambda row: row["full_name"],
    fields=("code", "name", "full_name"),
    search_fields=("full_name",),
)
