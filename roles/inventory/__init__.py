"""What rolecall knows of the roles: the sync that reads them (sync/), the readiness
verdict and the rules behind it (readiness.py, rules.py), the protected list
(protection.py), the per-account counts (summary.py), the search, the role list and
a role's page."""
