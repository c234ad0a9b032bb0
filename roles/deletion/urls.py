from django.urls import path

from roles.deletion import views

# Approve and reject: roles/approval/urls.py, for every registered kind.
urlpatterns = [
    path("roles/<int:pk>/delete/", views.confirm, name="role-delete"),
    path("deletions/<int:pk>/", views.deletion_detail, name="deletion-detail"),
    path("deletions/<int:pk>/retry/", views.retry, name="deletion-retry"),
]
