"""Who may do what: the groups and their checks (permissions.py), the recent-password
rail (reauth.py), the request-wide rules (middleware.py), sign-in lock-out
(lockout.py), single sign-on (oidc.py) and the sign-in events' audit (signals.py)."""
