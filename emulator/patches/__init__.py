"""The project's patches to moto, applied once at import time of the server.

Each module wraps moto's backend or response classes (never a copy of moto's code)
to restore one AWS behaviour rolecall depends on.  See ``emulator/README.md``.
"""

from __future__ import annotations

from . import autoscaling, ecs, iam, sts


def apply() -> None:
    iam.apply()
    autoscaling.apply()
    ecs.apply()
    sts.apply()
