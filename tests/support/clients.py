"""A signed-in test client per persona (the personas are in tests/conftest.py).

Each is its own Client, so one test can act as two people at once, as two
browsers would.
"""

import pytest
from django.test import Client


def signed_in_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def operator_client(operator) -> Client:
    return signed_in_as(operator)


@pytest.fixture
def approver_client(approver) -> Client:
    return signed_in_as(approver)


@pytest.fixture
def viewer_client(viewer) -> Client:
    return signed_in_as(viewer)


@pytest.fixture
def outsider_client(outsider) -> Client:
    return signed_in_as(outsider)


@pytest.fixture
def admin_client(admin_user) -> Client:
    return signed_in_as(admin_user)
