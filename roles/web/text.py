"""Text from outside (AWS, attempted usernames) made safe to show: control and
invisible characters written out rather than obeyed."""

from __future__ import annotations

import re

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

    Also used outside templates, for exports people read (roles/inventory/views/roles.py).
    """
    if value is None:
        return ""
    pattern = _HIDDEN_KEEP_LINES if keep_newlines else _HIDDEN
    return pattern.sub(_show, str(value))
