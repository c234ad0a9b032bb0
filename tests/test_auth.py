import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PASSWORD

PUBLIC = {"login"}
# Sample arguments for URLs that take some; a new URL with arguments must be
# added here, or test_every_url_has_sample_arguments fails.
SAMPLE_KWARGS = {
    "audit-export": {"fmt": "csv"},
    "role-export": {"fmt": "csv"},
    "account-detail": {"pk": 1},
    "account-edit": {"pk": 1},
    "account-test": {"pk": 1},
    "account-refresh": {"pk": 1},
    "role-detail": {"pk": 1},
    "role-refresh": {"pk": 1},
    "role-delete": {"pk": 1},
    "role-description": {"pk": 1},
    "deletion-detail": {"pk": 1},
    "deletion-retry": {"pk": 1},
    "deletion-approve": {"pk": 1},
    "deletion-reject": {"pk": 1},
    "notification-read": {"pk": 1},
    "role-cleanup": {"pk": 1},
    "cleanup-detail": {"pk": 1},
    "cleanup-execute": {"pk": 1},
    "cleanup-approve": {"pk": 1},
    "cleanup-reject": {"pk": 1},
}


def _page_names(patterns=None):
    """Every named URL in the URL conf (the admin has its own login)."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name != "admin":
                yield from _page_names(entry.url_patterns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry.name, bool(entry.pattern.regex.groupindex)


NAMES = sorted(set(_page_names()))


def test_every_url_has_sample_arguments():
    missing = [name for name, has_args in NAMES if has_args and name not in SAMPLE_KWARGS]
    assert missing == []


@pytest.mark.parametrize("name", sorted(name for name, _ in NAMES if name not in PUBLIC))
def test_anonymous_request_redirects_to_login(client, db, name):
    url = reverse(name, kwargs=SAMPLE_KWARGS.get(name))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_login_page_is_public(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_it_logs_in_and_shows_overview(client, operator):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("overview")
    page = client.get(reverse("overview"))
    assert page.status_code == 200
    assert b"alice" in page.content


def test_wrong_password_shows_error_and_no_session(client, operator):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(client, operator):
    client.force_login(operator)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_post_without_csrf_token_is_refused(db, operator):
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403
    assert b"Form expired" in response.content
    assert "_auth_user_id" not in csrf_client.session


def test_logout_post_without_csrf_token_is_refused(db, operator):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(operator)
    response = csrf_client.post(reverse("logout"))
    assert response.status_code == 403
    assert "_auth_user_id" in csrf_client.session


def test_groups_exist_after_migrations(db):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {"viewer", "operator", "approver"}
