"""Parameters read straight from a query string, validated in one place.

Views that read a number from request.GET (ids, cursors, page numbers) call
integer() or integer_list(), and a word from a fixed set (a chart's mode) choice();
anything else than a whole number in range, or a word outside the set, raises
InvalidParameter, which Django answers with 400 (bad_request below shows
its message). Form fields (forms.IntegerField, ModelChoiceField) validate their
own input and are not read here.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Every integer column is a signed 64-bit BIGINT at most: anything larger would
# overflow the database driver (a 500) instead of simply matching nothing.
MAX = 2**63 - 1


class InvalidParameter(BadRequest):
    """A query parameter that is not a whole number in range; the message is shown."""


def _parse(name: str, raw: str, minimum: int, maximum: int) -> int:
    text = raw.strip()
    # isdecimal() alone would accept other scripts' digits ("١٢"); ASCII only.
    if not (text.isascii() and text.isdecimal()) or len(text) > len(str(maximum)):
        raise InvalidParameter(f"{name}: {raw[:40]!r} is not a whole number.")
    value = int(text)
    if not minimum <= value <= maximum:
        raise InvalidParameter(f"{name}: {value} is out of range ({minimum} to {maximum}).")
    return value


def integer(
    query, name: str, *, default: int | None = None, minimum: int = 0, maximum: int = MAX
) -> int | None:
    """query[name] as an int, default when absent or empty; InvalidParameter otherwise."""
    raw = query.get(name, "")
    if raw == "":
        return default
    return _parse(name, raw, minimum, maximum)


def integer_list(
    query, name: str, *, limit: int, minimum: int = 1, maximum: int = MAX
) -> list[int]:
    """A comma-separated list of ids (empty items ignored), at most limit of them."""
    parts = [part for part in query.get(name, "").split(",") if part != ""]
    if len(parts) > limit:
        raise InvalidParameter(f"{name}: at most {limit} values, got {len(parts)}.")
    return [_parse(name, part, minimum, maximum) for part in parts]


def integers(values: list[str], name: str, *, limit: int, minimum: int = 1) -> list[int]:
    """Repeated form values (request.POST.getlist(name)) as ids, at most limit of them."""
    if len(values) > limit:
        raise InvalidParameter(f"{name}: at most {limit} values, got {len(values)}.")
    return [_parse(name, value, minimum, MAX) for value in values]


def choice(query, name: str, choices, *, default: str = "") -> str:
    """query[name] when it is one of choices, default when absent or empty; a word
    outside them (a chart's mode, say) is InvalidParameter, never silently ignored."""
    raw = query.get(name, "")
    if raw == "":
        return default
    if raw not in choices:
        allowed = ", ".join(choices)
        raise InvalidParameter(f"{name}: {raw[:40]!r} is not one of {allowed}.")
    return raw


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400 (dashboard/urls.py): our own parameter messages are shown; any
    other 400 (a SuspiciousOperation, say) keeps the generic text."""
    message = str(exception) if isinstance(exception, InvalidParameter) else ""
    return render(request, "400.html", {"message": message}, status=400)
