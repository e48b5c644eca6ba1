"""The layers of STYLE.md, read from the source: the sandbox and the exercises know nothing of
Django or of the web apps, and no chain of imports leads from an app back to itself through
another app or the grader. Every import counts, also one inside a function."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

PURE_PACKAGES = ("grader", "exercises")
PROJECT_PACKAGES = ("dlquiz", "grader", "exercises")


def python_files(package: str) -> Iterator[Path]:
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            yield node.lineno, prefix
            # `from pkg import module` imports pkg.module when that is a module.
            for alias in node.names:
                yield node.lineno, f"{prefix}.{alias.name}"


def project_graph() -> dict[str, set[str]]:
    modules = {
        module_name(path): path for package in PROJECT_PACKAGES for path in python_files(package)
    }
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for _, imported in imported_names(path):
            if imported in modules and imported != name:
                graph[name].add(imported)
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm; the components with more than one module are the import cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [component for component in components if len(component) > 1]


def test_grader_and_exercises_import_no_django_and_no_web_app():
    """The sandbox core and the exercise packages are plain Python (STYLE.md §7)."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for package in PURE_PACKAGES
        for path in python_files(package)
        for line, name in imported_names(path)
        if name.split(".")[0] in {"django", "rest_framework", "celery", "dlquiz"}
    ]
    assert offenders == []


def unit(module: str) -> str:
    """What a cycle must not span: one dlquiz app (dlquiz.coding, ...), grader, exercises."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "dlquiz" else parts[0]


def test_no_import_cycle_between_apps_or_between_an_app_and_the_grader():
    """dlquiz depends on grader and exercises, never the reverse, and apps import each other one
    way (every app -> core, coding -> accounts, ...)."""
    cycles = [
        sorted(component)
        for component in strongly_connected(project_graph())
        if len({unit(name) for name in component}) > 1
    ]
    assert cycles == []


def test_the_coding_apps_grading_modules_form_no_cycle():
    """The Celery adapters, the grading services and the submission services import one way
    (tasks -> grading -> services), so none needs a lazy import to load."""
    cycles = [
        sorted(component)
        for component in strongly_connected(project_graph())
        if any(unit(name) == "dlquiz.coding" for name in component)
    ]
    assert cycles == []


def test_the_checker_sees_imports_inside_functions():
    """The walk reaches an import nested in a function, the way lazy imports are written."""
    graph = project_graph()
    assert "grader.grading" in graph["dlquiz.coding.grading"]
