"""Patch to moto's ``/moto-api/data.json``: it answers HTTP 500 once an RDS DB instance or
cluster exists.

moto serialises every attribute it can, skipping those that raise AttributeError,
TypeError or ValueError; RDS's write-only properties (the master password, the DB
subnet group name of an instance) raise NotImplementedError, which ends the request.
The demo has RDS resources, so while data.json is built those properties raise
AttributeError instead and are left out.  The server holds ``state.LOCK`` for it.
"""

from __future__ import annotations

from functools import wraps

from moto.moto_api._internal.responses import MotoAPIResponse
from moto.rds.models import DBCluster, DBInstance

WRITE_ONLY = (
    (DBInstance, "master_user_password"),
    (DBInstance, "db_subnet_group_name"),
    (DBCluster, "master_user_password"),
)

_ORIGINALS: dict[str, object] = {}


def _hidden(_self) -> None:
    raise AttributeError("write-only")


def _model_data(original):
    @wraps(original)
    def model_data(self: MotoAPIResponse, *args, **kwargs):
        saved = [(cls, name, cls.__dict__[name]) for cls, name in WRITE_ONLY]
        for cls, name, prop in saved:
            setattr(cls, name, property(_hidden, prop.fset))
        try:
            return original(self, *args, **kwargs)
        finally:
            for cls, name, prop in saved:
                setattr(cls, name, prop)

    return model_data


def apply() -> None:
    if "model_data" in _ORIGINALS:
        return
    _ORIGINALS["model_data"] = MotoAPIResponse.model_data
    MotoAPIResponse.model_data = _model_data(MotoAPIResponse.model_data)
