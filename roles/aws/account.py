"""One AWS account as rolecall reaches it: its clients, who it answers as, its regions.

Every module outside roles/aws/ that talks to AWS starts from an AccountAws
instead of building sessions or clients itself. It wraps one AccountSession
(sts:AssumeRole with the external id, the shared process-wide boto3 session,
the call counter, the retry policy), so each AccountAws makes the same calls
its callers made by hand before.
"""

from __future__ import annotations

from collections.abc import Sequence

from roles.aws import ecs, sts
from roles.aws.change import change_target
from roles.aws.session import AccountSession, CallCounter, Target


class AccountAws:
    """The clients, identity and regions of one account, for one piece of work.

    Clients are created once per (service, region) and are safe to share
    between threads. The region list is read once per object.
    """

    def __init__(self, session: AccountSession, regions: Sequence[str] = ()) -> None:
        """session: the account's AccountSession; regions: the account's configured
        regions (empty: every region enabled for the account, see regions())."""
        self.session = session
        self._configured = list(regions)
        self._regions: list[str] | None = None

    @classmethod
    def for_target(
        cls,
        target: Target,
        regions: Sequence[str] = (),
        *,
        counter: CallCounter | None = None,
        attempts: int | None = None,
    ) -> AccountAws:
        """Reach `target` (sts:AssumeRole now when it has a role ARN; AwsError if refused).

        attempts: botocore's total attempts per call; 1 for the deletion worker and
        the cleanup runner, which schedule their own retries and record each error.
        """
        return cls(AccountSession(target, counter, attempts=attempts), regions)

    @classmethod
    def for_account(
        cls, account, counter: CallCounter | None = None, attempts: int | None = None
    ) -> AccountAws:
        """The facade of an Account row: its target and its configured regions."""
        return cls.for_target(account.target(), account.regions, counter=counter, attempts=attempts)

    @classmethod
    def for_change(cls, account, change, *, attempts: int | None = 1) -> AccountAws:
        """The account's change session for one change (roles/aws/change.py): its change
        role assumed now, naming the requester; its read role when it has none."""
        return cls.for_target(change_target(account, change), account.regions, attempts=attempts)

    # --- clients -----------------------------------------------------------------

    def client(self, service: str, region: str | None = None):
        """Any service's client (home region by default)."""
        return self.session.client(service, region)

    def iam(self):
        return self.session.client("iam")

    def sts(self):
        return self.session.client("sts")

    def ecs(self, region: str):
        return self.session.client("ecs", region)

    def ec2(self, region: str | None = None):
        return self.session.client("ec2", region)

    # --- what the account is -----------------------------------------------------

    @property
    def target(self) -> Target:
        return self.session.target

    def identity(self) -> sts.Identity:
        """sts:GetCallerIdentity: which account the calls really reach."""
        return sts.identity(self.session)

    def regions(self) -> list[str]:
        """The configured regions, else every region enabled for the account (sorted):
        what ec2:DescribeRegions lists without AllRegions, its partition's default
        regions and the opt-in ones it enabled (ecs.list_regions)."""
        if self._regions is None:
            self._regions = self._configured or ecs.list_regions(self.ec2())
        return list(self._regions)

    @property
    def counter(self) -> CallCounter:
        return self.session.counter

    @property
    def calls(self) -> int:
        """HTTP requests sent to AWS so far through this account (retries included)."""
        return self.session.calls
