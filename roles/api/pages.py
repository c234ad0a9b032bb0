"""Cursor pages for every API list, and their parameters in the schema.

Every list is a keyset page (roles/web/keyset.py): a page costs the same at any
depth, and a cursor stays valid while rows are added. The answer is
{"results": [...], "next": url | null, "previous": url | null}.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from roles.web import keyset, params

MAX_PAGE_SIZE = 200
CURSORS = ("after", "before", "last")


def size(request, default: int) -> int:
    return params.integer(
        request.query_params, "page_size", default=default, minimum=1, maximum=MAX_PAGE_SIZE
    )


def link(request, **cursor) -> str | None:
    """This list's URL, its filters kept, at another cursor (None: no such page)."""
    if not any(cursor.values()):
        return None
    query = [(k, v) for k, v in request.query_params.items() if k not in CURSORS]
    query += [(k, v) for k, v in cursor.items() if v]
    return request.build_absolute_uri(f"{request.path}?{urlencode(query)}")


def answer(request, page_rows, serializer, *, next_cursor, previous_cursor, name="after"):
    """The list's JSON: `name` is the cursor parameter that walks on (after, before)."""
    back = "after" if name == "before" else "before"
    data = serializer(page_rows, many=True, context={"request": request}).data
    return Response(
        {
            "results": data,
            "next": link(request, **{name: next_cursor}),
            "previous": link(request, **{back: previous_cursor}),
        }
    )


def keyset_answer(request, qs, order: keyset.Order, serializer, *, default_size: int):
    page = keyset.page(qs, order, request.query_params, size(request, default_size))
    return answer(
        request,
        page.rows,
        serializer,
        next_cursor=page.next_cursor,
        previous_cursor=page.previous_cursor,
    )


def page_of(item: type[serializers.Serializer]):
    """The schema of a page of `item`."""
    return inline_serializer(
        name=f"{item.__name__.removesuffix('Serializer')}Page",
        fields={
            "results": item(many=True),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
        },
    )


CURSOR_PARAMETERS = [
    OpenApiParameter("after", str, description="Cursor: the page after (from `next`)."),
    OpenApiParameter("before", str, description="Cursor: the page before (from `previous`)."),
    OpenApiParameter("page_size", int, description=f"Rows per page, 1 to {MAX_PAGE_SIZE}."),
]


def _type(field: forms.Field):
    if isinstance(field, forms.ModelChoiceField):
        return OpenApiTypes.INT
    if isinstance(field, forms.IntegerField):
        return OpenApiTypes.INT
    if isinstance(field, forms.DateField):
        return OpenApiTypes.DATE
    return OpenApiTypes.STR


def form_parameters(form_class: type[forms.Form], *, skip=()) -> list[OpenApiParameter]:
    """A filter form's fields as the operation's query parameters: the API filters
    with the very form the page does, so the two cannot drift apart."""
    found = []
    for name, field in form_class.base_fields.items():
        if name in skip:
            continue
        choices = getattr(field, "choices", None)
        enum = (
            [str(value) for value, _label in choices if value != ""]
            if choices is not None and not isinstance(field, forms.ModelChoiceField)
            else None
        )
        description = str(field.label or field.help_text or name.replace("_", " "))
        if isinstance(field, forms.ModelChoiceField):
            description = "Account id (rolecall's, as in /api/v1/accounts/)."
        found.append(OpenApiParameter(name, _type(field), enum=enum, description=description))
    return found
