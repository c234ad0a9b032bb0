"""The SQLite pass (`.ci/run`) runs the tests marked `engine`: the ones whose outcome can
depend on the database engine. Every module that defines models or reaches the
database's own features (row locks, raw SQL, a cursor) must be exercised by one of
them, so the second engine never goes untested where it can differ."""

from __future__ import annotations

import ast
import re
from importlib import import_module
from pathlib import Path
from types import ModuleType

from django.urls import URLResolver, get_resolver

ROOT = Path(__file__).resolve().parents[1]
ENGINE_FEATURES = re.compile(r"select_for_update\(|\.raw\(|\.cursor\(|\.extra\(|RawSQL\(")
ENGINE_MARK = re.compile(r"pytest\.mark\.engine\b")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def needing_engine_tests() -> set[str]:
    """roles/ modules that define models or use an engine's own features."""
    found = set()
    for path in ROOT.joinpath("roles").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        if ENGINE_FEATURES.search(text) or re.search(r"\(models\.Model\)", text):
            found.add(_module(path))
    return found


def engine_test_modules() -> list[Path]:
    return sorted(
        p for p in ROOT.joinpath("tests").rglob("test_*.py") if ENGINE_MARK.search(p.read_text())
    )


def _where(value) -> set[str]:
    """The module a value comes from; for a class, every module of its bases too (an
    inherited method runs as the class's own)."""
    if isinstance(value, ModuleType):
        return {value.__name__}
    if isinstance(value, type):
        return {klass.__module__ for klass in value.__mro__}
    module = getattr(value, "__module__", None)
    return {module} if module else set()


def imported(path: Path) -> set[str]:
    """The roles/ modules a module imports, or a name from; the management commands it
    calls; and the tests/support/ helpers it imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(("roles", "tests.")):
            source = import_module(node.module)
            found.add(source.__name__)
            for alias in node.names:
                value = getattr(source, alias.name, None)
                if value is None:
                    value = import_module(f"{node.module}.{alias.name}")
                found |= _where(value)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("roles")}
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name, called = node.args[0].value, getattr(node.func, "id", "")
            if called == "call_command":
                found.add(f"roles.management.commands.{name}")
            elif called == "reverse" and name in VIEWS:
                found.add(VIEWS[name])
    return found


def _views(patterns, prefix="") -> dict[str, str]:
    """URL name -> the module of its view (a page a test requests runs its view)."""
    found = {}
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found |= _views(entry.url_patterns)
        elif entry.name:
            view = getattr(entry.callback, "view_class", entry.callback)
            found[entry.name] = getattr(view, "__module__", "")
    return found


VIEWS = _views(get_resolver().url_patterns)


def _file(module: str) -> Path:
    base = ROOT.joinpath(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def _feature(module: str) -> str:
    return ".".join(module.split(".")[:2])


def reached(path: Path) -> set[str]:
    """The roles/ modules an engine test runs: those it imports, those the test helpers
    it imports (tests/support/) import, and, within each one's own feature, the modules
    they import in turn (a feature's steps run its helpers)."""
    found = imported(path)
    for helper in [m for m in found if m.startswith("tests.support")]:
        found |= imported(_file(helper))
    todo = [m for m in found if m.startswith("roles")]
    while todo:
        module = todo.pop()
        for other in imported(_file(module)):
            if other.startswith("roles") and _feature(other) == _feature(module):
                if other not in found:
                    found.add(other)
                    todo.append(other)
    return {name for name in found if name.startswith("roles")}


def test_every_module_an_engine_can_change_has_engine_marked_tests():
    covered = set().union(*(reached(path) for path in engine_test_modules()))
    assert needing_engine_tests() - covered == set()


def test_the_check_sees_what_it_must():
    needing = needing_engine_tests()
    assert {"roles.deletion.worker", "roles.audit.models", "roles.jobs"} <= needing
    assert "roles.web.params" not in needing
    assert len(engine_test_modules()) >= 30
