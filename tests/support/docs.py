"""The README and the pages under docs/, as the tests that run what they show read them.

The README is the front door; each topic has its page under docs/ (docs/api.md,
docs/notifications.md, docs/performance.md, ...), and a test reads the page where the
text it runs lives."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"


def doc_path(name: str) -> Path:
    """README.md for "README.md", else docs/<name> ("api.md")."""
    path = README if name == "README.md" else DOCS / name
    assert path.is_file(), f"no such page: {path.relative_to(ROOT)}"
    return path


def doc_text(name: str) -> str:
    """The text of README.md or of docs/<name>."""
    return doc_path(name).read_text()


def doc_pages() -> list[Path]:
    """README.md, then every docs/*.md in name order."""
    return [README, *sorted(DOCS.glob("*.md"))]


def all_docs_text() -> str:
    """The README and every docs page, one after the other."""
    return "\n".join(path.read_text() for path in doc_pages())
