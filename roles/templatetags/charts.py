"""What the chart templates (templates/charts/) need beyond Django's own tags.

The dormancy map has a cell per service and account (hundreds at organization size),
each drawn twice (in the picture and in its table): a template loop spent most of
the overview's time on them, so their markup is built here. Every string that came
from AWS (a role's or account's name, in a cell's title and words) goes through
format_html, which escapes it; what is joined unescaped is numbers and this
module's own keys (roles/charts/dormancy.py BANDS and MARKS).
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from roles.charts.svg import TEXTURES
from roles.templatetags.rolecall import make_visible

register = template.Library()


@register.inclusion_tag("charts/_defs.html")
def chart_defs() -> dict:
    """The patterns and marks every chart on the page refers to, drawn once."""
    return {"textures": TEXTURES}


def _shapes(cell, height: int, mark: int) -> SafeString:
    rects = "".join(
        f'<rect x="{x}" y="{cell.y}" width="{width}" height="{height}" fill="url(#k-{key})"/>'
        for key, x, width, _ in cell.segments
    )
    uses = "".join(
        f'<use href="#m-{verdict}" x="{x}" y="{cell.mark_y}" width="{mark}" height="{mark}"/>'
        for verdict, x in cell.marks
    )
    return mark_safe(rects + uses)  # numbers and the chart's own keys only


@register.simple_tag
def dormancy_cells(chart) -> SafeString:
    """The map's cells as SVG: a link around the cell when it leads somewhere. The
    links are for the mouse (tabindex -1); the keyboard's are in the table."""
    parts = []
    for row in chart.rows:
        for cell in row.cells:
            shapes = _shapes(cell, chart.cell_height, chart.mark)
            title = make_visible(cell.title)
            if cell.href:
                parts.append(
                    format_html(
                        '<a href="{}" tabindex="-1" data-testid="map-cell">'
                        "<g><title>{}</title>{}</g></a>",
                        cell.href,
                        title,
                        shapes,
                    )
                )
            else:
                parts.append(format_html("<g><title>{}</title>{}</g>", title, shapes))
    return mark_safe("\n".join(parts))  # each part built by format_html above


@register.simple_tag
def dormancy_table_rows(chart) -> SafeString:
    """The map's table body: a row per service, a cell per column, the same words."""

    def cell(c) -> SafeString:
        if c.href:
            return format_html('<td><a href="{}">{}</a></td>', c.href, make_visible(c.text))
        return format_html("<td>{}</td>", make_visible(c.text))

    return format_html_join(
        "\n",
        '<tr><th scope="row"><a href="{}">{}</a></th>{}</tr>',
        (
            (row.href, make_visible(row.service), mark_safe("".join(cell(c) for c in row.cells)))
            for row in chart.rows
        ),
    )
