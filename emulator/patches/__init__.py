"""The project's patches to moto, applied once at import time of the server.

Each module wraps moto's backend or response classes (never a copy of moto's code)
to restore one AWS behaviour rolecall depends on, or adds an operation moto lacks.
IAM Access Analyzer, for which moto has no backend at all, is served by the emulator
itself (``accessanalyzer``, routed by ``server.EmulatorApp``).  See ``emulator/README.md``.
"""

from __future__ import annotations

from . import (
    applicationautoscaling,
    autoscaling,
    cloudtrail,
    customergateways,
    datasync,
    ec2,
    ecs,
    elasticache,
    iam,
    lexv2models,
    motoapi,
    organizations,
    servicecatalogappregistry,
    sts,
)


def apply() -> None:
    iam.apply()
    applicationautoscaling.apply()
    autoscaling.apply()
    cloudtrail.apply()
    customergateways.apply()
    datasync.apply()
    ec2.apply()
    ecs.apply()
    elasticache.apply()
    lexv2models.apply()
    motoapi.apply()
    organizations.apply()
    servicecatalogappregistry.apply()
    sts.apply()
