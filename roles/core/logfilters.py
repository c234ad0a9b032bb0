"""Logging filters named in settings.LOGGING."""

from __future__ import annotations

import logging


class OneLineClientErrors(logging.Filter):
    """django.request logs a refusal (PermissionDenied, BadRequest) with the
    exception's traceback: one line per 403 or 400 is enough, since the reason is
    ours (roles/access/permissions.py writes the audit event) and no code failed.

    Server errors (5xx) keep their traceback. Attached to the django.request
    logger in settings.LOGGING.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500 and record.exc_info:
            reason = record.exc_info[1]
            if reason is not None and str(reason):
                record.msg = f"{record.msg} (%s)"
                record.args = (*record.args, str(reason).encode("unicode_escape").decode())
            record.exc_info = None
            record.exc_text = None
        return True
