"""AWS Directory Service: its role is held by any directory in the account, in each
Region (moto drops a directory when it is deleted)."""

from moto.ds.models import ds_backends

from ..regions import partition
from . import per_region

ROLES = [("ds.amazonaws.com", "AWSServiceRoleForDirectoryService")]


def _arns(backend) -> list[str]:
    return [
        f"arn:{partition(backend.region_name)}:ds:{backend.region_name}:{backend.account_id}:"
        f"directory/{d.directory_id}"
        for d in backend.directories.values()
        if d.stage != "Deleted"
    ]


CHECKS = {"ds.amazonaws.com": lambda task: per_region(ds_backends, task.account, _arns)}
