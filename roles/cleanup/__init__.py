"""Removing what keeps a service-linked role in use: plan (dry run), approval, execution."""
