import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

# Anonymous requests to every URL are covered by the matrix in tests/access/test_permissions.py.


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


def test_logout_is_post_only(operator_client):
    assert operator_client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in operator_client.session
    response = operator_client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in operator_client.session


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

    assert set(Group.objects.values_list("name", flat=True)) == {"viewer", "operator", "approver"}


@pytest.mark.django_db(transaction=True)
def test_groups_are_back_after_a_flush():
    """A flush (as between transactional tests, or `manage.py flush`) empties the table
    migration 0002 filled; the groups come back on post_migrate, so the sign-in and the
    permissions never find them missing."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert set(Group.objects.values_list("name", flat=True)) == {"viewer", "operator", "approver"}
