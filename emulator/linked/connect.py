"""Amazon Connect: an instance's role is held by that instance, in its Region. AWS names
each instance's role AWSServiceRoleForAmazonConnect_<unique-id>; moto gives every
instance the unsuffixed name as its ServiceRole, so the emulator's role is that one."""

from moto.connect.models import connect_backends

from . import per_region

ROLES = [("connect.amazonaws.com", "AWSServiceRoleForAmazonConnect")]


def _instances(task) -> list[dict]:
    role = task.role_arn.lower()  # IAM role names are not distinguished by case
    return per_region(
        connect_backends,
        task.account,
        lambda b: (i.arn for i in b.instances.values() if i.service_role.lower() == role),
    )


CHECKS = {"connect.amazonaws.com": _instances}
