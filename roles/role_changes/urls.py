from django.urls import path

from roles.role_changes import views

urlpatterns = [
    path("roles/create/", views.create_role, name="role-create"),
    path("roles/<int:pk>/description/", views.edit_description, name="role-description"),
]
