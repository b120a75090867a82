"""The shop, its plugin contract and its plugins use only the public API of other packages.

A private (underscore) name of Python, Flask, Flask-WTF, itsdangerous, Jinja, pluggy or any
other package can change or vanish in any release, and a reader has to relearn what it does.
This test reads every module with ``ast`` and reports, as ``path: expression``:

- ``X._y`` (or ``X.a._y``) where ``X`` is bound by an import of a module outside the project
  (``import atexit``, ``from flask import current_app``), or is a parameter annotated with
  such a type (``app: Flask``);
- ``getattr(X, "_y")`` with the same ``X``;
- ``from module import _y`` from a module outside the project.

``self._x``, names of the project's own modules and dunders (``__name__``) are not reported.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("storefront", "hooks", "loyalty_plugins")
PROJECT_PACKAGES = frozenset(SCANNED)
# ``flask.g`` is the application's own namespace for a request: the names on it are ours.
OWN_NAMESPACES = frozenset({("flask", "g")})
# Annotations from these modules say nothing about whose object a parameter is.
TYPING_MODULES = frozenset({"typing", "collections.abc", "typing_extensions"})

# Public despite the underscore: Werkzeug's proxies (``current_app``, ``request``) document
# ``_get_current_object()`` as the way to reach the object itself, e.g. to hand the app to a
# thread (Flask's docs, "Notes On Proxies").
PUBLIC_DESPITE_UNDERSCORE = frozenset({"_get_current_object"})

# Each entry: (path from the repository root, the expression as reported) -> why it is allowed.
ALLOWED: dict[tuple[str, str], str] = {}


def _private(name: str) -> bool:
    dunder = name.startswith("__") and name.endswith("__")
    return name.startswith("_") and not dunder and name not in PUBLIC_DESPITE_UNDERSCORE


def _external(module: str | None, level: int) -> bool:
    if level or not module:  # relative imports are the project's own
        return False
    return module.split(".")[0] not in PROJECT_PACKAGES and module != "__future__"


class PrivateUse(ast.NodeVisitor):
    """Collects the private names of other packages one module uses."""

    def __init__(self) -> None:
        self.imported: dict[str, str] = {}  # name bound in the module -> module it came from
        self.scopes: list[set[str]] = [set()]  # names that stand for another package's object
        self.found: list[tuple[int, str]] = []

    def external_names(self) -> set[str]:
        return set().union(*self.scopes)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if _external(alias.name, 0):
                bound = alias.asname or alias.name.split(".")[0]
                self.imported[bound] = alias.name if alias.asname else bound
                self.scopes[0].add(bound)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if not _external(node.module, node.level):
            return
        for alias in node.names:
            if _private(alias.name):
                self.found.append((node.lineno, f"from {node.module} import {alias.name}"))
            if (node.module, alias.name) in OWN_NAMESPACES:
                continue
            bound = alias.asname or alias.name
            self.imported[bound] = node.module
            self.scopes[0].add(bound)

    def _annotated_external(self, annotation: ast.expr | None) -> bool:
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            return (self._annotated_external(annotation.left)
                    or self._annotated_external(annotation.right))
        root = annotation
        while isinstance(root, ast.Attribute):
            root = root.value
        return (isinstance(root, ast.Name) and root.id in self.imported
                and self.imported[root.id] not in TYPING_MODULES)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        params = {a.arg for a in arguments if self._annotated_external(a.annotation)}
        shadowed = {a.arg for a in arguments} - params
        self.scopes.append(params)
        outer = [scope & shadowed for scope in self.scopes[:-1]]
        for scope in self.scopes[:-1]:  # a parameter named like an import hides it
            scope -= shadowed
        self.generic_visit(node)
        for scope, hidden in zip(self.scopes[:-1], outer, strict=True):
            scope |= hidden
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if _private(node.attr):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in self.external_names():
                self.found.append((node.lineno, f"{ast.unparse(node.value)}.{node.attr}"))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if (isinstance(node.func, ast.Name) and node.func.id in {"getattr", "hasattr",
                                                                   "setattr", "delattr"}
                and len(node.args) >= 2 and isinstance(node.args[0], ast.Name)
                and node.args[0].id in self.external_names()
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str) and _private(node.args[1].value)):
            self.found.append((node.lineno, f'{node.func.id}({node.args[0].id}, '
                                            f'"{node.args[1].value}")'))
        self.generic_visit(node)


def private_uses(source: str) -> list[tuple[int, str]]:
    checker = PrivateUse()
    checker.visit(ast.parse(source))
    return checker.found


def test_the_checker_tells_other_packages_private_names_from_our_own():
    flagged = private_uses(
        "import atexit, os, sys\n"
        "import flask.globals\n"
        "from flask import Flask, current_app, g\n"
        "from sys import _getframe\n"
        "from storefront.web import guest_pages\n"
        "from . import cart\n"
        "atexit._run_exitfuncs()\n"
        "os._exit(0)\n"
        "sys._getframe(1)\n"
        "flask.globals._cv_request.get()\n"
        "getattr(atexit, '_run_exitfuncs', None)\n"
        "current_app._got_first_request\n"
        "current_app._get_current_object()\n"
        "def setup(app: Flask | None, other, request: 'Flask'):\n"
        "    app._got_first_request\n"
        "    other._private\n"
        "def shadow(os):\n"
        "    os._mine\n"
        "class Own:\n"
        "    def m(self):\n"
        "        return self._x, g._ours, guest_pages._LIMIT, cart._lines, os.__name__\n")
    assert [expression for _line, expression in flagged] == [
        "from sys import _getframe", "atexit._run_exitfuncs", "os._exit", "sys._getframe",
        "flask.globals._cv_request", 'getattr(atexit, "_run_exitfuncs")',
        "current_app._got_first_request", "app._got_first_request"]


def test_no_module_uses_a_private_name_of_another_package():
    found: dict[tuple[str, str], list[int]] = {}
    for package in SCANNED:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            for line, expression in private_uses(path.read_text(encoding="utf-8")):
                found.setdefault((relative, expression), []).append(line)
    unexpected = [f"{path}:{lines[0]}: {expression}"
                  for (path, expression), lines in found.items()
                  if (path, expression) not in ALLOWED]
    assert not unexpected, "private names of other packages:\n" + "\n".join(unexpected)
    stale = sorted(set(ALLOWED) - set(found))
    assert not stale, f"allowed but no longer used (drop from ALLOWED): {stale}"
