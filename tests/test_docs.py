"""The README stays a front door, and the docs point at what exists: every relative link
in README.md and docs/*.md resolves to a file or folder of the repository, and so does
every repository path they show in backticks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.docs import README, ROOT, doc_pages

README_MAX_LINES = 250
FENCED = re.compile(r"^```.*?^```[ \t]*$", flags=re.S | re.M)
INLINE_CODE = re.compile(r"`([^`\n]+)`")
# [text](target) and ![alt](target), with an optional "title".
LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", flags=re.I)
REPO_PATH = re.compile(
    r"(?:roles|tests|scripts|bench|deploy|emulator|dashboard|docs|templates)/"
    r"[\w.@+-]*(?:/[\w.@+-]*)*(?:\.py|\.md|\.html|\.yaml|\.yml|\.txt|/)"
)
PAGES = doc_pages()


def page_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def prose(path: Path) -> str:
    """The page without its fenced code blocks (their text is code, not links)."""
    return FENCED.sub("", path.read_text())


def links(path: Path) -> list[str]:
    """The targets of the page's relative links, without their #anchor."""
    text = INLINE_CODE.sub("", prose(path))
    targets = [target for target in LINK.findall(text) if not EXTERNAL.match(target)]
    return [target.split("#", 1)[0] for target in targets]


def repo_paths(path: Path) -> list[str]:
    """Repository paths the page shows in backticks (a file, or a folder ending in /)."""
    return [
        token
        for code in INLINE_CODE.findall(prose(path))
        for token in code.split()
        if REPO_PATH.fullmatch(token)
    ]


def test_the_readme_is_a_front_door():
    lines = README.read_text().splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines; move a topic to docs/ (at most {README_MAX_LINES})"
    )


def test_the_readme_links_every_docs_page():
    linked = {(ROOT / target).resolve() for target in links(README)}
    unlinked = [page_id(page) for page in PAGES[1:] if page.resolve() not in linked]
    assert not unlinked, f"README.md links no page of: {unlinked}"


def test_the_pages_are_found():
    names = {page_id(path) for path in PAGES}
    assert {"README.md", "docs/api.md", "docs/development.md"} <= names, names


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_relative_links_resolve(page):
    missing = []
    for target in links(page):
        resolved = (page.parent / target).resolve() if target else page
        if not (resolved.is_relative_to(ROOT) and resolved.exists()):
            missing.append(target)
    assert not missing, f"{page_id(page)} links to what does not exist: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_backticked_repo_paths_exist(page):
    missing = sorted({found for found in repo_paths(page) if not (ROOT / found).exists()})
    assert not missing, f"{page_id(page)} names paths that do not exist: {missing}"
