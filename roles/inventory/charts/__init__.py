"""The inventory's pictures, drawn on the server as inline SVG.

Each module reads what its chart needs in a fixed number of queries (or from what
the page has already read) and returns plain dataclasses with every position worked
out; the templates under templates/charts/ draw them, so every string that came from
AWS (a role, account or region name) passes through Django's autoescaping. Nothing
here is JavaScript or a style attribute: the Content-Security-Policy forbids both,
so colours are classes in static/css/charts.css and patterns are SVG <pattern>s
(templates/charts/_defs.html). Every chart is readable without colour (a pattern
per band or outcome, a shape per verdict) and comes with its numbers as a table.

- dormancy.py: the overview's map of services by accounts (or OUs);
- regions.py: blocking resources per region (a role page; a cleanup plan's,
  roles/cleanup/charts.py).

The geometry they share is roles/web/svg.py; the other features draw their own with
it (roles/accounts/charts.py: an account's recent syncs; roles/deletion/charts.py:
deletion outcomes per week).
"""
