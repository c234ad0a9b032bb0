"""Retirement campaigns (roles/models/campaigns.py): draft, approve, run, report."""
