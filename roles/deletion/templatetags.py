"""What a deletion's page offers once AWS refused it for resources in use."""

from __future__ import annotations

from django import template

from roles.access import permissions
from roles.deletion.models import DeletionRequest
from roles.inventory.rules import rule_for

register = template.Library()


@register.inclusion_tag("deletions/_plan_cleanup.html", takes_context=True)
def plan_cleanup_offer(context, deletion) -> dict:
    """On a deletion that AWS refused because resources use the role: for ECS, Plan
    cleanup (the button posts to the role's cleanup view, which checks the permission
    again); for another service, its cleanup steps as a dry run.

    Shown while the latest attempt failed with a RoleUsageList.
    """
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
