"""Application Auto Scaling: moto's lists of service namespaces and scalable dimensions
lag AWS's (no ``elasticache``, ``neptune`` or ``workspaces``), so a call AWS accepts
fails validation. Both lists are taken from botocore's model of the API instead, which
follows the API reference's enums (ServiceNamespace, ScalableDimension)."""

from __future__ import annotations

from enum import Enum

import botocore.session
from moto.applicationautoscaling import models, responses


def _enum(name: str, shape: str) -> type[Enum]:
    model = botocore.session.get_session().get_service_model("application-autoscaling")
    values = model.shape_for(shape).enum
    return Enum(name, {value.upper().replace("-", "_"): value for value in values})


def apply() -> None:
    namespaces = _enum("ServiceNamespaceValueSet", "ServiceNamespace")
    dimensions = _enum("ScalableDimensionValueSet", "ScalableDimension")
    for module in (models, responses):
        module.ServiceNamespaceValueSet = namespaces
        module.ScalableDimensionValueSet = dimensions
