"""The shape of roles/: feature packages with few modules left at the top, no import
circles (lazy imports included), no file over 400 lines, no function over 60, and
roles/aws/ the only package that imports boto3 or botocore. The layers between the
packages are import-linter's (pyproject.toml; `make lint`, CI)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "roles"
MAX_LINES = 400
MAX_FUNCTION_LINES = 60
# The app's own modules at the top of roles/: __init__, apps, models (the hub Django
# loads) and admin. Everything else lives in a package.
MAX_TOP_MODULES = 8


def _sources() -> dict[str, Path]:
    """Module name -> file, for every module under roles/ but its migrations."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _imported(path: Path, module: str, is_package: bool) -> list[str]:
    """Every module name an import statement anywhere in the file names, functions and
    methods included: a lazy import still makes a circle, just a later one."""
    names = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            names.append(origin)
            names += [f"{origin}.{alias.name}" for alias in node.names]
    return names


def import_graph() -> dict[str, set[str]]:
    """Module -> the roles modules it imports (the most specific existing name of each)."""
    modules = _sources()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        targets = set()
        for name in _imported(path, module, is_package):
            # `from roles.a import b` imports roles.a.b if b is a module, else roles.a.
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each import circle once (strongly connected components of more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles_under_roles():
    assert circles(import_graph()) == []


def test_the_circle_finder_sees_lazy_and_relative_imports(tmp_path):
    source = tmp_path / "worker.py"
    source.write_text(
        "def step():\n"
        "    from roles.jobs import publish\n"
        "    from .kind import send\n"
        "    import roles.jobs.sweeper\n"
    )
    assert _imported(source, "roles.deletion.worker", False) == [
        "roles.jobs",
        "roles.jobs.publish",
        "roles.deletion.kind",
        "roles.deletion.kind.send",
        "roles.jobs.sweeper",
    ]
    graph = {
        "roles.a": {"roles.b"},
        "roles.b": {"roles.c"},
        "roles.c": {"roles.a"},
        "roles.d": set(),
    }
    assert circles(graph) == [["roles.a", "roles.b", "roles.c"]]


def test_no_file_under_roles_is_over_400_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in _sources().values()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_only_roles_aws_imports_boto3_or_botocore():
    importers = sorted(
        module
        for module, path in _sources().items()
        if not module.startswith("roles.aws")
        and any(
            name.split(".")[0] in ("boto3", "botocore")
            for name in _imported(path, module, path.name == "__init__.py")
        )
    )
    assert importers == []


def test_no_function_under_roles_is_over_60_lines():
    long = {}
    for module, path in _sources().items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                if node.end_lineno - first + 1 > MAX_FUNCTION_LINES:
                    long[f"{module}.{node.name}"] = node.end_lineno - first + 1
    assert long == {}


def test_roles_holds_packages_with_few_modules_at_its_top():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    assert {"aws", "core", "web", "jobs", "audit", "access", "notifications"} <= set(packages)
    assert {"approval", "inventory", "accounts", "organizations", "deletion"} <= set(packages)
    assert {"cleanup", "role_changes", "campaigns", "api", "ui"} <= set(packages)


def test_import_linter_names_every_package_in_its_layers():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")
    named = {part.strip() for layer in layers["layers"] for part in layer.split("|")}
    children = {
        p.stem if p.suffix == ".py" else p.name
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    assert children - set(layers["exhaustive_ignores"]) == named
    independent = next(c for c in config["contracts"] if c["type"] == "independence")
    assert independent["modules"] == ["roles.deletion", "roles.cleanup", "roles.role_changes"]
