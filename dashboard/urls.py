"""Every URL: each package's own (roles/<package>/urls.py), the admin, and the REST API.
The paths and names are stable; each package's urls.py holds its own."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path

from roles.api.errors import not_found as api_not_found

# Our own parameter errors (roles/web/params.py) say what was wrong.
handler400 = "roles.web.params.bad_request"

PACKAGES = (
    "ui",
    "web",
    "inventory",
    "accounts",
    "organizations",
    "role_changes",
    "deletion",
    "cleanup",
    "campaigns",
    "approval",
    "notifications",
    "audit",
    "access",
)

urlpatterns = [
    *[path("", include(f"roles.{package}.urls")) for package in PACKAGES],
    path("admin/", admin.site.urls),
    path("", include("roles.api.token_urls")),
    # The REST API (roles/api/): its own authentication, JSON errors, OpenAPI schema.
    path("api/v1/", include("roles.api.urls")),
    path("api/", include([re_path(r"^.*$", login_not_required(api_not_found))])),
]
