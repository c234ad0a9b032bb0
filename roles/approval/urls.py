"""Approve and reject for every registered kind of approved change:
"<path>/<pk>/approve/" and ".../reject/", named "<prefix>-approve" and "<prefix>-reject".
Read once the features have registered (the URLconf loads after the app is ready)."""

from django.urls import path

from roles import approval
from roles.approval import views

urlpatterns = [
    path(
        f"{kind.path}/<int:pk>/{verb}/",
        views.decide,
        {"kind": kind.prefix, "approve": verb == "approve"},
        name=f"{kind.prefix}-{verb}",
    )
    for kind in approval.kinds().values()
    for verb in ("approve", "reject")
]
