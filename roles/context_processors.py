def nav(request):
    """Values the base template's navigation needs on every page."""
    match = getattr(request, "resolver_match", None)
    return {"nav_active": match.url_name if match else ""}
