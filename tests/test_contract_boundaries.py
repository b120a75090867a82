"""Built-in plugins are written as a third party writes one: they import the contract
(``hooks``) and their own package, never the shop's internals or another plugin."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.append(node.module or "")
    return names


def own_package(path: Path) -> str:
    """``loyalty_plugins.points`` for loyalty_plugins/points/..., the top folder's package
    for an example (examples/free-gift/storefront_free_gift/...)."""
    parts = path.relative_to(ROOT).parts
    if parts[0] == "loyalty_plugins":
        return ".".join(parts[:2])
    return parts[2] if len(parts) > 3 else ""


def offences(path: Path) -> list[str]:
    mine = own_package(path)
    found = []
    for name in imported_modules(path):
        top = name.split(".")[0]
        if top == "storefront":
            found.append(f"{path.relative_to(ROOT)} imports the shop's internals: {name}")
        elif top == "loyalty_plugins" and not (mine and (name == mine or
                                                         name.startswith(mine + "."))):
            found.append(f"{path.relative_to(ROOT)} imports another plugin: {name}")
    return found


def plugin_sources() -> list[Path]:
    return [*ROOT.glob("loyalty_plugins/**/*.py"),
            *(p for p in ROOT.glob("examples/**/*.py") if ".venv" not in p.parts)]


def test_plugins_import_only_the_contract_and_their_own_package():
    found = [offence for path in plugin_sources() for offence in offences(path)]
    assert found == []


def test_no_private_module_is_shared_between_the_built_in_plugins():
    shared = sorted(p.name for p in (ROOT / "loyalty_plugins").glob("*.py")
                    if p.name != "__init__.py")
    assert shared == []


def test_the_check_catches_what_it_should(tmp_path, monkeypatch):
    folder = ROOT / "loyalty_plugins" / "cards"
    sample = folder / "_boundary_sample.py"
    sample.write_text("from loyalty_plugins.tiers import programme\n"
                      "from loyalty_plugins.cards import models\n"
                      "def later():\n    from storefront.extensions import db\n")
    try:
        assert offences(sample) == [
            "loyalty_plugins/cards/_boundary_sample.py imports another plugin: "
            "loyalty_plugins.tiers",
            "loyalty_plugins/cards/_boundary_sample.py imports the shop's internals: "
            "storefront.extensions",
        ]
    finally:
        sample.unlink()
