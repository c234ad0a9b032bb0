import json
import re

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from roles.audit.actions import ACTIONS
from roles.rules import forbidden, rule_for

register = template.Library()

# Characters that are invisible or reorder the text around them: zero-width
# space/joiners and marks (U+200B-U+200F), bidirectional embeddings and
# overrides (U+202A-U+202E), isolates (U+2066-U+2069), the byte-order mark
# (U+FEFF), plus the Arabic letter mark and the line/paragraph separators.
# "AWSServiceRoleFor\u202eSCE" would otherwise read as another role's name.
_INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c\u2028\u2029"
_HIDDEN = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_INVISIBLE}]")
_HIDDEN_KEEP_LINES = re.compile(f"[\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f{_INVISIBLE}]")


def _show(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def make_visible(value, *, keep_newlines: bool = False) -> str:
    """value with control and invisible characters written as \\xNN / \\uNNNN text.

    Also used outside templates, for exports people read (roles/views/roles.py).
    """
    if value is None:
        return ""
    pattern = _HIDDEN_KEEP_LINES if keep_newlines else _HIDDEN
    return pattern.sub(_show, str(value))


@register.filter
def visible(value) -> str:
    """Show control characters (CR, LF, ANSI escapes...) as \\xNN text, and
    bidirectional and invisible Unicode controls as \\uNNNN.

    For untrusted strings (AWS-sourced text, attempted usernames) shown on one
    line: a newline, an escape sequence or a right-to-left override must not
    reshape the page, disguise a name or fool a log viewer. The result is still
    HTML-escaped by autoescaping.
    """
    return make_visible(value)


@register.filter
def visible_lines(value) -> str:
    """visible, keeping line breaks: for multi-line text such as notification bodies."""
    return make_visible(value, keep_newlines=True)


@register.filter
def pretty_json(value) -> str:
    """Indented JSON; json.dumps escapes control characters itself."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=True)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced or removed."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def listify(value) -> list:
    return [value]


@register.filter
def action_label(code) -> str:
    """An audit action in words ("auth.denied" -> "Permission denied") for timelines.

    An action missing from roles/audit/actions.py still reads as words, never
    as a raw dotted code; tests/test_action_labels.py keeps the list complete.
    """
    code = str(code or "")
    if code in ACTIONS:
        return ACTIONS[code]
    subject, _, verb = code.partition(".")
    return f"{subject.replace('_', ' ').capitalize()}: {verb.replace('_', ' ')}".rstrip(": ")


@register.inclusion_tag("deletions/_plan_cleanup.html", takes_context=True)
def plan_cleanup_offer(context, deletion) -> dict:
    """On a deletion that AWS refused because resources use the role: for ECS, Plan
    cleanup (the button posts to the role's cleanup view, which checks the permission
    again); for another service, its cleanup steps as a dry run.

    Shown while the latest attempt failed with a RoleUsageList.
    """
    from roles import permissions
    from roles.models import DeletionRequest

    role = deletion.role
    offer = {"show": False}
    if deletion.state != DeletionRequest.State.FAILED or role is None:
        return offer
    rule = rule_for(role.service_principal)
    if rule is None or not rule.checked:
        return offer  # nothing rolecall read to list: AWS's own report is on the page
    latest = deletion.attempts.order_by("-number").first()
    if latest is None or latest.status != "FAILED" or not latest.role_usage_list:
        return offer
    user = context["request"].user
    return {
        "show": True,
        "ecs": role.checks_ecs,
        "role": role,
        "regions": len(latest.role_usage_list),
        "can_operate": permissions.can_operate(user),
        "active": role.cleanups.active().first(),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def aws_allows_deletion(principal: str) -> bool:
    """False for a service whose guide says its role cannot be deleted (roles/rules.py)."""
    return forbidden(principal) is None


@register.filter
def holds_data(steps) -> bool:
    """Whether any cleanup step removes a resource that holds data (roles/cleanup/manual.py)."""
    return any(step.holds_data for step in steps)


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


def _regions(n: int) -> str:
    return f"{n} region{'' if n == 1 else 's'}"


@register.simple_tag
def verdict_pill(role):
    """A role's stored verdict (roles/readiness.py) as the role list shows it, one per
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
        '<span class="muted" title="rolecall does not read what blocks this role; AWS will '
        'check when you delete">not checked</span>'
    )


@register.filter
def day(value) -> str:
    """A time's day as YYYY-MM-DD in the current time zone: the `date:"Y-m-d"` filter
    without its general formatter, several times faster (the role list shows one per row)."""
    if not value:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d")


@register.filter
def verdict_label(code) -> str:
    """A stored verdict in the roles list's words ("ready" -> "can be deleted now")."""
    from roles.readiness import VERDICTS

    return VERDICTS.get(code, str(code).replace("_", " "))


@register.filter
def parse_iso(value):
    """An ISO 8601 text (as evidence stores times) as a datetime, or None."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
