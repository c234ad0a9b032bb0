"""What every page shares and no feature owns: query parameters (params.py), keyset
pages (keyset.py), exports (exports.py), the typed confirmation (forms.py), the
account chooser (choosers.py), SVG geometry (svg.py), text made visible (text.py)
and the builtin template tags (templatetags.py)."""
