"""The catalogue's readers: one module per service, each with `READERS`, a mapping from
service principal to its Reader (roles/aws/listing.py). roles/aws/blockers.py adds
them to its own; docs/catalogue.md says, for each, what the service's guide names.
"""

from __future__ import annotations

import importlib
import pkgutil

from roles.aws.blocker_types import Reader


def collect() -> dict[str, Reader]:
    """Every module's READERS; a principal read twice is a mistake, said at start-up."""
    found: dict[str, Reader] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for principal, reader in module.READERS.items():
            if principal in found:
                raise ValueError(f"{principal} has two readers (roles/aws/readers/{info.name})")
            found[principal] = reader
    return found
