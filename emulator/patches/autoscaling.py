"""Patch to moto's Auto Scaling responses: a group keeps the service-linked role it names.

moto ignores CreateAutoScalingGroup's ServiceLinkedRoleARN and gives every group the
default AWSServiceRoleForAutoScaling, so a role with a custom suffix could never be in
use.  AWS assigns the named role (docs/readiness.md, EC2 Auto Scaling); the deletion
check (``usage.auto_scaling``) compares it with the role being deleted.
"""

from __future__ import annotations

from functools import wraps

from moto.autoscaling.responses import AutoScalingResponse

_ORIGINALS: dict[str, object] = {}


def _create_auto_scaling_group(original):
    @wraps(original)
    def create(self: AutoScalingResponse):
        answer = original(self)
        role_arn = self._get_param("ServiceLinkedRoleARN")
        if role_arn:
            group = self.autoscaling_backend.autoscaling_groups[
                self._get_param("AutoScalingGroupName")
            ]
            group.service_linked_role_arn = role_arn
        return answer

    return create


def apply() -> None:
    if "create_auto_scaling_group" in _ORIGINALS:
        return
    original = AutoScalingResponse.create_auto_scaling_group
    _ORIGINALS["create_auto_scaling_group"] = original
    AutoScalingResponse.create_auto_scaling_group = _create_auto_scaling_group(original)
