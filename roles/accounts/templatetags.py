"""An account as the account list shows it: its sync state and its row."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from roles.web.templatetags import MUTED, pk_url

register = template.Library()


@register.simple_tag
def sync_status(account, active: dict):
    """One account's sync state as a pill: its run under way (from active, the shown
    accounts' unfinished runs by account id), else its stale reads, else ok. A tag
    rather than an included template: the account list shows one per row."""
    run = active.get(account.pk)
    if run is not None:
        return format_html('<span class="pill warn">sync {}</span>', run.status)
    stale = []
    if account.stale_regions:
        stale.append(f"{account.stale_regions} stale region(s)")
    if account.stale_reads:
        stale.append(f"{account.stale_reads} stale service read(s)")
    if stale:
        return format_html('<span class="pill warn">{}</span>', ", ".join(stale))
    return mark_safe('<span class="pill ok">ok</span>')


@register.simple_tag
def account_row(account, active: dict) -> SafeString:
    """One row of the account list (roles/accounts/templates/accounts/list.html); `active` as for
    sync_status."""
    pills = (' <span class="pill bad">production</span>' if account.production else "") + (
        "" if account.enabled else ' <span class="pill">disabled</span>'
    )
    if account.paused:
        pills += f' <span class="pill warn">not synced: {escape(account.paused.lower())}</span>'

    arn = account.role_arn
    regions = account.regions
    done = account.last_success
    return mark_safe(
        f'<tr><td><a href="{pk_url("account-detail", account.pk)}">{escape(account.name)}</a>'
        f"{pills}</td><td><code>{escape(account.aws_account_id)}</code></td>"
        f"<td>{f'<code>{escape(arn)}</code>' if arn else MUTED.format('default credentials')}"
        f"</td><td>{escape(', '.join(regions)) if regions else MUTED.format('all enabled')}"
        f"</td><td>{int(account.role_count)}</td>"
        f"<td>{f'{timesince(done)} ago' if done else MUTED.format('never')}</td>"
        f"<td>{sync_status(account, active)}</td></tr>"
    )
