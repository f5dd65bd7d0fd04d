"""The printable PDF report: WeasyPrint + Debian fonts-noto-cjk (Chinese embedded, ecosystem.md)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The report is self-contained (inline CSS and SVG): nothing is fetched, so a value in the
    # document can never make the server read a file or call a URL.
    raise ValueError(f"resource not allowed in the report: {url}")


def render_pdf(context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs time the other pages skip

    html = render_to_string("assessment/report_pdf.html", context)
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()
