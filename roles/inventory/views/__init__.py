"""The inventory's pages: the role list and a role's page (roles.py), a role's ECS
clusters (resources.py), refresh buttons and their progress (syncs.py)."""
