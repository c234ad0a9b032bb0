"""What a cleanup's pages ask of its steps."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def holds_data(steps) -> bool:
    """Whether any cleanup step removes a resource that holds data
    (roles/inventory/cleanup_steps.py)."""
    return any(step.holds_data for step in steps)
