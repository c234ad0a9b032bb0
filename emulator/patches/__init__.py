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
    batch,
    cloudtrail,
    customergateways,
    datasync,
    ec2,
    ecs,
    elasticache,
    emr,
    iam,
    lexv2models,
    macie2,
    motoapi,
    networkfirewall,
    networkmanager,
    organizations,
    servicecatalogappregistry,
    sts,
    transitgateway,
    wafv2,
)


def apply() -> None:
    iam.apply()
    applicationautoscaling.apply()
    autoscaling.apply()
    batch.apply()
    cloudtrail.apply()
    customergateways.apply()
    datasync.apply()
    ec2.apply()
    ecs.apply()
    elasticache.apply()
    emr.apply()
    lexv2models.apply()
    macie2.apply()
    motoapi.apply()
    networkfirewall.apply()
    networkmanager.apply()
    organizations.apply()
    servicecatalogappregistry.apply()
    sts.apply()
    transitgateway.apply()
    wafv2.apply()
