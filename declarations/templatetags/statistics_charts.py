"""The statistics page's bar charts and tables (templates/admin/declarations/statistics.html).

Drawn here rather than by a template loop: the ministry's page has about 300 bars of a dozen
values each and as many table rows, and the template engine spent ~0.1 s on the bars and
~0.02 s on the rows; `format_html` escapes the same.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from declarations.statistics import Table

register = template.Library()

THIS, LAST = "#2b6cb0", "#a3bffa"  # 本年 dark, 上年 light


@register.simple_tag
def statistics_chart(table: Table) -> SafeString:
    """Two bars per label (`Table.chart`), with a legend and a tooltip per bar."""
    c = table.chart
    x = c["label_width"]
    this_name, last_name = table.columns[0], table.columns[1]
    bars = format_html_join("\n", (
        '<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>\n'
        '<rect x="{}" y="{}" width="{}" height="16" fill="' + THIS + '"><title>{} {} {}</title></rect>\n'
        '<text x="{}" dx="{}" y="{}" font-size="11">{}</text>\n'
        '<rect x="{}" y="{}" width="{}" height="16" fill="' + LAST + '"><title>{} {} {}</title></rect>\n'
        '<text x="{}" dx="{}" y="{}" font-size="11">{}</text>'), (
        (x - 6, b["last_y"], b["label"],
         x, b["y"], b["this_width"], b["label"], this_name, b["this"],
         x + 4, b["this_width"], b["text_y"], b["this"],
         x, b["last_y"], b["last_width"], b["label"], last_name, b["last"],
         x + 4, b["last_width"], b["last_text_y"], b["last"])
        for b in c["bars"]))
    return format_html(
        '<svg role="img" aria-label="{}：{}与{}对比" width="{}" height="{}" viewBox="0 0 {} {}" '
        'font-family="Noto Sans CJK SC, sans-serif">\n'
        '<rect x="{}" y="4" width="12" height="10" fill="' + THIS + '"/>'
        '<text x="{}" y="13" font-size="11">{}</text>\n'
        '<rect x="{}" y="4" width="12" height="10" fill="' + LAST + '"/>'
        '<text x="{}" y="13" font-size="11">{}</text>\n{}\n</svg>',
        table.title, this_name, last_name, c["width"], c["height"], c["width"], c["height"],
        x, x + 16, this_name, x + 70, x + 86, last_name, bars)


@register.simple_tag
def statistics_table(table: Table) -> SafeString:
    """The numbers of `table`: a row per label, its columns as headers."""
    head = format_html_join("", '<th scope="col">{}</th>', ((col,) for col in table.columns))
    rows = format_html_join("", '<tr data-label="{}"><th scope="row">{}</th><td>{}</td>'
                            "<td>{}</td><td>{}</td></tr>",
                            ((label, label, *n) for label, n in table.items))
    return format_html('<table>\n  <thead><tr><th scope="col">项目</th>{}</tr></thead>\n'
                       "  <tbody>{}</tbody>\n</table>", head, rows)
