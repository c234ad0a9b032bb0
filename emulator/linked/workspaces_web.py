"""Amazon WorkSpaces Web: its role is held by any portal in the account, in each
Region."""

from moto.workspacesweb.models import workspacesweb_backends

from . import per_region

ROLES = [("workspaces-web.amazonaws.com", "AWSServiceRoleForAmazonWorkSpacesWeb")]
CHECKS = {
    "workspaces-web.amazonaws.com": lambda task: per_region(
        workspacesweb_backends, task.account, lambda b: iter(b.portals)
    )
}
