"""The REST API (/api/v1/): the same reads as the pages, and the same rails for writes.

Every write calls the service the web form calls (roles/deletion/service.py,
roles/approval/__init__.py, roles/inventory/sync/service.py, roles/campaigns/service.py), after the
same permission check (roles/access/permissions.py), so nothing the pages refuse can be
done here. What differs is how a person proves who they are: a personal token
(roles/api/models.py) or the browser's session (roles/api/auth.py).
"""
