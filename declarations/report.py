"""The 申报书 PDF: what was filed, as it was frozen at submission, for signing and sealing.

WeasyPrint + Debian fonts-noto-cjk (Chinese embedded), like the assessment report. Provinces
require the printed, sealed copy to equal what was filed online (domain.md §2.9), so every page
carries the declaration number and the verification code derived from the frozen copy, and a
QR code of both drawn here (segno, no network); officials check it on 申报书核验 in the admin.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from common.tiers import Tier
from enterprises.models import Enterprise

from . import building
from .models import LEVEL_LABELS, Declaration
from .services import review_levels
from .verification import qr_payload

# The fields of `building.profile_snapshot`, in the order of the 申报书's part 一.
PROFILE_FIELDS = ("name", "uscc", "region", "address", "founded_on", "registered_capital",
                  "scale_label", "industry", "legal_representative", "contact_person",
                  "contact_phone", "contact_email", "main_product", "niche_market", "niche_since",
                  "employees", "rd_staff")
_PROFILE_LABELS = {"scale_label": "企业规模"}

PLEDGE = ("本企业郑重承诺：本申报书所填报的信息及提交的佐证材料均真实、准确、完整，与在优质中小企业"
          "梯度培育平台在线提交的内容一致；如有虚假，本企业愿承担由此产生的一切法律责任，并接受"
          "取消申报或认定资格、三年内不得再次申报等处理。")

def qr_data_uri(payload: str) -> str:
    """The QR code of `payload` as an SVG data URI (drawn locally; nothing is fetched)."""
    return segno.make(payload, error="m").svg_data_uri(scale=3, border=1)


def _show(field: building.Field, value: Any) -> str:
    """A form answer as the 申报书 prints it."""
    if value is None or value == "" or value == []:
        return "未入围" if field.kind == "rank" else ("无" if field.kind in ("choices", "awards")
                                                     else "未填写")
    labels = dict(field.choices)
    if field.kind == "yesno":
        return "是" if value else "否"
    if field.kind == "choice":
        return labels.get(value, str(value))
    if field.kind == "choices":
        return "、".join(labels.get(v, str(v)) for v in value)
    if field.kind == "awards":
        return "；".join(f"{labels.get(a.get('level'), a.get('level'))}"
                        f"{'（排名第' + str(a['rank']) + '）' if a.get('rank') else ''}"
                        for a in value if isinstance(a, dict))
    if field.kind == "rank":
        return f"第{value}名"
    return str(value)


def _feature_labels(declaration: Declaration) -> dict[str, str]:
    config = declaration.features or {}
    labels = {}
    for item in config.get("indicators") or ():
        if isinstance(item, dict) and item.get("key"):
            unit = f"（{item['unit']}）" if item.get("unit") else ""
            labels[str(item["key"])] = f"{item.get('name') or item['key']}{unit}"
    return labels


def _sections(declaration: Declaration) -> list[dict[str, Any]]:
    """Every section of the form but the figures, each answer with its label."""
    data = declaration.form_data or {}
    out = []
    for name, fields in building.spec(declaration.tier, declaration.standard_version).items():
        if name == "figures":
            continue
        answers = data.get(name) or {}
        if name == "features":
            labels = _feature_labels(declaration)
            rows = [(labels.get(key, key), "未填写" if value in (None, "") else str(value))
                    for key, value in answers.items()]
        else:
            rows = [(field.label, _show(field, answers.get(field.name))) for field in fields]
        out.append({"title": building.SECTION_LABELS.get(name, name), "rows": rows})
    return out


def _figures(declaration: Declaration) -> dict[str, Any]:
    """The figures table: one row per figure, one column per year (latest first)."""
    figures = (declaration.form_data or {}).get("figures") or {}
    years = sorted(figures, reverse=True)
    rows = [(label, [_blank(figures[y].get(name)) for y in years]) for name, label in building.FIGURES]
    return {"years": years, "rows": rows}


def _blank(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


def _profile(declaration: Declaration) -> list[tuple[str, str]]:
    profile = declaration.profile or {}
    rows = []
    for name in PROFILE_FIELDS:
        label = _PROFILE_LABELS.get(name) or str(Enterprise._meta.get_field(name).verbose_name)
        rows.append((label, _blank(profile.get(name))))
    return rows


def _conditions(items: list[dict[str, Any]], depth: int = 0) -> list[dict[str, Any]]:
    """Conditions with their parts flattened (indented by depth)."""
    out = []
    for item in items or ():
        out.append({**item, "depth": depth})
        out.extend(_conditions(item.get("parts") or [], depth + 1))
    return out


# The words for the codes the engine's inputs carry (研发机构 levels also name award levels).
_CODE_LABELS: dict[str, str] = {str(code): label for code, label in (
    *building.AWARD_LEVELS, *building.RD_INSTITUTION, *building.HONORS,
    *building.PRODUCT_FIELD, *building.QUALITY)}


def _plain(value: Any) -> str:
    """A frozen engine value as text: yes/no in Chinese, codes in words, lists joined."""
    if value is None or value == "":
        return "未填写"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_plain(v) for v in value) or "无"
    if isinstance(value, dict) and "level" in value:  # an award: level and rank
        rank = f"（排名第{value['rank']}）" if value.get("rank") else ""
        return f"{_plain(value['level'])}{rank}"
    return _CODE_LABELS.get(str(value), str(value))


def _indicators(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Indicators with their parts (特色化) flattened, their inputs as text."""
    out = []
    for item in items or ():
        for part, row in [(False, item), *((True, p) for p in item.get("parts") or ())]:
            inputs = [(i.get("label"), _plain(i.get("value"))) for i in row.get("inputs") or ()]
            value = row.get("value")
            out.append({**row, "part": part, "inputs": inputs,
                        "value": "—" if value is None else _plain(value)})
    return out


def _local(value: str | None) -> datetime | None:
    parsed = parse_datetime(value) if value else None
    return timezone.localtime(parsed) if parsed else None


def _recommenders(declaration: Declaration) -> list[str]:
    """One opinion box per level of the declaration's review chain (县级 … 部级)."""
    levels = review_levels(region=declaration.region, tier=declaration.tier)
    return [f"{LEVEL_LABELS[level]}中小企业主管部门" if level != "ministry" else "工业和信息化部"
            for level in levels]


def report_context(declaration: Declaration) -> dict[str, Any]:
    """Everything the 申报书 prints, read from the frozen copy (never recomputed)."""
    result = declaration.result or {}
    assessment = declaration.assessment
    if assessment:
        assessment = {**assessment, "submitted_at": _local(assessment.get("submitted_at"))}
    return {
        "declaration": declaration,
        "tier_label": Tier(declaration.tier).label,
        "doc_label": "复核申请书" if declaration.is_rereview else "申报书",
        "region_name": declaration.declaration_region.name,
        "submitted_at": timezone.localtime(declaration.submitted_at),
        "profile": _profile(declaration),
        "figures": _figures(declaration),
        "sections": _sections(declaration),
        "result": result,
        "indicators": _indicators(result.get("indicators")),
        "mandatory": _conditions(result.get("mandatory")),
        "direct": _conditions(result.get("direct")),
        "assessment": assessment,
        "recommenders": _recommenders(declaration),
        "pledge": PLEDGE,
        "qr": qr_data_uri(qr_payload(declaration)),
    }


def render_declaration_pdf(declaration: Declaration) -> bytes:
    """The 申报书 of a filed declaration as PDF bytes.

    Only a filed copy has one: a draft, or a declaration returned and being edited, has no
    frozen copy that matches its verification code (ValueError).
    """
    if not declaration.verification_code or declaration.editable:
        raise ValueError("only a filed declaration has a 申报书")
    # Imported here: loading Pango costs time the other pages skip.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string("declarations/report_pdf.html", report_context(declaration))
    # Self-contained: inline CSS, the QR code as a data URI. Nothing else is fetched, so a value
    # in the document can never make the server read a file or call a URL.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
