from django.urls import path, re_path

from roles.inventory.views import resources, roles, syncs

urlpatterns = [
    path("refresh/", syncs.refresh_all, name="refresh-all"),
    path("syncs/status/", syncs.sync_status, name="sync-status"),
    path("roles/", roles.role_list, name="roles"),
    re_path(r"^roles/export\.(?P<fmt>csv|json)$", roles.role_export, name="role-export"),
    path("roles/<int:pk>/", roles.role_detail, name="role-detail"),
    path("roles/<int:pk>/refresh/", roles.role_refresh, name="role-refresh"),
    path("roles/<int:pk>/clusters/", resources.role_clusters, name="role-clusters"),
    *[
        path(
            f"clusters/<int:pk>/{kind}/",
            resources.cluster_resources,
            {"kind": kind},
            name=f"cluster-{kind}",
        )
        for kind in ("services", "instances")
    ],
]
