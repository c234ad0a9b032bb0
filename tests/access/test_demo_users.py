import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import override_settings


@override_settings(ROLECALL_DEMO=False)
@pytest.mark.parametrize("command", ["demo_users", "prepare_demo"])
def test_it_refuses_outside_demo_mode(db, command):
    with pytest.raises(CommandError, match="only in demo mode"):
        call_command(command)
    assert not User.objects.exists()


@override_settings(ROLECALL_DEMO=True)
def test_it_creates_the_personas_with_the_demo_password(db, monkeypatch, capsys):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-123")
    call_command("demo_users")
    groups = {u.username: list(u.groups.values_list("name", flat=True)) for u in User.objects.all()}
    assert groups == {"alice": ["operator"], "bob": ["approver"], "carol": ["viewer"], "admin": []}
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="bob").check_password("demo-pass-123")
    assert "password: demo-pass-123" in capsys.readouterr().out


@override_settings(ROLECALL_DEMO=True)
def test_without_demo_password_it_prints_a_random_one(db, monkeypatch, capsys):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("demo_users")
    password = capsys.readouterr().out.rsplit("password: ", 1)[1].strip()
    assert len(password) >= 12
    assert User.objects.get(username="alice").check_password(password)
