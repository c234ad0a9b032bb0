"""Cache-Control: no-store on every page and export, from the URL conf; static files cache."""

from django.urls import reverse

from tests.access.test_permissions import NAMES, RULES, url_for, world  # noqa: F401 - world is a fixture


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_every_page_and_export_says_no_store(admin_client, admin_user, world):  # noqa: F811
    checked = []
    for name in NAMES:
        get, post = RULES[name]
        url = url_for(name, world, admin_user)
        response = admin_client.get(url) if get != "-" else admin_client.post(url)
        assert _no_store(response), (name, response.status_code, response.get("Cache-Control"))
        assert "private" in response["Cache-Control"], name
        checked.append(name)
    assert {"roles", "role-export", "audit-export", "role-detail", "audit"} <= set(checked)
    assert len(checked) == len(RULES)


def test_refusals_and_redirects_say_no_store_too(client, viewer_client, world):  # noqa: F811
    anonymous = client.get(reverse("roles"))
    assert anonymous.status_code == 302 and _no_store(anonymous)
    refused = viewer_client.get(reverse("account-add"))
    assert refused.status_code == 403 and _no_store(refused)


def test_static_files_keep_their_caching(client, db):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert not _no_store(response)
    assert "max-age" in response["Cache-Control"]
