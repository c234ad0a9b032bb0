"""The protected list: near-misses fail closed, and weakening it needs the password again."""

import time

import pytest
from django.urls import reverse

from roles.access.reauth import REAUTH_AT
from roles.inventory.protection import protected_because, rules_matching_nothing
from roles.models import AuditEvent, ProtectedRule, ServiceLinkedRole
from tests.conftest import PASSWORD

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

PROD = "111111111111"
ECS_ARN = "arn:aws:iam::111111111111:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
ADD = "/admin/roles/protectedrule/add/"
LIST = "/admin/roles/protectedrule/"


def ecs_role_protection(account_id=PROD):
    return protected_because(
        role_name="AWSServiceRoleForECS", role_arn=ECS_ARN, account_id=account_id
    )


def stale(client):
    """Age the password check: admin_client's sign-in counts as entering the password."""
    session = client.session
    session[REAUTH_AT] = time.time() - 11 * 60
    session.save()


class TestNearMisses:
    @pytest.mark.parametrize(
        "pattern", ["awsserviceroleforecs", "AWSSERVICEROLEFORECS", "*/awsservicerolefor*"]
    )
    def test_attack_a_role_rule_in_another_case_still_protects(self, db, pattern):
        ProtectedRule.objects.create(kind="role", pattern=pattern, reason="platform")
        assert "platform" in ecs_role_protection()

    def test_attack_a_settings_pattern_in_another_case_still_protects(self, db, settings):
        settings.ROLECALL_PROTECTED_ROLES = ["awsservicerolefor*"]
        assert "ROLECALL_PROTECTED_ROLES" in ecs_role_protection()

    def test_an_unrelated_pattern_does_not_protect(self, db):
        ProtectedRule.objects.create(kind="role", pattern="AWSServiceRoleForRDS", reason="x")
        assert ecs_role_protection() is None

    def test_attack_an_account_rule_written_as_the_console_shows_it_still_protects(self, db):
        # A row written before the admin form validated account ids.
        ProtectedRule.objects.create(kind="account", pattern=" 1111-1111-1111", reason="prod")
        assert "prod" in ecs_role_protection()
        assert ecs_role_protection(account_id="222222222222") is None

    @pytest.mark.parametrize("typed", ["11111111111", "1111111111112", "acme-prod", "１１１"])
    def test_attack_an_account_rule_that_is_not_twelve_digits_is_refused(self, admin_client, typed):
        response = admin_client.post(ADD, {"kind": "account", "pattern": typed, "reason": "prod"})
        assert response.status_code == 200
        assert "An AWS account id is 12 digits." in response.content.decode()
        assert not ProtectedRule.objects.exists()
        assert not AuditEvent.objects.filter(action="protection.changed").exists()

    def test_an_account_rule_with_separators_is_stored_as_twelve_digits(self, admin_client):
        admin_client.post(ADD, {"kind": "account", "pattern": "1111-1111-1111", "reason": "prod"})
        assert ProtectedRule.objects.get().pattern == PROD


class TestRulesMatchingNothing:
    @pytest.fixture
    def known(self, demo_accounts):
        return ServiceLinkedRole.objects.create(
            account=demo_accounts["acme-prod"],
            name="AWSServiceRoleForECS",
            path="/aws-service-role/ecs.amazonaws.com/",
            arn=ECS_ARN,
            service_principal="ecs.amazonaws.com",
        )

    def test_the_admin_list_warns_about_each_rule_that_matches_nothing(self, admin_client, known):
        ProtectedRule.objects.create(kind="role", pattern="awsserviceroleforecs", reason="a")
        ProtectedRule.objects.create(kind="role", pattern="AWSServiceRoleForECSS", reason="b")
        ProtectedRule.objects.create(kind="account", pattern=PROD, reason="c")
        ProtectedRule.objects.create(kind="account", pattern="999999999999", reason="d")
        html = admin_client.get(LIST).content.decode()
        assert "The rule role &#x27;AWSServiceRoleForECSS&#x27; matches no known role." in html
        assert "account &#x27;999999999999&#x27; matches no account rolecall knows" in html
        assert "&#x27;awsserviceroleforecs&#x27; matches" not in html
        assert f"&#x27;{PROD}&#x27; matches" not in html

    def test_the_admin_list_warns_about_settings_entries_that_match_nothing(
        self, admin_client, known, settings
    ):
        settings.ROLECALL_PROTECTED_ROLES = ["AWSServiceRoleForEC*", "AWSServiceRoleForKafka"]
        settings.ROLECALL_PROTECTED_ACCOUNTS = ["333333333333"]
        html = admin_client.get(LIST).content.decode()
        assert (
            "The ROLECALL_PROTECTED_ROLES entry &#x27;AWSServiceRoleForKafka&#x27; matches no"
            in html
        )
        assert "The ROLECALL_PROTECTED_ACCOUNTS entry &#x27;333333333333&#x27; matches" in html
        assert "&#x27;AWSServiceRoleForEC*&#x27; matches" not in html

    def test_saving_a_rule_that_matches_nothing_warns(self, admin_client, known):
        response = admin_client.post(
            ADD, {"kind": "role", "pattern": "AWSServiceRoleForEC2", "reason": "x"}, follow=True
        )
        assert "&#x27;AWSServiceRoleForEC2&#x27; matches no known role" in response.content.decode()

    def test_the_check_takes_the_same_queries_for_three_rules_or_thirty(
        self, known, django_assert_num_queries
    ):
        for number in range(30):
            ProtectedRule.objects.create(kind="role", pattern=f"Role{number}*", reason="x")
        with django_assert_num_queries(3):  # the rules, the roles, the accounts
            assert len(rules_matching_nothing(list(ProtectedRule.objects.all()))) == 30
        ProtectedRule.objects.exclude(pk__in=ProtectedRule.objects.all()[:3]).delete()
        with django_assert_num_queries(3):
            assert len(rules_matching_nothing(list(ProtectedRule.objects.all()))) == 3


class TestWeakeningNeedsThePassword:
    @pytest.fixture
    def rule(self, db):
        return ProtectedRule.objects.create(kind="role", pattern="*SSO*", reason="identity")

    def test_adding_a_rule_needs_no_fresh_password_and_records_after(self, admin_client):
        stale(admin_client)
        admin_client.post(ADD, {"kind": "role", "pattern": "*SSO*", "reason": "identity"})
        event = AuditEvent.objects.get(action="protection.changed")
        assert event.details["op"] == "added" and event.details["before"] is None
        assert event.details["after"] == {"kind": "role", "pattern": "*SSO*", "reason": "identity"}

    def test_attack_removing_a_rule_with_a_stale_password_is_refused(self, admin_client, rule):
        stale(admin_client)
        url = reverse("admin:roles_protectedrule_delete", args=[rule.pk])
        response = admin_client.post(url, {"post": "yes"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("reauth"))
        assert ProtectedRule.objects.filter(pk=rule.pk).exists()
        assert not AuditEvent.objects.filter(action="protection.changed").exists()

    def test_removing_a_rule_after_re_authenticating_records_before_and_after(
        self, admin_client, rule
    ):
        stale(admin_client)
        url = reverse("admin:roles_protectedrule_delete", args=[rule.pk])
        back = admin_client.post(reverse("reauth"), {"password": PASSWORD, "next": url})
        assert back["Location"] == url
        admin_client.post(url, {"post": "yes"})
        assert not ProtectedRule.objects.exists()
        event = AuditEvent.objects.get(action="protection.changed")
        assert event.details["op"] == "removed" and event.details["after"] is None
        assert event.details["before"] == {
            "kind": "role",
            "pattern": "*SSO*",
            "reason": "identity",
        }

    def test_attack_bulk_delete_is_not_offered(self, admin_client, rule):
        response = admin_client.post(
            LIST, {"action": "delete_selected", "_selected_action": [rule.pk]}
        )
        assert ProtectedRule.objects.filter(pk=rule.pk).exists()
        assert "delete_selected" not in admin_client.get(LIST).content.decode()
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "change", [{"pattern": "*SSOX*"}, {"kind": "account", "pattern": PROD}]
    )
    def test_attack_weakening_a_rule_with_a_stale_password_is_refused(
        self, admin_client, rule, change
    ):
        stale(admin_client)
        url = reverse("admin:roles_protectedrule_change", args=[rule.pk])
        data = {"kind": "role", "pattern": "*SSO*", "reason": "identity", **change}
        response = admin_client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("reauth"))
        rule.refresh_from_db()
        assert (rule.kind, rule.pattern) == ("role", "*SSO*")
        assert not AuditEvent.objects.filter(action="protection.changed").exists()

    def test_editing_only_the_reason_needs_no_fresh_password(self, admin_client, rule):
        stale(admin_client)
        url = reverse("admin:roles_protectedrule_change", args=[rule.pk])
        admin_client.post(url, {"kind": "role", "pattern": "*SSO*", "reason": "single sign-on"})
        rule.refresh_from_db()
        assert rule.reason == "single sign-on"
        event = AuditEvent.objects.get(action="protection.changed")
        assert event.details["before"]["reason"] == "identity"
        assert event.details["after"]["reason"] == "single sign-on"

    def test_weakening_with_a_fresh_password_records_before_and_after(self, admin_client, rule):
        url = reverse("admin:roles_protectedrule_change", args=[rule.pk])
        admin_client.post(url, {"kind": "role", "pattern": "*Okta*", "reason": "identity"})
        event = AuditEvent.objects.get(action="protection.changed")
        assert event.details["op"] == "changed"
        assert event.details["before"]["pattern"] == "*SSO*"
        assert event.details["after"]["pattern"] == "*Okta*"
        assert event.actor_name == "admin"


def run_check(**overrides):
    from tests.test_settings import manage_check

    return manage_check(SECRET_KEY="k" * 50, **overrides)


@pytest.mark.parametrize("value", ["11111111111", "111111111111,acme", "1111 1111 1111"])
def test_a_malformed_protected_account_setting_refuses_to_start(value):
    result = run_check(ROLECALL_PROTECTED_ACCOUNTS=value)
    assert result.returncode == 2
    assert "ROLECALL_PROTECTED_ACCOUNTS: " in result.stderr
    assert "is not a 12-digit account id" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_protected_account_settings_are_read_as_twelve_digits(monkeypatch):
    from dashboard import env

    monkeypatch.setenv("ROLECALL_PROTECTED_ACCOUNTS", "1111-1111-1111, 222222222222")
    assert env.account_ids("ROLECALL_PROTECTED_ACCOUNTS") == [PROD, "222222222222"]
