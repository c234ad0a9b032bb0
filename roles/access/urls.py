"""Signing in and out, re-authentication, and (when configured) single sign-on."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from roles.access import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("reauth/", views.reauth, name="reauth"),
]

if settings.ROLECALL_OIDC:
    from mozilla_django_oidc.views import (
        OIDCAuthenticationCallbackView,
        OIDCAuthenticationRequestView,
    )

    urlpatterns += [
        path(
            "oidc/authenticate/",
            login_not_required(OIDCAuthenticationRequestView.as_view()),
            name="oidc_authentication_init",
        ),
        path(
            "oidc/callback/",
            login_not_required(OIDCAuthenticationCallbackView.as_view()),
            name="oidc_authentication_callback",
        ),
    ]
