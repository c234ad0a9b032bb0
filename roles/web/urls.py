from django.urls import path

from roles.web import choosers

urlpatterns = [
    path("accounts/choose/", choosers.account_choose, name="account-choose"),
]
