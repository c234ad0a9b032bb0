"""The notifications' pages: the signed-in user's list (inbox.py), where each kind goes
(preferences.py), and the team's webhooks (webhooks.py)."""
