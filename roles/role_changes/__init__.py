"""Changes made directly, with no approval: a role's description, a new service-linked
role. The page queues a RoleChange (service.py), the worker makes it (worker.py)."""
