"""Rich-text sanitising for announcement bodies (nh3, an allow-list; ecosystem.md)."""

from __future__ import annotations

import html

import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "div", "span", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "a",
}
# No style, no class, no on* handlers: the page's CSP forbids inline styles anyway.
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
# No javascript:, data: or vbscript: links.
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(value: str) -> SafeString:
    """The allowed subset of `value`; safe to put into a page as it is."""
    cleaned = nh3.clean(
        value or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - the output of an allow-list sanitiser (nh3)  # nosec B308 B703


def html_to_text(value: str) -> str:
    """The words of `value` without markup, for search."""
    text = nh3.clean(value or "", tags=set(), attributes={})
    return " ".join(html.unescape(text).split())
