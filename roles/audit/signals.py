"""Sign-in events. Django announces them as signals carrying the request."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from roles.models import AuditEvent, Outcome


@receiver(user_logged_in, dispatch_uid="rolecall.audit.login")
def _logged_in(sender, request, user, **kwargs):
    AuditEvent.objects.record("auth.login", actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="rolecall.audit.logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        AuditEvent.objects.record("auth.logout", actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="rolecall.audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # The attempted username is untrusted text: stored as data, rendered escaped.
    attempted = str(credentials.get("username", ""))
    AuditEvent.objects.record(
        "auth.login_failed",
        actor_name=attempted or "(blank)",
        outcome=Outcome.FAILURE,
        request=request,
        details={"username": attempted},
    )
