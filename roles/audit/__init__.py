"""Audit history helpers: the hash chain, request metadata, filters, export."""
