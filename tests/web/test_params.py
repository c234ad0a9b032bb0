"""Integer parameters from the URL conf: hostile numbers answer 400 or 404, never 500.

Query-string integers go through roles/web/params.py; path ids go through Django's
<int:pk> converter and the ORM (Django matches an out-of-range id with nothing).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from roles.web.params import MAX
from tests.access.test_permissions import RULES, world  # noqa: F401 - world is a fixture

HOSTILE = [str(2**64), str(MAX + 1), "-1", "abc", "1e3", "١٢", " ", "0x10"]
# Every view that reads an integer from the query string: (url name, parameter).
QUERY_INTEGERS = [
    ("sync-status", "ids"),
    ("audit", "before"),
    ("audit", "after"),
    ("deletions", "page"),
    ("deletions", "plans_page"),
]
ROLES = Path(__file__).resolve().parents[2] / "roles"
# Every view module: each feature's views, and the other modules that answer requests.
VIEWS = sorted(
    {
        *ROLES.glob("*/views.py"),
        *ROLES.glob("*/views/*.py"),
        *(p for p in ROLES.rglob("*.py") if "HttpRequest" in p.read_text()),
    }
    - {ROLES / "web" / "params.py"}  # the one place that reads them
)


def int_path_names() -> list[str]:
    """The pages' URL names with an integer in the path (not the API's: it answers JSON)."""

    def walk(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver) and str(entry.pattern) == "":
                yield from walk(entry.url_patterns)
            elif isinstance(entry, URLPattern) and "<int:" in str(entry.pattern):
                yield entry.name

    return sorted(walk(get_resolver().url_patterns))


@pytest.mark.parametrize("name,param", QUERY_INTEGERS)
@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_integer_parameter_answers_400_with_a_message(admin_client, name, param, value):
    response = admin_client.get(reverse(name), {param: value})
    assert response.status_code == 400, response.content[:300]
    assert b"Bad request" in response.content
    assert param.encode() in response.content  # the message names the parameter
    assert b"Traceback" not in response.content


def test_sync_status_accepts_a_valid_id_list(viewer_client, demo_accounts):
    from roles.inventory.sync.service import start_sync

    run = start_sync(demo_accounts["acme-prod"])
    response = viewer_client.get(reverse("sync-status"), {"ids": f"{run.pk},{MAX}"})
    assert response.status_code == 200
    assert b"acme-prod" in response.content
    too_many = ",".join(str(i) for i in range(1, 102))
    assert viewer_client.get(reverse("sync-status"), {"ids": too_many}).status_code == 400


def test_the_audit_cursor_still_pages(viewer_client, settings):
    from roles.models import AuditEvent

    settings.ROLECALL_AUDIT_PAGE_SIZE = 2
    events = [AuditEvent.objects.record("sync.started", details={"i": i}) for i in range(5)]
    response = viewer_client.get(reverse("audit"), {"before": str(events[2].seq)})
    assert response.status_code == 200
    assert [e.seq for e in response.context["events"]] == [events[1].seq, events[0].seq]


CURSORS = [*HOSTILE, "W10", "WyJhIl0", "eyJhIjogMX0", "WzEsIDIsIDNd", "WyJ4IiwgIngiLCAxOGU5OTld"]


@pytest.mark.parametrize("name", ["roles", "accounts"])
@pytest.mark.parametrize("param", ["after", "before"])
@pytest.mark.parametrize("value", CURSORS)
def test_a_hostile_page_cursor_answers_400_naming_it(admin_client, name, param, value):
    # Not base64, not JSON, a list of the wrong length, an object, a float key...
    response = admin_client.get(reverse(name), {param: value})
    assert response.status_code == 400, (value, response.content[:300])
    assert param.encode() in response.content
    assert b"Traceback" not in response.content


@pytest.mark.parametrize("field,value", [("account", str(2**64)), ("unused_days", str(2**64))])
def test_role_filters_refuse_huge_numbers_with_a_form_error(viewer_client, field, value):
    assert viewer_client.get(reverse("roles"), {field: value}).status_code == 400


@pytest.mark.parametrize("name", int_path_names())
def test_an_id_over_2_to_the_64_in_the_path_is_404(admin_client, world, name):  # noqa: F811
    url = reverse(name, args=[2**64])
    get, post = RULES[name]
    response = admin_client.get(url) if get != "-" else admin_client.post(url)
    assert response.status_code == 404, (name, response.status_code)


def test_views_read_query_integers_only_through_roles_params():
    # A bare int(request.GET[...]) is how the 500 came in; keep it out of every view.
    offenders = [
        f"{path.relative_to(ROLES)}:{number}"
        for path in VIEWS
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\bint\(", line)
    ]
    assert offenders == []
