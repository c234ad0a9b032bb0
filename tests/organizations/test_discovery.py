"""Organizations discovery applied to listings built here (roles/organizations/discovery.py).

What AWS answers is tested against the emulator in tests/organizations/test_organization_aws.py;
here each rule of enrollment, pausing and auditing is shown on a listing that
changes between two discoveries, and attacked: a stale read applied after a newer
one, a hand-added account the rule must not touch, an account another organization
holds, an exclusion, a name already taken.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roles.aws.organizations import Listing, OrgAccount
from roles.models import Account, AuditEvent, MemberAccount, Organization, SyncRun
from roles.organizations import discovery
from roles.organizations.discovery import DISCOVER_TASK

# The SQLite pass of .ci/run runs this module too (docs/testing.md).
pytestmark = pytest.mark.engine

MGMT = "900000000001"
ROOT = "r-ab12"
PROD_OU, STAGE_OU, SANDBOX_OU = "ou-ab12-prod0001", "ou-ab12-stag0001", "ou-ab12-sand0001"
WORKLOADS = "ou-ab12-work0001"
PLACES = {
    "": ((ROOT,), ()),
    PROD_OU: ((ROOT, WORKLOADS, PROD_OU), ("Workloads", "Production")),
    STAGE_OU: ((ROOT, WORKLOADS, STAGE_OU), ("Workloads", "Staging")),
    SANDBOX_OU: ((ROOT, SANDBOX_OU), ("Sandbox",)),
}


def member(account_id: str, name: str, ou: str = "", state: str = "ACTIVE") -> OrgAccount:
    ids, names = PLACES[ou]
    return OrgAccount(
        id=account_id,
        name=name,
        email=f"aws+{name}@example.com",
        state=state,
        joined=timezone.now() - timedelta(days=400),
        parent_id=ids[-1],
        ou_ids=ids,
        ou_names=names,
    )


def listing(*accounts: OrgAccount) -> Listing:
    return Listing("o-test123456", "aws", ROOT, list(accounts), calls=7)


def apply(org: Organization, *accounts: OrgAccount) -> Organization:
    return discovery.apply(org.pk, listing(*accounts), timezone.now())


@pytest.fixture
def org(db) -> Organization:
    return Organization.objects.create(
        name="acme",
        management_account_id=MGMT,
        role_arn=f"arn:aws:iam::{MGMT}:role/RolecallOrganizations",
        external_id="x-org",
        member_external_id="x-member",
        enroll="all",
        exclude_accounts=[MGMT],
    )


BASE = (
    member(MGMT, "management"),
    member("111111111111", "prod", PROD_OU),
    member("222222222222", "staging", STAGE_OU),
    member("333333333333", "sandbox", SANDBOX_OU),
    member("444444444444", "legacy", SANDBOX_OU, "SUSPENDED"),
)


def last_discovery() -> AuditEvent:
    return AuditEvent.objects.filter(action="organization.discovered").order_by("pk").last()


def actions(*names: str) -> list[tuple[str, str]]:
    rows = AuditEvent.objects.filter(action__in=names).order_by("pk")
    return [(e.action, e.account_id) for e in rows]


def test_all_enrolls_every_active_account_but_the_excluded_with_the_member_roles(org):
    apply(org, *BASE)
    enrolled = {a.aws_account_id: a for a in Account.objects.filter(organization=org)}
    assert sorted(enrolled) == ["111111111111", "222222222222", "333333333333"]
    prod = enrolled["111111111111"]
    assert prod.name == "prod"
    assert prod.role_arn == "arn:aws:iam::111111111111:role/RolecallAudit"
    assert prod.change_role_arn == "arn:aws:iam::111111111111:role/RolecallChange"
    assert prod.external_id == "x-member" and prod.paused == ""
    # Each enrolled account is synced at once; nothing else is.
    assert set(SyncRun.objects.values_list("account__aws_account_id", flat=True)) == set(enrolled)
    rows = {m.aws_account_id: m for m in MemberAccount.objects.all()}
    assert rows["111111111111"].ou_path == "Workloads / Production"
    assert rows["111111111111"].ou_ids == [ROOT, WORKLOADS, PROD_OU]
    assert rows["444444444444"].state == "SUSPENDED" and rows["444444444444"].account is None
    assert rows[MGMT].account is None  # excluded
    org.refresh_from_db()
    assert org.aws_organization_id == "o-test123456" and org.discovered and not org.discovery_error
    event = AuditEvent.objects.get(action="organization.discovered")
    assert event.details["accounts"] == 5 and len(event.details["new"]) == 5
    assert event.details["enrolled"] == ["111111111111", "222222222222", "333333333333"]
    assert [a for a, _ in actions("account.enrolled")] == ["account.enrolled"] * 3


def test_a_second_discovery_of_the_same_listing_changes_nothing(org):
    apply(org, *BASE)
    before = AuditEvent.objects.count(), Account.objects.count(), SyncRun.objects.count()
    apply(org, *BASE)
    assert (AuditEvent.objects.count(), Account.objects.count(), SyncRun.objects.count()) == (
        before[0] + 1,  # the discovery itself
        before[1],
        before[2],
    )
    event = last_discovery()
    assert event.details["new"] == event.details["state"] == event.details["enrolled"] == []


def test_chosen_ous_enroll_only_accounts_below_them(org):
    org.enroll, org.enroll_ous = "ous", [WORKLOADS]
    org.save()
    apply(org, *BASE)
    enrolled = sorted(Account.objects.filter(organization=org).values_list("name", flat=True))
    assert enrolled == ["prod", "staging"]


def test_new_accounts_are_enrolled_at_the_next_discovery(org):
    apply(org, *BASE)
    apply(org, *BASE, member("555555555555", "newcomer", SANDBOX_OU))
    assert Account.objects.get(aws_account_id="555555555555").organization == org
    event = last_discovery()
    assert event.details["new"] == ["555555555555"]
    assert event.details["enrolled"] == ["555555555555"]


def test_suspended_closed_and_departed_accounts_stop_syncing_and_keep_their_history(org):
    apply(org, *BASE)
    staging = Account.objects.get(aws_account_id="222222222222")
    runs = SyncRun.objects.filter(account=staging).count()
    changed = [m for m in BASE if m.id not in {"222222222222", "333333333333"}]
    apply(org, *changed, member("222222222222", "staging", STAGE_OU, "SUSPENDED"))
    staging.refresh_from_db()
    sandbox = Account.objects.get(aws_account_id="333333333333")
    assert (staging.paused, sandbox.paused) == ("SUSPENDED", "LEFT")
    assert MemberAccount.objects.get(aws_account_id="333333333333").state == "LEFT"
    # Kept, with their syncs, and no longer scheduled.
    assert SyncRun.objects.filter(account=staging).count() == runs
    from roles.inventory.sync.service import schedule_all

    scheduled = {r.account.aws_account_id for r in schedule_all()}
    assert "222222222222" not in scheduled and "333333333333" not in scheduled
    assert "111111111111" in scheduled
    event = last_discovery()
    assert event.details["left"] == ["333333333333"]
    assert {"account": "222222222222", "old": "ACTIVE", "new": "SUSPENDED"} in event.details[
        "state"
    ]
    assert sorted(actions("account.paused")) == [
        ("account.paused", "222222222222"),
        ("account.paused", "333333333333"),
    ]
    # Back to ACTIVE: synced again, and said so.
    apply(org, *BASE)
    staging.refresh_from_db()
    assert staging.paused == ""
    assert ("account.resumed", "222222222222") in actions("account.resumed")


def test_an_account_the_rule_no_longer_matches_is_paused_not_deleted(org):
    apply(org, *BASE)
    org.exclude_accounts = [MGMT, "111111111111"]
    org.save()
    apply(org, *BASE)
    prod = Account.objects.get(aws_account_id="111111111111")
    assert prod.paused == discovery.EXCLUDED and prod.organization == org


def test_a_hand_added_account_is_linked_and_paused_by_state_but_never_by_the_rule(org):
    hand = Account.objects.create(
        aws_account_id="444444444444", name="legacy by hand", role_arn="", enabled=True
    )
    hub = Account.objects.create(aws_account_id=MGMT, name="hub")
    apply(org, *BASE)
    hand.refresh_from_db()
    hub.refresh_from_db()
    # Linked, with the roles it was given by hand; paused because AWS suspended it.
    assert hand.organization is None and hand.role_arn == "" and hand.paused == "SUSPENDED"
    assert MemberAccount.objects.get(aws_account_id="444444444444").account == hand
    # The management account is excluded from enrollment, yet a hand-added one stays synced.
    assert hub.paused == "" and hub.organization is None
    assert ("account.linked", MGMT) in actions("account.linked")


def test_an_account_another_organization_holds_is_left_to_it(org):
    other = Organization.objects.create(name="other", management_account_id="900000000002")
    apply(other, member("111111111111", "prod", PROD_OU))  # "none": links nothing
    prod = Account.objects.create(aws_account_id="111111111111", name="prod by hand")
    MemberAccount.objects.filter(organization=other).update(account=prod)
    apply(org, *BASE)
    assert (
        MemberAccount.objects.get(organization=org, aws_account_id="111111111111").account is None
    )
    assert MemberAccount.objects.get(organization=other).account == prod


def test_a_name_already_taken_gets_the_account_id(org):
    Account.objects.create(aws_account_id="999999999999", name="prod")
    apply(org, *BASE)
    assert Account.objects.get(aws_account_id="111111111111").name == "prod (111111111111)"


def test_an_older_read_applied_after_a_newer_one_is_dropped(org):
    early = timezone.now()
    apply(org, *BASE)  # read and applied after `early`
    stale = listing(*BASE[:2])  # read at `early`: it would mark three accounts LEFT
    discovery.apply(org.pk, stale, early)
    assert not MemberAccount.objects.filter(state="LEFT").exists()


def test_an_account_moved_during_the_read_keeps_its_last_place(org):
    apply(org, *BASE)
    unplaced = OrgAccount("111111111111", "prod", "e", "ACTIVE", None)  # in no listed parent
    apply(org, unplaced, *BASE[2:], BASE[0])
    assert MemberAccount.objects.get(aws_account_id="111111111111").ou_path == (
        "Workloads / Production"
    )


def test_a_moved_account_is_reported(org):
    apply(org, *BASE)
    moved = member("111111111111", "prod", SANDBOX_OU)
    apply(org, moved, *[m for m in BASE if m.id != "111111111111"])
    event = last_discovery()
    assert event.details["moved"] == [
        {"account": "111111111111", "from": "Workloads / Production", "to": "Sandbox"}
    ]


def test_no_query_per_account(org):
    """Bulk writes only: 400 accounts cost a few batches more than 5, never a query each."""

    def queries(n: int, start: int) -> int:
        accounts = [member(f"{start + i:012d}", f"acct-{start + i}", SANDBOX_OU) for i in range(n)]
        org.enroll = "none"  # enrollment makes per-account syncs and audit events
        org.save()
        with CaptureQueriesContext(connection) as ctx:
            apply(org, *accounts)
        return len(ctx.captured_queries)

    small = queries(5, 500000000000)
    MemberAccount.objects.all().delete()
    large = queries(400, 600000000000)
    assert small <= large <= small + 12, (small, large)


def test_beat_discovers_every_organization_on_the_interval(org, settings, monkeypatch):
    from dashboard.celery import app
    from roles import jobs
    from roles.organizations.tasks import discover_all_organizations

    entry = settings.CELERY_BEAT_SCHEDULE["organization-discovery"]
    assert entry["schedule"] == settings.ROLECALL_DISCOVERY_INTERVAL * 60
    assert entry["task"] in app.tasks
    for name in (entry["task"], DISCOVER_TASK):
        assert app.amqp.router.route({}, name)["queue"].name == "sync"
    other = Organization.objects.create(name="other", management_account_id="900000000002")
    sent = []
    monkeypatch.setattr(jobs, "publish", lambda name, *args, **kw: sent.append((name, args)))
    assert discover_all_organizations() == 2
    assert sorted(sent) == sorted([(DISCOVER_TASK, (org.pk,)), (DISCOVER_TASK, (other.pk,))])
