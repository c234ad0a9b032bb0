"""What every feature stands on: the Account model (and the one check before anything
in one is changed), the querysets every change shares, and the registry of changes
that bind an account while they run (inflight.py)."""
