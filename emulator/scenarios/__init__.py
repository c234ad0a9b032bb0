"""Scenarios: the state the emulator starts from, or is reset to.

``load(name, params)`` wipes every moto backend (all accounts, all regions) and the
emulator's own stores (deletion tasks, Access Advisor data, Access Analyzer analyzers,
the organization's member accounts, enabled opt-in Regions, Trusted Advisor's state), then
builds the scenario.  Control knobs (faults, latency, counters) are reset by the caller.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from moto.autoscaling.models import autoscaling_backends
from moto.ec2.models import ec2_backends
from moto.moto_api._internal import mock_random
from moto.moto_api._internal.models import moto_api_backend

from .. import advisor, deletion, member_roles, organization, regions, trusted_advisor
from ..patches import accessanalyzer
from ..state import HUB_ACCOUNT, LOCK, RUN
from . import demo, empty, large

BUILDERS = {"demo": demo.build, "empty": empty.build, "large": large.build}
NAMES = tuple(BUILDERS)
SEEDS = {"demo": 2026, "empty": 1, "large": 17}


class ScenarioError(ValueError):
    """Unknown scenario or bad parameters."""


def validate(name: str, params: dict | None) -> dict:
    params = dict(params or {})
    if name not in BUILDERS:
        raise ScenarioError(f"unknown scenario {name!r} (choose from {', '.join(NAMES)})")
    if name == "large":
        try:
            return large.validate(params)
        except ValueError as error:
            raise ScenarioError(str(error)) from None
    if params:
        raise ScenarioError(f"scenario {name!r} takes no parameters")
    return params


def load(name: str, params: dict | None = None) -> float:
    """Rebuild all state from scenario ``name``; returns the build time in seconds."""
    params = validate(name, params)
    with LOCK:
        started = time.perf_counter()
        _forget_ec2()
        moto_api_backend.reset()
        advisor.reset()
        deletion.reset()
        accessanalyzer.reset()
        organization.reset()
        regions.reset()
        trusted_advisor.reset()
        # Seed moto's own ids (role ids, container instance ids) so a scenario is repeatable.
        mock_random.seed(SEEDS[name])
        # The one "now" every date of the scenario is counted back from (/_emulator/state).
        RUN.now = datetime.now(UTC).replace(microsecond=0)
        BUILDERS[name](params)
        held = organization.of(HUB_ACCOUNT)
        member_roles.create_principal(held.id if held is not None else None)
        RUN.scenario = name
        return time.perf_counter() - started


def _forget_ec2() -> None:
    """Drop the EC2 backends, and the Auto Scaling backends that build them, unbuilt.

    moto's reset rebuilds every backend in place before dropping it.  Rebuilding an EC2
    backend loads some 1,300 AMIs (about 0.1 s per Region), and rebuilding an Auto
    Scaling backend builds its Region's EC2 backend again, drawing random ids before
    the scenario's seed.  Nothing reads the rebuilt ones: whatever is used afterwards
    is built again on first use.
    """
    for backends in (autoscaling_backends, ec2_backends):
        for by_region in backends.values():
            by_region.clear()
