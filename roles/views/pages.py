"""Top-level pages. Each later feature replaces its placeholder with a module
of its own (roles/views/accounts.py, roles/views/deletions.py, ...)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from roles.models import HealthPing


def overview(request: HttpRequest) -> HttpResponse:
    ctx = {"last_ping": HealthPing.objects.first()}
    return render(request, "roles/overview.html", ctx)


def _placeholder(title: str, text: str):
    def view(request: HttpRequest) -> HttpResponse:
        return render(request, "roles/placeholder.html", {"title": title, "text": text})

    view.__name__ = title.lower()
    return view


accounts = _placeholder("Accounts", "No AWS accounts are configured yet.")
roles = _placeholder("Roles", "No service-linked roles have been synced yet.")
deletions = _placeholder("Deletions", "No deletion requests yet.")
notifications = _placeholder("Notifications", "You have no notifications.")
