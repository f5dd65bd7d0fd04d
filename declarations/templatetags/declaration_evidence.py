"""Template tags of the evidence include (templates/declarations/includes/evidence.html)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template
from django.conf import settings

from declarations import selectors
from declarations.models import Declaration, DeclarationEvidence

register = template.Library()


@dataclass
class EvidenceSection:
    """The evidence of one indicator: its key, its label and the files."""

    key: str
    label: str
    items: list[DeclarationEvidence] = field(default_factory=list)


@register.simple_tag
def evidence_choices(declaration: Declaration) -> list[tuple[str, list[tuple[str, str]]]]:
    """The upload form's indicator select, grouped (`selectors.evidence_indicators`)."""
    return selectors.evidence_indicators(declaration)


@register.simple_tag
def evidence_sections(declaration: Declaration,
                      evidence: list[DeclarationEvidence]) -> list[EvidenceSection]:
    """The evidence grouped by indicator, in the order of the standard (whole declaration
    first); a key the standard no longer lists keeps its files under the bare key."""
    labels = selectors.evidence_labels(declaration)
    order = {key: at for at, key in enumerate(labels)}
    sections: dict[str, EvidenceSection] = {}
    for item in evidence:
        if item.indicator not in sections:
            sections[item.indicator] = EvidenceSection(
                item.indicator, labels.get(item.indicator, item.indicator or "整体佐证材料"))
        sections[item.indicator].items.append(item)
    return sorted(sections.values(), key=lambda s: (order.get(s.key, len(order)), s.key))


@register.simple_tag
def evidence_limits() -> dict[str, int]:
    """The upload limits from settings, in MB and files, for the form's help text."""
    mb = 1024 * 1024
    return {"file_mb": settings.DECLARATION_EVIDENCE_MAX_FILE_BYTES // mb,
            "total_mb": settings.DECLARATION_EVIDENCE_MAX_TOTAL_BYTES // mb,
            "files": settings.DECLARATION_EVIDENCE_MAX_FILES}
