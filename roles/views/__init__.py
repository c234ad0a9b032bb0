"""Views, one module per feature (overview, auth, ...)."""
