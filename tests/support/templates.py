"""Every template file the project ships: the shared folder and each feature's own
(settings.TEMPLATES DIRS), as (name the loader knows it by, path)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def template_files() -> list[tuple[str, Path]]:
    found = []
    for folder in settings.TEMPLATES[0]["DIRS"]:
        folder = Path(folder)
        found += [(p.relative_to(folder).as_posix(), p) for p in folder.rglob("*.html")]
    return sorted(found)
