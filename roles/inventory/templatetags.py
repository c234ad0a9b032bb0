"""The inventory's verdicts and rows as pages show them: a role's verdict pill, a
role-list row, an ECS cluster's card, and the overview's dormancy map.

Rows and the map's cells are written in Python rather than as template loops, for
their number (roles/web/templatetags.py says why). Every string that came from AWS
(a role's or account's name, in a cell's title and words) is escaped: `seen` or
format_html; what is joined unescaped is numbers and the code's own keys
(roles/inventory/charts/dormancy.py BANDS and MARKS).
"""

from __future__ import annotations

from html import escape

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from roles.inventory.readiness import VERDICTS
from roles.inventory.rules import forbidden
from roles.web.templatetags import counted, day, pk_url, seen
from roles.web.text import make_visible

register = template.Library()


@register.filter
def aws_allows_deletion(principal: str) -> bool:
    """False for a service whose guide says its role cannot be deleted
    (roles/inventory/rules.py)."""
    return forbidden(principal) is None


def _regions(n: int) -> str:
    return f"{n} region{'' if n == 1 else 's'}"


@register.simple_tag
def verdict_pill(role):
    """A role's stored verdict (roles/inventory/readiness.py) as the role list shows it, one per
    row (a tag rather than an included template, for the same reason as above)."""
    if not role.is_live:
        return mark_safe('<span class="muted">—</span>')
    verdict = role.verdict
    if verdict == "blocked":
        text = f"blocked: {role.blocker_count} in {_regions(role.blocked_regions)}"
        return format_html('<span class="pill bad">{}</span>', text)
    if verdict == "ready":
        return mark_safe(
            '<span class="pill ok" title="the last sync found nothing that blocks it">'
            "can be deleted now</span>"
        )
    if verdict == "unknown":
        why = (
            f"{_regions(role.unknown_regions)} could not be read"
            if role.unknown_regions
            else "not read yet"
        )
        return format_html('<span class="pill warn" title="{}">cannot tell</span>', why)
    if verdict == "not_deletable":
        return mark_safe(
            '<span class="pill bad" title="AWS does not allow deleting this role">'
            "not deletable</span>"
        )
    return mark_safe(
        '<span class="muted" title="rolecall cannot tell from its reads whether anything '
        'blocks this role (the role page says why); AWS will check when you delete">'
        "not checked</span>"
    )


@register.filter
def verdict_label(code) -> str:
    """A stored verdict in the roles list's words ("ready" -> "can be deleted now")."""
    return VERDICTS.get(code, str(code).replace("_", " "))


STATE_PILLS = {"present": "ok", "recreated": "bad"}


@register.simple_tag
def role_row(role, not_tracked: str, pick: bool = False) -> SafeString:
    """One row of the role list (roles/inventory/templates/roles/list.html): `role` as the
    list reads it, with account_aws_id annotated; with `pick`, a first cell to tick the row for the
    campaign draft form below the table."""
    if role.last_used_at:
        used = day(role.last_used_at)
        if role.last_used_region:
            used = f"{used} in {seen(role.last_used_region)}"
    else:
        used = f'<span class="muted">{escape(not_tracked)}</span>'
    ticked = (
        f'<td><input type="checkbox" form="draft-campaign-form" name="pick" value="{role.pk}"'
        f' aria-label="Pick {escape(role.name)} in {escape(role.account_name)}"></td>'
        if pick
        else ""
    )
    return mark_safe(
        f"<tr>{ticked}<td>{seen(role.service_principal)}</td>"
        f'<td><a href="{pk_url("role-detail", role.pk)}">{seen(role.name)}</a></td>'
        f'<td>{escape(role.account_name)} <code class="muted">{escape(role.account_aws_id)}</code>'
        f"</td><td>{used}</td>"
        f'<td data-testid="verdict">{verdict_pill(role)}</td>'
        f'<td><span class="pill {STATE_PILLS.get(role.state, "warn")}">{escape(role.state)}'
        "</span></td></tr>"
    )


@register.simple_tag
def cluster_card(cluster) -> SafeString:
    """One ECS cluster with the counts the sync stored; its services and instances are
    read from AWS on demand (roles/inventory/views/resources.py). On the role page and a region's
    clusters page."""
    services = pk_url("cluster-services", cluster.pk)
    instances = pk_url("cluster-instances", cluster.pk)
    swap = 'hx-target="this" hx-swap="outerHTML"'
    return mark_safe(
        '<div class="cluster" data-testid="cluster">'
        f'<p><strong>{seen(cluster.name)}</strong> <span class="pill">{seen(cluster.status)}'
        f'</span> <code class="muted">{seen(cluster.arn)}</code><br>'
        f"{counted(cluster.active_services, 'active service')} · "
        f"{counted(cluster.registered_instances, 'container instance')} · "
        f"{int(cluster.running_tasks)} running / {int(cluster.pending_tasks)} pending tasks</p>"
        '<p data-testid="cluster-lists">'
        f'<a class="button" href="{services}" hx-get="{services}" {swap}>List its services</a> '
        f'<a class="button" href="{instances}" hx-get="{instances}" {swap}>'
        "List its container instances</a>"
        "</p></div>"
    )


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
