"""AWS Organizations: connect one, discover its accounts, enroll them by a rule, pause
those it no longer lists as active (discovery.py)."""
