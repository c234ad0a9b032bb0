"""Start-up checks of the settings that only make sense together: Django system checks
(`manage.py check` reports them, and every management command that runs checks stops
on them), and refuse_to_start() for the processes that run no checks of their own:
the web server (dashboard/wsgi.py) and Celery's workers and beat (dashboard/celery.py).

Each variable alone is parsed strictly in dashboard/settings.py (dashboard/env.py):
malformed, it raises at import. What is checked here is how they agree.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

TIMINGS = (
    "CELERY_BROKER_VISIBILITY_TIMEOUT",
    "CELERY_BROKER_TRANSPORT_OPTIONS",
    "CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS",
    "ROLECALL_POLL_BACKOFF_CAP",
    "CELERY_TASK_TIME_LIMIT",
)


def reliability_problems(values: dict) -> list[str]:
    """Timing settings that would make Redis deliver a task twice or lose track of one.

    On Redis, a message a worker has reserved but not acknowledged (a countdown
    waiting to run, or a task still running with acks_late) is handed to another
    worker once the visibility timeout passes. So every countdown must stay far
    below it, a task must finish well within it, and every place that sets it
    must agree. Checked at start-up (reliability() and refuse_to_start() below);
    tests/test_settings.py calls it too.
    """
    problems = []
    timeout = values["CELERY_BROKER_VISIBILITY_TIMEOUT"]
    found = {
        "CELERY_BROKER_TRANSPORT_OPTIONS": values.get("CELERY_BROKER_TRANSPORT_OPTIONS", {}),
        "CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS": values.get(
            "CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS", {}
        ),
    }
    if "visibility_timeout" not in found["CELERY_BROKER_TRANSPORT_OPTIONS"]:
        problems.append(
            "CELERY_BROKER_TRANSPORT_OPTIONS has no visibility_timeout "
            f"(ROLECALL_VISIBILITY_TIMEOUT={timeout} would not reach the broker)"
        )
    for name, options in found.items():
        other = options.get("visibility_timeout")
        if other is not None and other != timeout:
            problems.append(
                f'{name}["visibility_timeout"]={other} disagrees with '
                f"ROLECALL_VISIBILITY_TIMEOUT={timeout}"
            )
    # The longest countdown a deletion uses is the capped poll backoff
    # (roles/deletion/worker.py backoff); retries of AWS errors use it too. The
    # sweeper's interval and grace are not countdowns (beat sends it, and it
    # sends its tasks at once), so they do not depend on the visibility timeout.
    cap = values["ROLECALL_POLL_BACKOFF_CAP"]
    if cap * 10 > timeout:
        problems.append(
            f"ROLECALL_POLL_BACKOFF_CAP={cap}s is not well below the broker visibility "
            f"timeout ({timeout}s); keep every countdown under a tenth of it"
        )
    if values["CELERY_TASK_TIME_LIMIT"] * 2 > timeout:
        problems.append(
            f"ROLECALL_TASK_TIME_LIMIT={values['CELERY_TASK_TIME_LIMIT']}s is not well below the "
            f"broker visibility timeout ({timeout}s): a task still running would be delivered "
            "to a second worker; keep it under half"
        )
    return problems


def _settings_values() -> dict:
    return {name: getattr(settings, name) for name in TIMINGS if hasattr(settings, name)}


@checks.register("rolecall")
def reliability(app_configs=None, **kwargs) -> list[checks.Error]:
    """Redis's redelivery and the timings that must stay clear of it (rolecall.E001)."""
    return [
        checks.Error(problem, id="rolecall.E001")
        for problem in reliability_problems(_settings_values())
    ]


def refuse_to_start() -> None:
    """Raise ImproperlyConfigured, with every problem, if the timings disagree."""
    problems = reliability_problems(_settings_values())
    if problems:
        raise ImproperlyConfigured("; ".join(problems) + ".")
