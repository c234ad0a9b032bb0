from django.urls import path, re_path

from roles.campaigns import views

# Approve and reject: roles/approval/urls.py, for every registered kind.
urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign-new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign-detail"),
    *[
        path(
            f"campaigns/<int:pk>/{action}/",
            views.campaign_act,
            {"action": action},
            name=f"campaign-{action}",
        )
        for action in ("remove", "submit", "pause", "resume", "discard")
    ],
    re_path(
        r"^campaigns/(?P<pk>[0-9]+)/(?P<what>plan|report)\.(?P<fmt>csv|json)$",
        views.campaign_export,
        name="campaign-export",
    ),
]
