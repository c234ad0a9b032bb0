"""Patches to moto's AWS Network Manager: global networks that can be deleted, with
their ARN in AWS's form.

- moto creates and lists global networks but has no DeleteGlobalNetwork, so
  AWSServiceRoleForNetworkManager, which AWS frees "only after you delete your global
  network" (emulator/linked/networkmanager.py), could never go. Here a deleted global
  network is gone at once, with its sites, links and devices, and the answer reports it
  DELETING, as AWS's does while it finishes.
- moto's global network ARN leaves out the empty Region field
  (``arn:aws:networkmanager:<account>:global-network/<id>``); AWS's form is
  ``arn:${Partition}:networkmanager::${Account}:global-network/${GlobalNetworkId}``.
"""

from __future__ import annotations

from functools import wraps

from moto.core.responses import ActionResult
from moto.networkmanager import responses
from moto.networkmanager.exceptions import ResourceNotFound
from moto.networkmanager.models import GlobalNetwork, NetworkManagerBackend
from moto.networkmanager.responses import NetworkManagerResponse

_ORIGINALS: dict[str, object] = {}


def delete(backend: NetworkManagerBackend, global_network_id: str):
    network = backend.global_networks.pop(global_network_id, None)
    if network is None:
        raise ResourceNotFound(global_network_id)
    for resources in (backend.sites, backend.links, backend.devices):
        resources.pop(global_network_id, None)
    network.state = "DELETING"
    return network


def delete_global_network(self: NetworkManagerResponse) -> ActionResult:
    network = delete(self.networkmanager_backend, self._get_param("GlobalNetworkId"))
    return ActionResult({"GlobalNetwork": responses._global_network(network)})


def _with_arn(original):
    @wraps(original)
    def init(self: GlobalNetwork, account_id: str, partition: str, *args, **kwargs) -> None:
        original(self, account_id, partition, *args, **kwargs)
        self.global_network_arn = (
            f"arn:{partition}:networkmanager::{account_id}:global-network/{self.global_network_id}"
        )

    return init


def apply() -> None:
    if "init" in _ORIGINALS:
        return
    _ORIGINALS["init"] = GlobalNetwork.__init__
    GlobalNetwork.__init__ = _with_arn(_ORIGINALS["init"])
    NetworkManagerResponse.delete_global_network = delete_global_network
