from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from roles.views import pages

urlpatterns = [
    path("", pages.overview, name="overview"),
    path("accounts/", pages.accounts, name="accounts"),
    path("roles/", pages.roles, name="roles"),
    path("deletions/", pages.deletions, name="deletions"),
    path("notifications/", pages.notifications, name="notifications"),
    path("audit/", pages.audit, name="audit"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
