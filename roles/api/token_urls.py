"""The pages of each user's API tokens (roles/api/token_pages.py), under Settings."""

from django.urls import path

from roles.api import token_pages

urlpatterns = [
    path("settings/tokens/", token_pages.token_list, name="tokens"),
    path("settings/tokens/<int:pk>/revoke/", token_pages.token_revoke, name="token-revoke"),
    path("settings/tokens/all/", token_pages.token_all, name="tokens-all"),
]
