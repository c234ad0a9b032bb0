"""Sync: read one account's SLRs and ECS inventory from AWS and store them.

collect.py talks to AWS (through roles/aws/) and returns a snapshot;
store.py writes a snapshot atomically; service.py starts and runs syncs for
views and Celery tasks.
"""
