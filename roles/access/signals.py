"""Sign-in events. Django announces them as signals carrying the request."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from roles.audit.models import AuditEvent, Outcome


@receiver(user_logged_in, dispatch_uid="rolecall.audit.login")
def _logged_in(sender, request, user, **kwargs):
    from roles.access.reauth import mark_authenticated

    mark_authenticated(request)
    AuditEvent.objects.record("auth.login", actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="rolecall.audit.logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        reason = getattr(request, "rolecall_logout_reason", None)
        details = {"reason": reason} if reason else {}
        AuditEvent.objects.record("auth.logout", actor=user, request=request, details=details)


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


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    AuditEvent.objects.record(
        "auth.locked_out",
        actor_name=str(username or "(blank)"),
        outcome=Outcome.DENIED,
        request=request,
        details={"username": str(username or "")},
    )


def connect_lockout() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="rolecall.audit.locked_out")
