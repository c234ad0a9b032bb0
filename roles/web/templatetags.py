"""The filters and tags every page may use (settings.TEMPLATES builtins), and what the
rows written in Python (each feature's templatetags) share.

A page of 50 rows renders each row's markup 50 times; as template nodes (variables,
filters, `{% url %}`, `{% if %}`) a role row cost about 150 µs, which made a full page
of the role list half again slower than a page of three. So a feature's list row is
one string built with the same escaping: every value goes through `escape` (what
autoescaping does), AWS-sourced text through make_visible first (`seen`), and a
row's link comes from the pattern reversed once (pk_url).
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from html import escape

from django import template
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from roles.web.svg import TEXTURES
from roles.web.text import make_visible

register = template.Library()


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
def day(value) -> str:
    """A time's day as YYYY-MM-DD in the current time zone: the `date:"Y-m-d"` filter
    without its general formatter, several times faster (the role list shows one per row)."""
    if not value:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d")


@register.filter
def parse_iso(value):
    """An ISO 8601 text (as evidence stores times) as a datetime, or None."""
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@register.inclusion_tag("charts/_defs.html")
def chart_defs() -> dict:
    """The patterns and marks every chart on the page refers to, drawn once."""
    return {"textures": TEXTURES}


# Stands for the pk in a reversed URL; no real pk has these digits in a URL.
SENTINEL = 987654321987


@lru_cache(maxsize=64)
def _pattern(name: str, prefix: str) -> str:
    return reverse(name, args=[SENTINEL])


def pk_url(name: str, pk: int) -> str:
    """reverse(name, args=[pk]) for a URL whose only argument is an integer pk,
    reversed once per name (and script prefix) rather than once per row."""
    return _pattern(name, get_script_prefix()).replace(str(SENTINEL), str(int(pk)))


def seen(text) -> str:
    """AWS-sourced text for a row written in Python: made visible, then escaped."""
    return escape(make_visible(text))


MUTED = '<span class="muted">{}</span>'


def counted(n: int, noun: str) -> str:
    return f"{int(n)} {noun}{'' if n == 1 else 's'}"
