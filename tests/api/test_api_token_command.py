"""manage.py api_token: a token for automation, printed once, never fresh."""

import pytest
from django.core.management import CommandError, call_command

from roles.models import ApiToken, AuditEvent
from tests.support.api import ApiClient


def make(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().strip()


def test_it_prints_a_working_token_that_may_not_approve(operator):
    token = make("alice", "--name", "ticket-bot", "--scope", "change")
    row = ApiToken.objects.get()
    assert (row.user, row.scope, row.password_checked) == (operator, "change", False)
    assert not row.is_fresh()
    assert ApiClient(token).get("/api/v1/roles/").status_code == 200
    event = AuditEvent.objects.get(action="api_token.created")
    assert event.actor == operator and event.details["via"] == "command line"


@pytest.mark.parametrize(
    "args, message",
    [
        (("nobody", "--name", "x"), "No active user 'nobody'"),
        (("alice", "--name", "x", "--days", "0"), "--days must be from 1 to 365"),
        (("alice", "--name", ""), "--name must be 1 to 100 characters"),
    ],
)
def test_bad_input_exits_2_with_a_message(operator, args, message):
    with pytest.raises(CommandError, match=message) as raised:
        make(*args)
    assert raised.value.returncode == 2
    assert not ApiToken.objects.exists()


def test_a_second_live_token_of_the_same_name_exits_2(operator):
    make("alice", "--name", "bot")
    with pytest.raises(CommandError, match="already has a live token") as raised:
        make("alice", "--name", "bot")
    assert raised.value.returncode == 2
    assert ApiToken.objects.count() == 1
