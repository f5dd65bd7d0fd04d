"""The one masking rule for personal data shown to anyone but its owner (等保 个人信息保护).

Officials' lists, detail pages, exports, messages and log lines show 身份证号 and 手机号 only
masked: the first 3 and last 4 characters kept, the rest starred — `110***********1234`,
`138****5678`. Only the owner's own pages show the full value.
"""

from __future__ import annotations

KEEP_HEAD = 3
KEEP_TAIL = 4


def mask(value: str | None) -> str:
    """`110101199003071234` → `110***********1234`; `13812345678` → `138****5678`.

    A value too short to keep both ends (7 characters or fewer) is starred whole; an empty
    value stays empty.
    """
    if not value:
        return ""
    value = str(value)
    if len(value) <= KEEP_HEAD + KEEP_TAIL:
        return "*" * len(value)
    return value[:KEEP_HEAD] + "*" * (len(value) - KEEP_HEAD - KEEP_TAIL) + value[-KEEP_TAIL:]
