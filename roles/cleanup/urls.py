from django.urls import path, re_path

from roles.cleanup import views

# Approve and reject: roles/approval/urls.py, for every registered kind.
urlpatterns = [
    path("roles/<int:pk>/cleanup/", views.plan_cleanup, name="role-cleanup"),
    path("roles/<int:pk>/cleanup-steps/", views.cleanup_steps, name="role-cleanup-steps"),
    re_path(
        r"^roles/(?P<pk>\d+)/cleanup-steps\.(?P<fmt>csv|json)$",
        views.cleanup_steps,
        name="role-cleanup-steps-export",
    ),
    path("cleanups/<int:pk>/", views.cleanup_detail, name="cleanup-detail"),
    path("cleanups/<int:pk>/steps/", views.plan_steps, name="cleanup-steps"),
    path("cleanups/<int:pk>/execute/", views.execute, name="cleanup-execute"),
]
