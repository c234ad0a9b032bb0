"""Sign-in lock-out: nobody can lock a real user out from somewhere else
(roles/access/lockout.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from roles.models import AuditEvent
from tests.conftest import PASSWORD

PROXY = "10.0.0.2"  # the reverse proxy every request arrives from
ATTACKER = "198.51.100.66"
APPROVER_HOME = "203.0.113.10"


@pytest.fixture(autouse=True)
def behind_one_proxy(settings):
    settings.ROLECALL_TRUSTED_PROXIES = 1
    settings.AXES_FAILURE_LIMIT = 5
    settings.ROLECALL_LOGIN_ADDRESS_FAILURE_LIMIT = 10


def sign_in(client, username, password, address):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


def reauth(client, password, address):
    return client.post(
        reverse("reauth"),
        {"password": password, "next": reverse("overview")},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


def test_attack_five_bad_passwords_from_proxy_address_do_not_lock_out_approver(approver):
    attacker = Client()
    for _ in range(5):
        sign_in(attacker, "bob", "guess", ATTACKER)
    assert sign_in(attacker, "bob", PASSWORD, ATTACKER).status_code == 429
    assert AuditEvent.objects.filter(action="auth.locked_out", actor_name="bob").exists()

    real = Client()
    response = sign_in(real, "bob", PASSWORD, APPROVER_HOME)
    assert response.status_code == 302
    assert real.session["_auth_user_id"] == str(approver.pk)


def test_attack_lock_out_does_not_stop_the_approver_re_authenticating(approver):
    real = Client()
    assert sign_in(real, "bob", PASSWORD, APPROVER_HOME).status_code == 302
    attacker = Client()
    for _ in range(8):
        sign_in(attacker, "bob", "guess", ATTACKER)

    response = reauth(real, PASSWORD, APPROVER_HOME)
    assert response.status_code == 302 and response["Location"] == reverse("overview")
    assert AuditEvent.objects.filter(action="auth.reauthenticated", actor_name="bob").exists()


def test_a_locked_out_user_signs_in_and_re_authenticates_from_a_clean_address(approver):
    for _ in range(5):
        sign_in(Client(), "bob", "typo", "192.0.2.7")
    assert sign_in(Client(), "bob", PASSWORD, "192.0.2.7").status_code == 429

    elsewhere = Client()
    assert sign_in(elsewhere, "bob", PASSWORD, "192.0.2.8").status_code == 302
    assert reauth(elsewhere, PASSWORD, "192.0.2.8").status_code == 302


def test_attack_nobody_at_the_same_address_can_stop_a_signed_in_user_re_authenticating(
    approver,
):
    """An office NAT: the attacker and the approver share one address."""
    office = "192.0.2.40"
    real = Client()
    assert sign_in(real, "bob", PASSWORD, office).status_code == 302
    attacker = Client()
    for _ in range(5):
        sign_in(attacker, "bob", "guess", office)
    for number in range(10):
        sign_in(attacker, f"ghost{number}", "guess", office)
    assert sign_in(attacker, "bob", PASSWORD, office).status_code == 429

    response = reauth(real, PASSWORD, office)
    assert response.status_code == 302 and response["Location"] == reverse("overview")


def test_failed_re_authentications_end_the_session_at_the_limit(approver):
    stolen = Client()
    assert sign_in(stolen, "bob", PASSWORD, ATTACKER).status_code == 302
    for _ in range(4):
        assert reauth(stolen, "guess", ATTACKER).status_code == 400
    ended = reauth(stolen, "guess", ATTACKER)
    assert ended.status_code == 302 and ended["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in stolen.session
    logout = AuditEvent.objects.get(action="auth.logout")
    assert logout.details == {"reason": "too many failed password re-entries"}
    assert AuditEvent.objects.filter(action="auth.reauth_failed").count() == 5


def test_a_correct_re_authentication_resets_the_session_count(approver):
    own = Client()
    sign_in(own, "bob", PASSWORD, APPROVER_HOME)
    for _ in range(4):
        reauth(own, "typo", APPROVER_HOME)
    assert reauth(own, PASSWORD, APPROVER_HOME).status_code == 302
    for _ in range(4):
        assert reauth(own, "typo", APPROVER_HOME).status_code == 400
    assert "_auth_user_id" in own.session


def test_attack_an_address_spraying_unknown_usernames_is_locked(operator):
    attacker = Client()
    for number in range(9):
        assert sign_in(attacker, f"ghost{number}", "guess", ATTACKER).status_code == 200
    assert sign_in(attacker, "ghost9", "guess", ATTACKER).status_code == 429
    assert AuditEvent.objects.get(action="auth.locked_out").actor_name == "ghost9"
    # The address is locked for every username, real ones with the right password too ...
    locked = sign_in(attacker, "alice", PASSWORD, ATTACKER)
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    assert "_auth_user_id" not in attacker.session
    # ... and nowhere else.
    assert sign_in(Client(), "alice", PASSWORD, APPROVER_HOME).status_code == 302


def test_attack_one_unknown_username_guessed_many_times_locks_the_address(operator):
    attacker = Client()
    for _ in range(10):
        sign_in(attacker, "root", "guess", ATTACKER)
    assert sign_in(attacker, "alice", PASSWORD, ATTACKER).status_code == 429


def test_attack_credential_stuffing_across_real_usernames_locks_the_address(db):
    from tests.conftest import make_user

    names = [f"user{number}" for number in range(10)]
    for name in names:
        make_user(name, "viewer")
    attacker = Client()
    # One guess each stays under the per-user limit; ten usernames reach the address limit.
    for name in names[:9]:
        assert sign_in(attacker, name, "leaked", ATTACKER).status_code == 200
    assert sign_in(attacker, names[9], "leaked", ATTACKER).status_code == 429
    assert sign_in(attacker, names[0], PASSWORD, ATTACKER).status_code == 429
    assert sign_in(Client(), names[0], PASSWORD, APPROVER_HOME).status_code == 302


def test_a_users_own_typos_lock_only_that_user_at_that_address(operator, approver):
    office = "192.0.2.99"
    for _ in range(7):
        sign_in(Client(), "alice", "typo", office)
    assert sign_in(Client(), "alice", PASSWORD, office).status_code == 429
    # A colleague behind the same office address is not affected.
    assert sign_in(Client(), "bob", PASSWORD, office).status_code == 302


def test_without_trusted_proxies_everyone_behind_the_proxy_shares_one_address(settings, approver):
    """Why ROLECALL_TRUSTED_PROXIES is part of the deployment: with 0 the pair is (bob, proxy)."""
    settings.ROLECALL_TRUSTED_PROXIES = 0
    for _ in range(5):
        sign_in(Client(), "bob", "guess", ATTACKER)
    assert sign_in(Client(), "bob", PASSWORD, APPROVER_HOME).status_code == 429
    settings.ROLECALL_TRUSTED_PROXIES = 1
    assert sign_in(Client(), "bob", PASSWORD, APPROVER_HOME).status_code == 302


def test_a_forwarded_header_with_no_trusted_proxy_is_warned_about_once(
    db, settings, client, caplog, monkeypatch
):
    from roles.audit import request as request_module

    monkeypatch.setattr(request_module, "_warned_unused_header", False)
    settings.ROLECALL_TRUSTED_PROXIES = 0
    with caplog.at_level("WARNING", logger="roles.audit.request"):
        client.get(reverse("login"), HTTP_X_FORWARDED_FOR=ATTACKER)
        client.post(
            reverse("login"), {"username": "x", "password": "y"}, HTTP_X_FORWARDED_FOR=ATTACKER
        )
    warnings = [r for r in caplog.records if "ROLECALL_TRUSTED_PROXIES is 0" in r.getMessage()]
    assert len(warnings) == 1
