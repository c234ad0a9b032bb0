"""Retirement campaigns (roles/campaigns/models.py): draft, approve, run, report."""
