"""申报书核验: the verification code printed on every page of a 申报书, read back.

Provinces require the printed, sealed 申报书 to equal what was filed online (domain.md §2.9).
The code is derived from the frozen copy (`Declaration.compute_verification_code`); an
official types or scans it and learns which declaration it belongs to — only inside their own
scope — and whether the stored frozen copy still yields that code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from portal.accounts.scoping import for_user

from .models import Declaration

# A code as printed: 10 characters of base32 (A–Z, 2–7), a dash after the fifth.
_CODE = re.compile(r"[A-Z2-7]{10}")
# A declaration number: year, declaration-region code, tier letter, sequence
# (services._next_number).
_NUMBER = re.compile(r"\d{10}[CZJ]\d{7,}")
# What may stand between the characters of a typed code.
_SEPARATORS = re.compile(r"[\s\-－—_]")


def qr_payload(declaration: Declaration) -> str:
    """What the QR code on the 申报书 encodes: the number and the verification code."""
    return f"申报编号:{declaration.number};核验码:{declaration.verification_code}"


@dataclass(frozen=True, slots=True)
class TypedCode:
    """What an official typed or scanned, normalised."""

    code: str  # as stored: "ABCDE-FGHIJ"
    number: str = ""  # the declaration number, when the whole QR text was scanned


def parse_typed_code(text: str) -> TypedCode | None:
    """The verification code in what was typed or scanned, or None when there is none.

    Accepts the code alone — any case, with or without the dash or spaces — or the whole QR
    text ("申报编号:…;核验码:…"). A keyboard-wedge scanner often cannot type the Chinese
    labels, so the code is read after the last colon (ASCII or full-width) and the number
    wherever it stands: both are ASCII.
    """
    text = (text or "").strip()
    if not text:
        return None
    tail = re.split(r"[:：]", text)[-1]
    code = _SEPARATORS.sub("", tail).upper()
    if not _CODE.fullmatch(code):
        return None
    found = _NUMBER.search(text.upper()) if tail != text else None
    return TypedCode(code=f"{code[:5]}-{code[5:]}", number=found.group(0) if found else "")


@dataclass(frozen=True, slots=True)
class Verification:
    """The answer of 申报书核验: the declaration (None = 未找到) and whether it matches."""

    declaration: Declaration | None
    matches: bool = False

    @property
    def label(self) -> str:
        if self.declaration is None:
            return "未找到"
        return "核验一致" if self.matches else "不一致"


def verify_code(*, user: Any, typed: TypedCode) -> Verification:
    """The declaration in `user`'s scope that carries `typed.code`, and whether its stored
    frozen copy still yields that code.

    Out of scope and unknown look the same (未找到), so codes cannot be probed across regions.
    A declaration returned and being edited has no valid 申报书 (its next submission gives a
    new code), so it is not found either.
    """
    declarations = (for_user(Declaration.objects.all(), user, "region")
                    .filter(verification_code=typed.code)
                    .exclude(status__in=Declaration.EDITABLE_STATES)
                    .select_related("enterprise", "window__declaration_region", "region"))
    if typed.number:
        declarations = declarations.filter(number=typed.number)
    declaration = declarations.order_by("-submitted_at", "-id").first()
    if declaration is None:
        return Verification(None)
    return Verification(declaration, declaration.compute_verification_code() == typed.code)
