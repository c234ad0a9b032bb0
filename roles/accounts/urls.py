from django.urls import path

from roles.accounts import views

urlpatterns = [
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/add/", views.account_add, name="account-add"),
    path("accounts/<int:pk>/", views.account_detail, name="account-detail"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="account-edit"),
    path("accounts/<int:pk>/test/", views.account_test, name="account-test"),
    path("accounts/<int:pk>/refresh/", views.account_refresh, name="account-refresh"),
]
