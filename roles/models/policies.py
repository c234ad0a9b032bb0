"""Managed policy documents, one row per (policy ARN, version id), for the whole organization.

IAM never changes a policy version's document: a change, by the customer or by AWS to an
AWS managed policy, is a new version (IAM User Guide, "Versioning IAM policies"). An AWS
managed policy's ARN (arn:aws:iam::aws:policy/...) is the same in every account, and a
customer managed policy's ARN names its account, so a pair names one document
everywhere. The sync (roles/sync/collect.py) reads a version with GetPolicyVersion only
when no sync has stored it yet.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

Pair = tuple[str, str]  # (policy ARN, version id)


class ManagedPolicyVersionQuerySet(models.QuerySet):
    def documents(self, pairs: Iterable[Pair]) -> dict[Pair, dict]:
        """The stored documents of those of `pairs` any sync has read."""
        match = models.Q()
        for arn, version_id in set(pairs):
            match |= models.Q(arn=arn, version_id=version_id)
        if not match:
            return {}
        rows = self.filter(match).values_list("arn", "version_id", "document")
        return {(arn, version_id): document for arn, version_id, document in rows}

    def remember(self, documents: dict[Pair, dict]) -> None:
        """Store documents just read. Two syncs may read the same version at once: the
        second insert is skipped (ON CONFLICT DO NOTHING), and both documents are the same."""
        self.bulk_create(
            [
                ManagedPolicyVersion(arn=arn, version_id=version_id, document=document)
                for (arn, version_id), document in documents.items()
            ],
            ignore_conflicts=True,
        )


class ManagedPolicyVersion(models.Model):
    arn = models.CharField(max_length=2048)
    version_id = models.CharField(max_length=128)
    document = models.JSONField()
    first_read = models.DateTimeField(auto_now_add=True)

    objects = ManagedPolicyVersionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["arn", "version_id"], name="managed_policy_version")
        ]

    def __str__(self) -> str:
        return f"{self.arn} {self.version_id}"
