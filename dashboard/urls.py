from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from roles.views import audit, pages

urlpatterns = [
    path("", pages.overview, name="overview"),
    path("accounts/", pages.accounts, name="accounts"),
    path("roles/", pages.roles, name="roles"),
    path("deletions/", pages.deletions, name="deletions"),
    path("notifications/", pages.notifications, name="notifications"),
    path("audit/", audit.audit_list, name="audit"),
    re_path(r"^audit/export\.(?P<fmt>csv|jsonl)$", audit.audit_export, name="audit-export"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
