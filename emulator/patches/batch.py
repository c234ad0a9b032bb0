"""Patch to moto's Batch: a compute environment created without a service role.

AWS Batch's guide: when you "don't specify a value for the serviceRole parameter, AWS
Batch creates the service-linked role" and the environment uses AWSServiceRoleForBatch
(docs/catalogue.md). moto refuses the call ("ServiceRole is required"), so the way most
environments come to hold the role could not be modelled. Here the environment gets
the service-linked role, created first if the account has none.
"""

from __future__ import annotations

from functools import wraps

from moto.batch.models import BatchBackend

PRINCIPAL = "batch.amazonaws.com"
_ORIGINALS: dict[str, object] = {}


def linked_role_arn(backend: BatchBackend) -> str:
    """The account's AWSServiceRoleForBatch, created as AWS Batch creates it."""
    iam = backend.iam_backend
    path = f"/aws-service-role/{PRINCIPAL}/"
    for role in iam.roles.values():
        if role.path == path:
            return role.arn
    return iam.create_service_linked_role(PRINCIPAL, "", "").arn


def apply() -> None:
    if _ORIGINALS:
        return
    original = _ORIGINALS["create_compute_environment"] = BatchBackend.create_compute_environment

    @wraps(original)
    def create_compute_environment(self, *args, **kwargs):
        if not kwargs.get("service_role"):  # moto's responses pass every argument by name
            kwargs["service_role"] = linked_role_arn(self)
        return original(self, *args, **kwargs)

    BatchBackend.create_compute_environment = create_compute_environment
