"""Which way the imports of the product code point (DESIGN.md, "Which way dependencies point").

The graph is read from the source with ``ast``, not by importing it: every ``import`` counts, at the top of a
module, inside a function or under ``TYPE_CHECKING``, since a local import hides an arrow without removing
it. Migrations are left out: they are frozen history that must keep importing what existed when they were
written.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ("core", "passports", "lca", "exporters", "config")
#: The apps each app may import besides itself: the arrows point down, config -> exporters -> lca -> passports -> core.
ALLOWED: dict[str, frozenset[str]] = {
    "config": frozenset(APPS),
    "exporters": frozenset({"lca", "passports", "core"}),
    "lca": frozenset({"passports", "core"}),
    "passports": frozenset({"core"}),
    "core": frozenset(),
}
#: A module with one of these among its dotted parts serves requests (pages, API); only such modules and
#: ``config`` (which routes to them) may import one.
FRONT_PARTS = frozenset({"web", "api"})


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _product_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[_module_name(path)] = path
    return modules


def _imported_names(module: str, path: Path) -> Iterator[str]:
    """Every dotted name an import statement anywhere in the module may refer to (relative ones resolved)."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target
            yield from (f"{target}.{alias.name}" for alias in node.names)


def _import_graph() -> dict[str, set[str]]:
    modules = _product_modules()
    return {
        module: {name for name in _imported_names(module, path) if name in modules and name != module}
        for module, path in modules.items()
    }


GRAPH = _import_graph()


def _app(module: str) -> str:
    return module.split(".", maxsplit=1)[0]


def _is_front(module: str) -> bool:
    return not FRONT_PARTS.isdisjoint(module.split("."))


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_is_read_from_every_app() -> None:
    # A guard for the guard: an empty or partial graph would pass every rule below.
    assert {_app(module) for module in GRAPH} == set(APPS)
    assert "passports.models" in GRAPH["passports.audit"]


@pytest.mark.parametrize("app", [app for app in APPS if app != "config"])
def test_an_app_imports_only_the_apps_below_it(app: str) -> None:
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        if _app(module) == app
        for target in targets
        if _app(target) != app and _app(target) not in ALLOWED[app]
    )
    assert wrong == [], f"{app} may import only {sorted(ALLOWED[app]) or 'no app'}"


def test_only_web_and_api_modules_import_web_and_api_modules() -> None:
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        if _app(module) != "config" and not _is_front(module)
        for target in targets
        if _is_front(target)
    )
    assert wrong == []


def test_there_are_no_import_circles() -> None:
    assert _cycles(GRAPH) == []


def test_the_cycle_finder_finds_a_circle_and_only_the_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]
