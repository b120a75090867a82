"""The shop's packages are layered: no two packages of storefront/ import each other, directly
or through a longer loop, and the live shop never imports the static build (storefront.build
renders through the shop, so it depends on the shop and not the other way round).

Imports inside functions count as much as those at the top of a module: a lazy import that
dodges a cycle is still a cycle. A package is a folder of storefront/ (storefront.orders,
storefront.build ...); the modules at the root of storefront/ (money.py, timeutil.py ...) are not
yet packages of their own (issue 19 gives them rooms), so they are not nodes of the graph.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

STOREFRONT = Path(__file__).resolve().parent.parent / "storefront"
# The live shop is every module of storefront/ but these: the static build itself, and the
# command line (storefront/cli.py), which adds the `storefront build` command.
NOT_THE_LIVE_SHOP = ("storefront/build/", "storefront/cli.py")

Graph = dict[str, dict[str, set[str]]]  # package -> package it imports -> modules that do


def module_of(path: Path) -> str:
    parts = path.relative_to(STOREFRONT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path) -> set[str]:
    """Every module a file imports (and every name it imports from one), anywhere in it."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package of this module, `level - 1` up
                package = module_of(path).split(".")[:-1 if path.name != "__init__.py" else None]
                base = ".".join([*package[:len(package) - node.level + 1], base]).strip(".")
            names |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
    return names


def package_of(name: str) -> str | None:
    """``orders`` for storefront.orders and everything in it; None for a root module."""
    parts = name.split(".")
    if parts[0] != "storefront" or len(parts) < 2 or not (STOREFRONT / parts[1]).is_dir():
        return None
    return parts[1]


def package_graph() -> Graph:
    graph: Graph = defaultdict(lambda: defaultdict(set))
    for path in STOREFRONT.rglob("*.py"):
        mine = package_of(module_of(path))
        for name in imported_names(path):
            other = package_of(name)
            if mine and other and other != mine:
                graph[mine][other].add(module_of(path))
    return graph


def loop_from(graph: Graph, start: str) -> list[str] | None:
    """The shortest chain of imports from ``start`` back to it, or None."""
    paths = {start: [start]}
    queue = [start]
    while queue:
        package = queue.pop(0)
        for other in sorted(graph.get(package, {})):
            if other == start:
                return [*paths[package], start]
            if other not in paths:
                paths[other] = [*paths[package], other]
                queue.append(other)
    return None


def cycles(graph: Graph) -> list[str]:
    """Each loop of imports between packages, once, with the modules that make each step."""
    found, seen = [], set()
    for package in sorted(graph):
        loop = loop_from(graph, package)
        if loop is None or frozenset(loop) in seen:
            continue
        seen.add(frozenset(loop))
        steps = [f"{a} -> {b} ({', '.join(sorted(graph[a][b]))})" for a, b in zip(loop, loop[1:])]
        found.append(" ; ".join(steps))
    return found


def test_no_package_of_storefront_imports_one_that_imports_it_back():
    assert cycles(package_graph()) == []


def test_the_live_shop_never_imports_the_static_build():
    found = []
    for path in STOREFRONT.rglob("*.py"):
        where = path.relative_to(STOREFRONT.parent).as_posix()
        if where.startswith(NOT_THE_LIVE_SHOP):
            continue
        found += [f"{where} imports {name}" for name in sorted(imported_names(path))
                  if package_of(name) == "build"]
    assert found == []


def test_the_checks_catch_a_loop_direct_or_longer_and_a_lazy_import(tmp_path):
    direct = {"orders": {"payments": {"storefront.orders.views"}},
              "payments": {"orders": {"storefront.payments.settle"}}}
    assert cycles(direct) == ["orders -> payments (storefront.orders.views) ; "
                              "payments -> orders (storefront.payments.settle)"]
    longer = {"a": {"b": {"m"}}, "b": {"c": {"m"}}, "c": {"a": {"m"}}, "d": {"a": {"m"}}}
    assert cycles(longer) == ["a -> b (m) ; b -> c (m) ; c -> a (m)"]
    assert cycles({"a": {"b": {"m"}}, "b": {"c": {"m"}}}) == []
    lazy = tmp_path / "lazy.py"
    lazy.write_text("def f():\n    from storefront.build import site\n")
    assert "storefront.build.site" in imported_names(lazy) and package_of(
        "storefront.build.site") == "build"


def test_a_process_loads_the_queue_numpy_and_pygal_only_when_it_uses_them(tmp_path):
    """Start-up is paid by every web worker and every command: what only the worker, the
    insights refresh or a chart page needs is imported when they run, not when the shop
    starts."""
    script = ("import sys; from storefront import create_app; "
              f"app = create_app({{'SECRET_KEY': 'x' * 40, 'WORKER_QUEUE': "
              f"'sqlite:///{tmp_path}/queue.sqlite3', 'SQLALCHEMY_DATABASE_URI': "
              f"'sqlite:///{tmp_path}/shop.sqlite3'}}, instance_path='{tmp_path}'); "
              "print(sorted(m for m in ('huey', 'numpy', 'pygal', 'redis', 'scipy') "
              "if m in sys.modules))")
    started = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             cwd=STOREFRONT.parent, timeout=120, check=True)
    assert started.stdout.strip() == "[]"
