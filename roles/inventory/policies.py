"""Managed policy documents, one row per (policy ARN, version id), for the whole organization.

IAM never changes a policy version's document: a change, by the customer or by AWS to an
AWS managed policy, is a new version (IAM User Guide, "Versioning IAM policies"). An AWS
managed policy's ARN (arn:aws:iam::aws:policy/...) is the same in every account, and a
customer managed policy's ARN names its account, so a pair names one document
everywhere. The sync (roles/inventory/sync/collect.py) reads a version with GetPolicyVersion only
when no sync has stored it yet; syncs running at once claim the versions they read, and
the others wait for those documents rather than read them again.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import timedelta

from django.db import models
from django.utils import timezone

Pair = tuple[str, str]  # (policy ARN, version id)


def _matching(pairs: Iterable[Pair]) -> models.Q | None:
    match = models.Q()
    for arn, version_id in set(pairs):
        match |= models.Q(arn=arn, version_id=version_id)
    return match or None


class ManagedPolicyVersionQuerySet(models.QuerySet):
    def documents(self, pairs: Iterable[Pair]) -> dict[Pair, dict]:
        """The stored documents of those of `pairs` any sync has read."""
        match = _matching(pairs)
        if match is None:
            return {}
        rows = self.filter(match, document__isnull=False)
        return {(a, v): doc for a, v, doc in rows.values_list("arn", "version_id", "document")}

    def claim(self, pairs: Iterable[Pair], token: str, seconds: float) -> set[Pair]:
        """Of `pairs` (none stored yet), those this sync is to read: the ones no other
        sync has claimed, and those whose claim lapsed (its sync died or failed) without
        a document. A claim is a row without a document; an insert that meets another
        sync's row is skipped, and a lapsed claim is taken by a conditional update, so
        two syncs never both hold one."""
        match = _matching(pairs)
        if match is None:
            return set()
        now = timezone.now()
        until = now + timedelta(seconds=seconds)
        self.bulk_create(
            [
                ManagedPolicyVersion(arn=a, version_id=v, claim=token, claimed_until=until)
                for a, v in set(pairs)
            ],
            ignore_conflicts=True,
        )
        unread = self.filter(match, document__isnull=True)
        unread.filter(claimed_until__lt=now).update(claim=token, claimed_until=until)
        return set(unread.filter(claim=token).values_list("arn", "version_id"))

    def release(self, pairs: Iterable[Pair], token: str) -> None:
        """Give up this sync's claims on pairs it could not read: another may read them."""
        match = _matching(pairs)
        if match is not None:
            self.filter(match, claim=token, document__isnull=True).delete()

    def remember(self, documents: dict[Pair, dict]) -> None:
        """Store documents just read, filling unfilled claims (whoever holds them: the
        document of a version is the same whoever read it) and adding rows for the rest;
        a row already holding its document is left as it is."""
        match = _matching(documents)
        if match is None:
            return
        claimed = {(r.arn, r.version_id): r for r in self.filter(match, document__isnull=True)}
        for pair, row in claimed.items():
            row.document, row.claim, row.claimed_until = documents[pair], "", None
        self.bulk_update(list(claimed.values()), ["document", "claim", "claimed_until"])
        # Pairs with no row yet; one another sync stored meanwhile is skipped.
        self.bulk_create(
            [
                ManagedPolicyVersion(arn=arn, version_id=version_id, document=document)
                for (arn, version_id), document in documents.items()
                if (arn, version_id) not in claimed
            ],
            ignore_conflicts=True,
        )

    def wait_for(self, pairs: set[Pair], seconds: float, every: float = 0.1) -> dict[Pair, dict]:
        """The documents of pairs other syncs claimed, as they store them, waiting while
        a live claim remains (at most `seconds`). Pairs whose claim was released or
        lapsed unfilled are left out: the caller reads them."""
        deadline = time.monotonic() + seconds
        found: dict[Pair, dict] = {}
        while True:
            rows = self.filter(_matching(pairs - found.keys()))
            waiting = False
            now = timezone.now()
            for arn, version_id, document, until in rows.values_list(
                "arn", "version_id", "document", "claimed_until"
            ):
                if document is not None:
                    found[arn, version_id] = document
                elif until is not None and until >= now:
                    waiting = True
            if not waiting or len(found) == len(pairs) or time.monotonic() >= deadline:
                return found
            time.sleep(every)


class ManagedPolicyVersion(models.Model):
    arn = models.CharField(max_length=2048)
    version_id = models.CharField(max_length=128)
    # None while a sync that claimed the version reads it (claim, claimed_until).
    document = models.JSONField(null=True, blank=True)
    first_read = models.DateTimeField(auto_now_add=True)
    claim = models.CharField(max_length=64, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    objects = ManagedPolicyVersionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["arn", "version_id"], name="managed_policy_version")
        ]

    def __str__(self) -> str:
        return f"{self.arn} {self.version_id}"
