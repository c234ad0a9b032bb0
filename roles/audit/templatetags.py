"""The audit history's words and rows: an action in words, one event as a row."""

from __future__ import annotations

from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from roles.audit.actions import ACTIONS
from roles.web.templatetags import pretty_json, seen

register = template.Library()


@register.filter
def action_label(code) -> str:
    """An audit action in words ("auth.denied" -> "Permission denied") for timelines.

    An action missing from roles/audit/actions.py still reads as words, never
    as a raw dotted code; tests/audit/test_action_labels.py keeps the list complete.
    """
    code = str(code or "")
    if code in ACTIONS:
        return ACTIONS[code]
    subject, _, verb = code.partition(".")
    return f"{subject.replace('_', ' ').capitalize()}: {verb.replace('_', ' ')}".rstrip(": ")


OUTCOME_PILLS = {"success": "ok", "denied": "bad"}


@register.simple_tag
def audit_row(event) -> SafeString:
    """One event of the audit history (roles/audit/templates/audit/_results.html)."""
    local = timezone.localtime(event.time)
    who = seen(event.actor_name)
    if event.source_ip:
        who += f'<br><span class="muted">{escape(event.source_ip)}</span>'
    target = f"<code>{seen(event.target_arn)}</code>" if event.target_arn else ""
    if event.account_id:
        target += f'<br><span class="muted">account {escape(event.account_id)}</span>'
    if event.region:
        target += f'<span class="muted"> · {seen(event.region)}</span>'
    aws = ""
    if event.aws_request_id:
        aws = f'<span class="muted">request</span> <code>{seen(event.aws_request_id)}</code>'
    if event.deletion_task_id:
        aws += f'<br><span class="muted">task</span> <code>{seen(event.deletion_task_id)}</code>'
    details = ""
    if event.details:
        details = (
            f"<details><summary>details</summary><pre>{escape(pretty_json(event.details))}"
            "</pre></details>"
        )
    return mark_safe(
        f'<tr data-seq="{int(event.seq)}"><td>{int(event.seq)}</td>'
        f'<td><time datetime="{local.isoformat()}">{local:%Y-%m-%d %H:%M:%S} '
        f"{escape(local.tzname() or '')}</time></td>"
        f'<td>{who}</td><td data-testid="action">{escape(action_label(event.action))}</td>'
        f'<td><span class="pill {OUTCOME_PILLS.get(event.outcome, "warn")}">'
        f"{escape(event.outcome)}</span></td>"
        f"<td>{target}</td><td>{aws}</td><td>{details}</td></tr>"
    )
