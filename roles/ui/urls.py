"""The surface's own pages: the overview, and the changes under way and done."""

from django.urls import path

from roles.ui import changes, views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("deletions/", changes.deletion_list, name="deletions"),
]
