"""Organizations discovery: list the organization, keep its accounts, enroll by the rule.

A discovery reads the organization through its read role (roles/aws/organizations.py),
outside any transaction, then applies what it read in one transaction holding the
organization's row, so two discoveries never enroll an account twice and an older
read never overwrites a newer one.

- Every listed account is kept as a MemberAccount with its State and OU path; one
  no longer listed is marked LEFT. Nothing is deleted.
- The rule (all, or the chosen OUs, less the exclusions) enrolls each ACTIVE account
  it matches that rolecall does not have yet: an Account with the organization's
  member role names and external id, synced at once.
- An account rolecall already has (added by hand, or enrolled) is linked to its
  member row. Any linked account whose State is not ACTIVE, or that LEFT, is paused:
  it is no longer synced, and is shown as such with all its history. An enrolled
  account the rule no longer matches is paused as EXCLUDED. A paused account whose
  reason has gone is resumed. A hand-added account is never enrolled or excluded.
- Every change is an audit event: one for the discovery (what was new, changed
  state, moved or left), and one per account enrolled, linked, paused or resumed.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from roles.audit.models import AuditEvent, Outcome
from roles.aws import organizations
from roles.aws.errors import AwsError
from roles.aws.session import AccountSession
from roles.core.models import Account
from roles.inventory import summary
from roles.organizations.models import Enrollment, MemberAccount, Organization, State

EXCLUDED = "EXCLUDED"
# One organization's discovery (roles/organizations/tasks.py), on the sync queue (ready.py).
DISCOVER_TASK = "rolecall.organizations.discover"
# Written only when one of them changed: an unchanged organization costs no write.
MEMBER_FIELDS = ("name", "email", "state", "parent_id", "ou_ids", "ou_path", "joined")


def matches(org: Organization, member: MemberAccount) -> bool:
    """Does the enrollment rule take this account (whatever its state)?"""
    if member.aws_account_id in org.exclude_accounts:
        return False
    if org.enroll == Enrollment.ALL:
        return True
    if org.enroll == Enrollment.OUS:
        return bool(set(member.ou_ids) & set(org.enroll_ous))
    return False


def pause_reason(org: Organization, member: MemberAccount, account: Account) -> str:
    if member.state != State.ACTIVE:
        return member.state
    if account.organization_id == org.pk and not matches(org, member):
        return EXCLUDED
    return ""


def discover(org_id: int, *, user=None) -> Organization:
    """Read the organization and apply it; an AWS failure is kept on the row and audited."""
    org = Organization.objects.get(pk=org_id)
    started = timezone.now()
    try:
        listing = organizations.read(AccountSession(org.target()))
    except AwsError as exc:
        with transaction.atomic():
            Organization.objects.filter(pk=org.pk).update(discovery_error=str(exc)[:2000])
            AuditEvent.objects.record(
                "organization.discovery_failed",
                actor=user,
                outcome=Outcome.FAILURE,
                account_id=org.management_account_id,
                aws_request_id=exc.request_id,
                details={"organization": org.name, "error": exc.as_dict()},
            )
        org.refresh_from_db()
        return org
    return apply(org.pk, listing, started, user=user)


def _unique_name(name: str, account_id: str, taken: set[str]) -> str:
    name = name.strip()[:80] or account_id
    if name in taken:
        name = f"{name} ({account_id})"
    taken.add(name)
    return name


class _Applying:
    """One discovery's changes, gathered before they are written in bulk."""

    def __init__(self, org: Organization, listing: organizations.Listing, now: datetime):
        self.org, self.listing, self.now = org, listing, now
        self.members = {m.aws_account_id: m for m in org.members.all()}
        ids = {a.id for a in listing.accounts} | set(self.members)
        self.accounts = {
            a.aws_account_id: a for a in Account.objects.filter(aws_account_id__in=ids)
        }
        # An account linked to another organization's row stays with it.
        self.elsewhere = set(
            MemberAccount.objects.filter(account__aws_account_id__in=ids)
            .exclude(organization=org)
            .values_list("account__aws_account_id", flat=True)
        )
        self.created: list[MemberAccount] = []
        self.changed: dict[str, MemberAccount] = {}
        self.new_accounts: list[Account] = []
        self.paused: list[Account] = []
        self.report = {"new": [], "state": [], "moved": [], "left": []}
        self.events: list[tuple[str, Account, dict]] = []

    def members_from_listing(self) -> None:
        listed = set()
        for item in self.listing.accounts:
            listed.add(item.id)
            member = self.members.get(item.id)
            if member is None:
                member = MemberAccount(
                    organization=self.org, aws_account_id=item.id, first_seen=self.now
                )
                self.members[item.id] = member
                self.created.append(member)
                self.report["new"].append(item.id)
            before = tuple(getattr(member, f, None) for f in MEMBER_FIELDS)
            if member.pk and member.state != item.state:
                self.report["state"].append(
                    {"account": item.id, "old": member.state, "new": item.state}
                )
            member.name, member.email = item.name[:100], item.email[:254]
            member.state, member.joined = item.state, item.joined
            if item.parent_id:  # unplaced (moved during the read): keep its last place
                if member.pk and member.parent_id != item.parent_id:
                    self.report["moved"].append(
                        {
                            "account": item.id,
                            "from": member.ou_path,
                            "to": " / ".join(item.ou_names),
                        }
                    )
                member.parent_id, member.ou_ids = item.parent_id, list(item.ou_ids)
                member.ou_path = " / ".join(item.ou_names)[:2000]
            if member.pk and before != tuple(getattr(member, f) for f in MEMBER_FIELDS):
                self.changed[item.id] = member
        for account_id, member in self.members.items():
            if account_id not in listed and member.state != State.LEFT:
                self.report["left"].append(account_id)
                self.report["state"].append(
                    {"account": account_id, "old": member.state, "new": State.LEFT}
                )
                member.state = State.LEFT
                self.changed[account_id] = member

    def enroll(self) -> None:
        org = self.org
        wanted = [
            m
            for m in self.members.values()
            if m.aws_account_id not in self.accounts and m.state == State.ACTIVE and matches(org, m)
        ]
        taken = set(
            Account.objects.filter(name__in=[m.name.strip()[:80] for m in wanted]).values_list(
                "name", flat=True
            )
        )
        for member in wanted:
            account = Account(
                aws_account_id=member.aws_account_id,
                name=_unique_name(member.name, member.aws_account_id, taken),
                role_arn=org.member_arn(member.aws_account_id, org.member_role_name),
                change_role_arn=org.member_arn(member.aws_account_id, org.member_change_role_name),
                external_id=org.member_external_id,
                organization=org,
            )
            self.new_accounts.append(account)
        Account.objects.bulk_create(self.new_accounts)
        for account in self.new_accounts:
            self.accounts[account.aws_account_id] = account
            member = self.members[account.aws_account_id]
            member.account = account
            self.events.append(
                (
                    "account.enrolled",
                    account,
                    {
                        "organization": org.name,
                        "ou_path": member.ou_path,
                        "role_arn": account.role_arn,
                        "change_role_arn": account.change_role_arn,
                    },
                )
            )

    def link_and_pause(self) -> None:
        for account_id, member in self.members.items():
            account = self.accounts.get(account_id)
            if account is None or account_id in self.elsewhere:
                continue
            if member.account_id != account.pk:
                member.account = account
                if member.pk:
                    self.changed[account_id] = member
                self.events.append(("account.linked", account, {"organization": self.org.name}))
            reason = pause_reason(self.org, member, account)
            if account.paused != reason:
                action = "account.paused" if reason else "account.resumed"
                self.events.append((action, account, {"old": account.paused, "new": reason}))
                account.paused = reason
                self.paused.append(account)

    def write(self) -> None:
        MemberAccount.objects.bulk_create(self.created)
        MemberAccount.objects.bulk_update(self.changed.values(), [*MEMBER_FIELDS, "account"])
        Account.objects.bulk_update(self.paused, ["paused"])


def apply(org_id: int, listing: organizations.Listing, started: datetime, *, user=None):
    """Store one discovery's listing (see the module docstring)."""
    with transaction.atomic():
        org = Organization.objects.select_for_update(no_key=True).get(pk=org_id)
        if org.discovered and org.discovered > started:
            return org  # a discovery that read later has already been applied
        now = timezone.now()
        work = _Applying(org, listing, now)
        work.members_from_listing()
        work.enroll()
        work.link_and_pause()
        work.write()
        org.discovered, org.discovery_error = now, ""
        org.aws_organization_id, org.partition = listing.organization_id, listing.partition
        org.save(
            update_fields=["discovered", "discovery_error", "aws_organization_id", "partition"]
        )
        AuditEvent.objects.record(
            "organization.discovered",
            actor=user,
            account_id=org.management_account_id,
            details={
                "organization": org.name,
                "aws_organization_id": listing.organization_id,
                "accounts": len(listing.accounts),
                "calls": listing.calls,
                **work.report,
                "enrolled": [a.aws_account_id for a in work.new_accounts],
            },
        )
        for action, account, details in work.events:
            AuditEvent.objects.record(
                action, actor=user, account_id=account.aws_account_id, details=details
            )
        summary.summarise(work.new_accounts)
        from roles.inventory.sync.service import start_sync

        for account in work.new_accounts:
            start_sync(account, user=user, reason="enrolled from the organization")
    return org
