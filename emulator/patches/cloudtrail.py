"""Patch to moto's CloudTrail: event data stores (CloudTrail Lake), which moto lacks.

rolecall reads organization event data stores beside organization trails
(docs/readiness.md, CloudTrail): ListEventDataStores, then GetEventDataStore for each
store, because ListEventDataStores no longer returns OrganizationEnabled.  The emulator
keeps each Region's stores on moto's CloudTrail backend (so a reset forgets them) and
serves Create, List, Get and Delete; what a store records is not modelled.  The deletion
check (``usage.cloudtrail``) counts the organization stores.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from moto.cloudtrail.models import CloudTrailBackend
from moto.cloudtrail.responses import CloudTrailResponse
from moto.core.exceptions import JsonRESTError

# ListEventDataStores' MaxResults (botocore's model: 1 to 1000).
PAGE = 1000


class EventDataStoreNotFoundException(JsonRESTError):
    code = 400

    def __init__(self, store: str):
        super().__init__("EventDataStoreNotFoundException", f"Event data store {store} not found.")


@dataclass
class EventDataStore:
    arn: str
    name: str
    organization_enabled: bool
    multi_region_enabled: bool

    def listed(self) -> dict:
        """What ListEventDataStores returns (the fields botocore does not mark as no
        longer returned)."""
        return {"EventDataStoreArn": self.arn, "Name": self.name}

    def detail(self) -> dict:
        return self.listed() | {
            "Status": "ENABLED",
            "OrganizationEnabled": self.organization_enabled,
            "MultiRegionEnabled": self.multi_region_enabled,
        }


def stores(backend: CloudTrailBackend) -> dict[str, EventDataStore]:
    """The Region's event data stores, by ARN."""
    if not hasattr(backend, "event_data_stores"):
        backend.event_data_stores = {}
    return backend.event_data_stores


def create(backend: CloudTrailBackend, name: str, organization: bool, multi_region: bool = True):
    # The id drawn from what names the store, so that a scenario repeats run to run.
    where = f"{backend.account_id}/{backend.region_name}/{name}"
    arn = (
        f"arn:aws:cloudtrail:{backend.region_name}:{backend.account_id}:eventdatastore/"
        f"{uuid.uuid5(uuid.NAMESPACE_URL, where)}"
    )
    store = EventDataStore(arn, name, organization, multi_region)
    stores(backend)[arn] = store
    return store


def _find(backend: CloudTrailBackend, key: str) -> EventDataStore:
    for arn, store in stores(backend).items():
        if key in (arn, arn.rsplit("/", 1)[-1], store.name):
            return store
    raise EventDataStoreNotFoundException(key)


def create_event_data_store(self: CloudTrailResponse) -> str:
    store = create(
        self.cloudtrail_backend,
        self._get_param("Name"),
        bool(self._get_param("OrganizationEnabled", False)),
        bool(self._get_param("MultiRegionEnabled", True)),
    )
    return json.dumps(store.detail())


def list_event_data_stores(self: CloudTrailResponse) -> str:
    every = sorted(stores(self.cloudtrail_backend).values(), key=lambda s: s.arn)
    size = min(int(self._get_param("MaxResults") or PAGE), PAGE)
    start = int(self._get_param("NextToken") or 0)
    answer: dict = {"EventDataStores": [s.listed() for s in every[start : start + size]]}
    if start + size < len(every):
        answer["NextToken"] = str(start + size)
    return json.dumps(answer)


def get_event_data_store(self: CloudTrailResponse) -> str:
    return json.dumps(_find(self.cloudtrail_backend, self._get_param("EventDataStore")).detail())


def delete_event_data_store(self: CloudTrailResponse) -> str:
    store = _find(self.cloudtrail_backend, self._get_param("EventDataStore"))
    del stores(self.cloudtrail_backend)[store.arn]
    return "{}"


def apply() -> None:
    for handler in (
        create_event_data_store,
        list_event_data_stores,
        get_event_data_store,
        delete_event_data_store,
    ):
        setattr(CloudTrailResponse, handler.__name__, handler)
