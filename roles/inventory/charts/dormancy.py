"""The overview's dormancy map: services (rows) by accounts or OUs (columns).

A cell is one service in one column: its live roles laid side by side by how long
since each was last used (BANDS), with a mark for each verdict that matters to a
cleanup (MARKS). A cell of one role links to it; any other to the role list
filtered to the account and the service, where a campaign is drafted.

At organization size a column per account would be 2,000 columns, so past
THRESHOLD accounts the map is aggregated (MODES): the TOP accounts by unused roles
(the default, read from the per-account summary, roles/inventory/summary.py, so its cost does
not grow with the organization), or one column per top-level OU, counted in one
GROUP BY over the live roles. Either way the map takes two queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from roles.core.models import Account
from roles.inventory.models import ServiceLinkedRole
from roles.inventory.readiness import VERDICTS
from roles.inventory.summary import IN_USE_DAYS, AccountSummary
from roles.web.svg import short, split

TRACKED_DAYS = 400  # IAM's RoleLastUsed tracking window
BANDS = {
    "recent": f"used in the last {IN_USE_DAYS} days",
    "dormant": f"last used {IN_USE_DAYS} to {TRACKED_DAYS} days ago",
    "stale": f"never used, or over {TRACKED_DAYS} days ago",
    "none": "no such role",
}
# The verdicts a cleanup acts on (roles/inventory/readiness.py), each drawn as its own shape
# at its own place in the cell; the others (cannot tell, not checked) are unmarked.
MARKS = {"ready": "deletable", "blocked": "blocked", "not_deletable": "not deletable"}
THRESHOLD = 40
TOP = 20
MAX_OUS = 40
MODES = {
    "accounts": "every account",
    "top": f"the top {TOP} by unused roles",
    "ou": "top-level OUs",
}
NO_OU, ROOT, OTHER_OUS = "not in an organization", "the organization's root", "other OUs"

CELL_W, CELL_H, CELL_GAP = 34, 22, 2
LEFT, HEAD = 190, 118  # room for the services' and the columns' names
MARK = 10


@dataclass
class Column:
    label: str  # AWS-sourced (an account's or OU's name): escaped by the template
    title: str
    href: str
    key: int | str  # the account's id, or the OU's name
    accounts: int = 1  # how many accounts the column holds
    x: float = 0
    short: str = ""


@dataclass
class Cell:
    x: float
    y: float
    title: str
    href: str = ""
    roles: int = 0
    bands: dict[str, int] = field(default_factory=dict)
    verdicts: dict[str, int] = field(default_factory=dict)
    segments: list[tuple[str, float, float, int]] = field(default_factory=list)
    marks: list[tuple[str, float]] = field(default_factory=list)  # (verdict, x)
    mark_y: float = 0
    text: str = ""  # the table's words for it
    role: str = ""  # the role's name and id, when the cell is one role
    pk: int = 0


@dataclass
class Row:
    service: str
    label: str
    href: str
    y: float
    cells: list[Cell]


@dataclass
class DormancyMap:
    mode: str
    modes: list[tuple[str, str]]
    columns: list[Column]
    rows: list[Row]
    account_total: int
    width: float
    height: float
    desc: str
    cell_width: int = CELL_W
    head: int = HEAD - 8  # where the columns' names end
    label_x: int = LEFT - 6  # where the services' names end
    cell_height: int = CELL_H
    mark: int = MARK
    bands: dict = field(default_factory=lambda: BANDS)
    marks: dict = field(default_factory=lambda: MARKS)


def modes_for(account_total: int) -> list[str]:
    """The modes offered: every account only while that stays a readable map."""
    return ["accounts", "top", "ou"] if account_total <= THRESHOLD else ["top", "ou"]


def resolve(asked: str, account_total: int) -> str:
    """The mode drawn: what was asked, unless it would draw every one of too many
    accounts (a bookmark from when the organization was small gets the top ones)."""
    offered = modes_for(account_total)
    if asked in offered:
        return asked
    return offered[0]


def band(last_used, now) -> str:
    if last_used is None or last_used < now - timedelta(days=TRACKED_DAYS):
        return "stale"
    return "recent" if last_used >= now - timedelta(days=IN_USE_DAYS) else "dormant"


class Links:
    """The role list filtered, and a role's page, from one reverse() each: the map
    has a link per cell, hundreds at organization size."""

    def __init__(self) -> None:
        self.list = reverse("roles")
        self.head, self.tail = reverse("role-detail", args=[0]).rsplit("0", 1)

    def roles(self, **query) -> str:
        return f"{self.list}?{urlencode(query)}"

    def role(self, pk: int) -> str:
        return f"{self.head}{pk}{self.tail}"


def _service_label(principal: str) -> str:
    return principal.removesuffix(".amazonaws.com")


def _account_columns(mode: str, links: Links) -> list[Column]:
    if mode == "accounts":
        rows = Account.objects.order_by("name").values_list("pk", "name", "aws_account_id")
    else:
        rows = (
            AccountSummary.objects.filter(unused__gt=0)
            .order_by("-unused", "account__name")
            .values_list("account_id", "account__name", "account__aws_account_id")[:TOP]
        )
    return [
        Column(name, f"{name} ({number})", links.roles(account=pk), key=pk)
        for pk, name, number in rows
    ]


def _per_account(columns: list[Column], now, links: Links) -> dict[tuple[str, int], Cell]:
    """One cell per (service, column) holding roles, from one read of their roles."""
    index = {column.key: n for n, column in enumerate(columns)}
    # Live roles are picked here, not in SQL: with the state in the WHERE clause SQLite
    # walks the (state, last_used_at) index over every role of the organization
    # instead of the account index over these accounts' (420 ms against 5 at 60,000).
    roles = (
        ServiceLinkedRole.objects.filter(account_id__in=list(index))
        .order_by()
        .values_list(
            "pk", "account_id", "service_principal", "name", "last_used_at", "verdict", "state"
        )
    )
    cells: dict[tuple[str, int], Cell] = {}
    for pk, account_id, principal, name, last_used, verdict, state in roles:
        if state not in ServiceLinkedRole.LIVE:
            continue
        cell = cells.setdefault((principal, index[account_id]), Cell(0, 0, ""))
        cell.roles += 1
        key = band(last_used, now)
        cell.bands[key] = cell.bands.get(key, 0) + 1
        cell.verdicts[verdict] = cell.verdicts.get(verdict, 0) + 1
        cell.role, cell.pk = name, pk
    # One role: the cell is that role; several (Auto Scaling's suffixed roles), the
    # list of them.
    for (principal, n), cell in cells.items():
        if cell.roles == 1:
            cell.href = links.role(cell.pk)
        else:
            cell.href, cell.role = links.roles(account=columns[n].key, service=principal), ""
    return cells


def _ou_of(path: str | None) -> str:
    if path is None:
        return NO_OU
    return path.split(" / ")[0] if path else ROOT


def _ou_columns(links: Links) -> tuple[list[Column], dict[str, str]]:
    """A column per top-level OU (the MAX_OUS largest; the rest share one), and the
    column of each OU."""
    sizes: dict[str, int] = defaultdict(int)
    paths = Account.objects.order_by().values_list("membership__ou_path").annotate(n=Count("pk"))
    for path, n in paths:
        sizes[_ou_of(path)] += n
    ranked = sorted(sizes, key=lambda ou: (-sizes[ou], ou))
    kept = set(ranked if len(ranked) <= MAX_OUS else ranked[: MAX_OUS - 1])
    column_of = {ou: ou if ou in kept else OTHER_OUS for ou in ranked}
    totals: dict[str, int] = defaultdict(int)
    for ou, n in sizes.items():
        totals[column_of[ou]] += n
    plain = {NO_OU, ROOT, OTHER_OUS}
    columns = [
        Column(
            ou,
            f"{ou}: {totals[ou]} account{'s' if totals[ou] != 1 else ''}",
            "" if ou in plain else links.roles(ou=ou),
            key=ou,
            accounts=totals[ou],
        )
        for ou in sorted(totals, key=lambda ou: (ou in plain, ou.lower()))
    ]
    return columns, column_of


def _per_ou(now, links: Links) -> tuple[list[Column], dict[tuple[str, int], Cell]]:
    """Columns of top-level OUs and their cells, in two GROUP BY queries."""
    recent = now - timedelta(days=IN_USE_DAYS)
    tracked = now - timedelta(days=TRACKED_DAYS)
    counted = {
        "recent": Count("pk", filter=Q(last_used_at__gte=recent)),
        "dormant": Count("pk", filter=Q(last_used_at__lt=recent, last_used_at__gte=tracked)),
        "stale": Count("pk", filter=Q(last_used_at__lt=tracked) | Q(last_used_at__isnull=True)),
        **{f"v_{v}": Count("pk", filter=Q(verdict=v)) for v in MARKS},
    }
    grouped = (
        ServiceLinkedRole.objects.live()
        .order_by()
        .values("account__membership__ou_path", "service_principal")
        .annotate(with_role=Count("account", distinct=True), **counted)
    )
    columns, column_of = _ou_columns(links)
    index = {column.key: n for n, column in enumerate(columns)}
    cells: dict[tuple[str, int], Cell] = {}
    for row in grouped:
        n = index[column_of[_ou_of(row["account__membership__ou_path"])]]
        cell = cells.setdefault((row["service_principal"], n), Cell(0, 0, ""))
        for key in ("recent", "dormant", "stale"):
            cell.bands[key] = cell.bands.get(key, 0) + row[key]
            cell.roles += row[key]
        for verdict in MARKS:
            cell.verdicts[verdict] = cell.verdicts.get(verdict, 0) + row[f"v_{verdict}"]
        # The OU's accounts without the service's role count as "no such role".
        cell.bands["none"] = cell.bands.get("none", columns[n].accounts) - row["with_role"]
        if columns[n].href:
            cell.href = links.roles(ou=columns[n].key, service=row["service_principal"])
    return columns, cells


def _words(cell: Cell, aggregated: bool) -> str:
    if not cell.roles:
        return BANDS["none"] if not aggregated else f"{cell.bands['none']} {BANDS['none']}"
    if cell.roles == 1 and not aggregated:
        verdict = next(iter(cell.verdicts))
        return f"{cell.role}: {BANDS[next(iter(cell.bands))]}; {VERDICTS.get(verdict, verdict)}"
    parts = [f"{cell.bands[b]} {words}" for b, words in BANDS.items() if cell.bands.get(b)]
    parts += [f"{cell.verdicts[v]} {words}" for v, words in MARKS.items() if cell.verdicts.get(v)]
    return "; ".join(parts)


def _lay_out(columns: list[Column], cells: dict, aggregated: bool, links: Links) -> list[Row]:
    services = sorted({principal for principal, _ in cells})
    for n, column in enumerate(columns):
        column.x, column.short = LEFT + n * (CELL_W + CELL_GAP), short(column.label, 18)
    rows = []
    for r, principal in enumerate(services):
        y = HEAD + r * (CELL_H + CELL_GAP)
        name = _service_label(principal)
        row = Row(principal, short(name, 26), links.roles(service=principal), y, [])
        for n, column in enumerate(columns):
            cell = cells.get((principal, n)) or Cell(0, 0, "", bands={"none": column.accounts})
            cell.x, cell.y, cell.mark_y = column.x, y, y + CELL_H - MARK - 2
            laid = split([(b, cell.bands.get(b, 0)) for b in BANDS], CELL_W)
            cell.segments = [(b, round(column.x + x, 1), w, n) for b, x, w, n in laid]
            present = [v for v in MARKS if cell.verdicts.get(v)]
            cell.marks = [(v, column.x + 2 + i * (MARK + 1)) for i, v in enumerate(present)]
            cell.text = _words(cell, aggregated)
            cell.title = f"{name} in {column.label}: {cell.text}"
            row.cells.append(cell)
        rows.append(row)
    return rows


def build(asked: str, account_total: int) -> DormancyMap:
    """The map in the mode asked (resolve()), in two queries whatever the mode."""
    mode = resolve(asked, account_total)
    now, links = timezone.now(), Links()
    if mode == "ou":
        columns, cells = _per_ou(now, links)
    else:
        columns = _account_columns(mode, links)
        cells = _per_account(columns, now, links)
    rows = _lay_out(columns, cells, mode == "ou", links)
    what = {
        "accounts": f"each of the {len(columns)} accounts",
        "top": f"the {len(columns)} of {account_total} accounts with the most unused roles",
        "ou": f"{account_total} accounts by top-level OU, in {len(columns)} columns",
    }[mode]
    return DormancyMap(
        mode=mode,
        modes=[(m, MODES[m]) for m in modes_for(account_total)],
        columns=columns,
        rows=rows,
        account_total=account_total,
        # The last columns' names lean out to the right of their cells.
        width=LEFT + max(len(columns), 1) * (CELL_W + CELL_GAP) + HEAD * 0.6,
        height=HEAD + max(len(rows), 1) * (CELL_H + CELL_GAP) + 4,
        desc=f"{len(rows)} services by {what}: how long since each role was last used, "
        "and whether it can be deleted.",
    )
