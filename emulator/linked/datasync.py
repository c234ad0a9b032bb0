"""AWS DataSync: its role is held by any task or location in the account, in each Region
(and by agents, which the emulator cannot have: patches.datasync)."""

from moto.datasync.models import datasync_backends

from . import per_region

ROLES = [("datasync.amazonaws.com", "AWSServiceRoleForDataSync")]
CHECKS = {
    "datasync.amazonaws.com": lambda task: per_region(
        datasync_backends, task.account, lambda b: [*b.tasks, *b.locations]
    )
}
