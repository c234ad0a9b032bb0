"""One partial shows every AWS error: code, message and request id, escaped and visible."""

from __future__ import annotations

import re

from django.template.loader import render_to_string

from tests.support.templates import template_files

PARTIAL = "partials/_aws_error.html"
HOSTILE = {
    "code": "AccessDenied<b>",
    "message": "not allowed \x1b[31m<script>alert(1)</script>\u202e",
    "request_id": "req-1\r\n<i>",
}


def test_an_error_box_escapes_every_part_and_shows_hidden_characters():
    html = render_to_string(PARTIAL, {"error": HOSTILE, "lead": "Connection failed:"}).strip()
    assert html == (
        '<div class="error" role="alert" data-testid="aws-error">Connection failed: '
        "<strong>AccessDenied&lt;b&gt;</strong>: not allowed \\x1b[31m&lt;script&gt;alert(1)"
        "&lt;/script&gt;\\u202e (request id <code>req-1\\x0d\\x0a&lt;i&gt;</code>)</div>"
    )


def test_inline_without_a_request_id_or_message_is_a_run_of_text():
    html = render_to_string(PARTIAL, {"error": {"code": "Throttling"}, "inline": True}).strip()
    assert (
        html == '<span class="aws-error" data-testid="aws-error"><strong>Throttling</strong></span>'
    )


def test_no_template_but_the_partial_writes_aws_error_markup_by_hand():
    by_hand = sorted(
        name
        for name, path in template_files()
        if name != PARTIAL and re.search(r"\{\{[^}]*error\.(code|request_id)", path.read_text())
    )
    assert by_hand == []
