def nav(request):
    """Values the base template's navigation needs on every page."""
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        from roles.notifications.models import Notification

        unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    from django.conf import settings

    return {
        "nav_active": match.url_name if match else "",
        "unread_notifications": unread,
        "oidc_enabled": settings.ROLECALL_OIDC,
    }
