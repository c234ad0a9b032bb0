"""Patches to moto's AppRegistry (Service Catalog AppRegistry).

- moto has no DeleteApplication, the call the AppRegistry guide ends its clean-up with
  ("Then you can delete the applications"): ``DELETE /applications/{application}``,
  the application named by its name, ID or ARN, answering its summary.
- moto writes an application's ARN ``...:applications/<id>``; AWS writes
  ``...:/applications/<id>`` (the API model's ApplicationArn pattern,
  ``arn:aws[-a-z]*:servicecatalog:<region>:<account>:/applications/[a-z0-9]+``).
"""

from __future__ import annotations

import json
from functools import wraps
from urllib.parse import unquote

from moto.servicecatalogappregistry import urls
from moto.servicecatalogappregistry.models import Application
from moto.servicecatalogappregistry.responses import AppRegistryResponse

APPLICATION_PATH = "{0}/applications/(?P<application>[^/]+)$"
SUMMARY = ("id", "arn", "name", "description", "creationTime", "lastUpdateTime")
_ORIGINALS: dict[str, object] = {}


def _init(original):
    @wraps(original)
    def init(self: Application, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        self.arn = self.arn.replace(":applications/", ":/applications/", 1)
        self.applicationTag = {"awsApplication": self.arn}

    return init


def delete_application(self: AppRegistryResponse) -> str:
    app = self._find_app_by_any_value(unquote(self._get_param("application")))
    del self.servicecatalogappregistry_backend.applications[app.arn]
    summary = {key: value for key, value in app.to_json().items() if key in SUMMARY}
    return json.dumps({"application": summary})


def apply() -> None:
    if _ORIGINALS:
        return
    _ORIGINALS["__init__"] = Application.__init__
    Application.__init__ = _init(Application.__init__)
    AppRegistryResponse.delete_application = delete_application
    urls.url_paths.setdefault(APPLICATION_PATH, AppRegistryResponse.dispatch)
