"""Notifications: in the app, by email and by webhook.

notify() (notify.py) writes the in-app rows and calls routing.queue(), which
reads the recipients' routes (roles/notifications/models.py) and writes one Delivery
row per email address and per webhook, in the same transaction; their tasks are
published once it commits. delivery.py sends one row under its lock; email.py and
webhook.py know each channel; address.py keeps webhooks off private networks;
operation.py lets the sweeper send what was lost or is due.
"""
