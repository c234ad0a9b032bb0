"""Keyset pagination on several columns: a page costs the same at any depth.

OFFSET pages read and drop every row before the page, so the last page of
60,000 roles read them all. Here a page starts from a cursor (the sort values
of the row it follows) and walks an index that ends in the same columns
(roles/inventory/models.py), so each page reads about `size` rows.

Order: every key ascending with NULLs first, or every key descending with NULLs
last. Those are the orders SQLite's plain indexes give forwards and backwards,
and what migration 0014's NULLS FIRST index gives on PostgreSQL.

A cursor travels in the query string as ?after= / ?before= (URL-safe base64 of
the values as JSON); ?last=1 asks for the last page. A cursor that does not
decode to values of the right types is InvalidParameter (a 400 saying so).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet

from roles.web.params import MAX, InvalidParameter


@dataclass(frozen=True)
class Order:
    """The columns of one sort, most significant first; the last must be unique."""

    keys: tuple[str, ...]
    descending: bool = False
    nullable: frozenset[str] = field(default_factory=frozenset)

    def order_by(self, reverse: bool = False) -> list:
        down = self.descending != reverse
        return [_direction(F(k), down, k in self.nullable) for k in self.keys]

    def beyond(self, values: list, reverse: bool = False) -> Q:
        """Rows strictly after `values` in this order (before them if reverse)."""
        down = self.descending != reverse
        return _beyond(self.keys, values, down, self.nullable)


def _direction(column: F, down: bool, nullable: bool):
    if nullable:
        return column.desc(nulls_last=True) if down else column.asc(nulls_first=True)
    return column.desc() if down else column.asc()


def _beyond(keys, values, down: bool, nullable) -> Q:
    key, value = keys[0], values[0]
    nothing = Q(pk__in=[])
    if value is None:
        # NULLs come first going up, last going down.
        greater = Q(**{f"{key}__isnull": False}) if not down else nothing
        equal = Q(**{f"{key}__isnull": True})
    else:
        greater = Q(**{f"{key}__{'lt' if down else 'gt'}": value})
        if down and key in nullable:
            greater |= Q(**{f"{key}__isnull": True})
        equal = Q(**{key: value})
    if len(keys) == 1:
        return greater
    rest = equal & _beyond(keys[1:], values[1:], down, nullable)
    if value is not None and not (down and key in nullable):
        # A range on the leading column lets the index start at the cursor.
        return Q(**{f"{key}__{'lte' if down else 'gte'}": value}) & (greater | rest)
    return greater | rest


@dataclass
class Page:
    rows: list
    first: bool  # no rows before these
    last: bool  # no rows after these
    order: Order

    def cursor(self, row) -> str:
        values = [_plain(_value(row, k)) for k in self.order.keys]
        return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")

    @property
    def next_cursor(self) -> str | None:
        return None if self.last or not self.rows else self.cursor(self.rows[-1])

    @property
    def previous_cursor(self) -> str | None:
        return None if self.first or not self.rows else self.cursor(self.rows[0])

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _value(row, key: str):
    if key == "pk":
        return row.pk
    return getattr(row, key)


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def decode(qs: QuerySet, order: Order, token: str, name: str) -> list:
    """A cursor back to typed values, or InvalidParameter."""
    try:
        padded = token + "=" * (-len(token) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise InvalidParameter(f"{name}: not a page cursor.") from None
    if not isinstance(values, list) or len(values) != len(order.keys):
        raise InvalidParameter(f"{name}: not a page cursor for this sort.")
    typed = []
    for key, value in zip(order.keys, values, strict=True):
        model_field = qs.model._meta.pk if key == "pk" else qs.model._meta.get_field(key)
        if value is None and key in order.nullable:
            typed.append(None)
            continue
        numeric = model_field.get_internal_type().endswith(("IntegerField", "AutoField"))
        if numeric:
            fits = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX
        else:
            fits = isinstance(value, str)
        if not fits:
            raise InvalidParameter(f"{name}: not a page cursor for this sort.")
        try:
            typed.append(model_field.to_python(value))
        except ValidationError:
            raise InvalidParameter(f"{name}: not a page cursor for this sort.") from None
    return typed


def page(qs: QuerySet, order: Order, query, size: int) -> Page:
    """The page the query string asks for: ?after=, ?before=, ?last=1, or the first."""
    after, before = query.get("after", ""), query.get("before", "")
    if after:
        rows = list(
            qs.filter(order.beyond(decode(qs, order, after, "after"))).order_by(*order.order_by())[
                : size + 1
            ]
        )
        return Page(rows[:size], first=False, last=len(rows) <= size, order=order)
    if before or query.get("last"):
        back = qs
        if before:
            back = qs.filter(order.beyond(decode(qs, order, before, "before"), reverse=True))
        rows = list(back.order_by(*order.order_by(reverse=True))[: size + 1])
        return Page(
            list(reversed(rows[:size])), first=len(rows) <= size, last=not before, order=order
        )
    rows = list(qs.order_by(*order.order_by())[: size + 1])
    return Page(rows[:size], first=True, last=len(rows) <= size, order=order)
