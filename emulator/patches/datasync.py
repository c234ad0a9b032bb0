"""Patches to moto's DataSync.

- moto writes every location's and task's ARN in one fixed account (111222333444); AWS
  writes the account that owns it (``arn:aws:datasync:<region>:<account>:task/task-...``),
  which RoleUsageList names. The ARN is rewritten in the backend's account.
- moto has no agents and no ListAgents. An agent is activated from an appliance the
  emulator cannot run, so there is none to list: ListAgents answers an empty list.
"""

from __future__ import annotations

import json
from functools import wraps

from moto.datasync.models import DataSyncBackend
from moto.datasync.responses import DataSyncResponse

MOTO_ACCOUNT = ":111222333444:"
_ORIGINALS: dict[str, object] = {}


def _in_account(original, store: str):
    @wraps(original)
    def create(self: DataSyncBackend, *args, **kwargs) -> str:
        arn = original(self, *args, **kwargs)
        items = getattr(self, store)
        item = items.pop(arn)
        item.arn = arn.replace(MOTO_ACCOUNT, f":{self.account_id}:", 1)
        items[item.arn] = item
        return item.arn

    return create


def list_agents(self: DataSyncResponse) -> str:
    return json.dumps({"Agents": []})


def apply() -> None:
    if _ORIGINALS:
        return
    for method, store in (("create_location", "locations"), ("create_task", "tasks")):
        _ORIGINALS[method] = getattr(DataSyncBackend, method)
        setattr(DataSyncBackend, method, _in_account(_ORIGINALS[method], store))
    DataSyncResponse.list_agents = list_agents
