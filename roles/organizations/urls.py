from django.urls import path

from roles.organizations import views

urlpatterns = [
    path("organizations/", views.organization_list, name="organizations"),
    path("organizations/add/", views.organization_add, name="organization-add"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization-detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization-edit"),
    path(
        "organizations/<int:pk>/discover/",
        views.organization_discover,
        name="organization-discover",
    ),
]
