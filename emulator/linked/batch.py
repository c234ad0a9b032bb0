"""AWS Batch: its role is held by the compute environments that use it (their service
role, which is the service-linked role when none is given: emulator/patches/batch.py),
in each Region."""

from moto.batch.models import batch_backends

from . import per_region

ROLES = [("batch.amazonaws.com", "AWSServiceRoleForBatch")]


def _name(role: str) -> str:
    """A role ARN's name; IAM role names are not distinguished by case."""
    return role.rsplit("/", 1)[-1].lower()


def _environments(task) -> list[dict]:
    return per_region(
        batch_backends,
        task.account,
        lambda b: (
            ce.arn
            for ce in b._compute_environments.values()
            if ce.service_role and _name(ce.service_role) == _name(task.role_arn)
        ),
    )


CHECKS = {"batch.amazonaws.com": _environments}
