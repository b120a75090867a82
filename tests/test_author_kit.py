"""The kit for third-party authors: scaffold, pytest fixtures, discovery by entry point."""

import os
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

import hooks
from storefront import create_app
from storefront.cli import main
from storefront.plugins.registry import describe


def test_scaffolded_plugin_installs_and_passes_its_own_tests(app, tmp_path):
    result = app.test_cli_runner().invoke(main, ["plugins", "new", "gift_wrap", "--dir",
                                                 str(tmp_path)])
    assert result.exit_code == 0, result.output
    package = tmp_path / "storefront-gift-wrap"
    assert (package / "storefront_gift_wrap" / "templates" / "gift_wrap" / "panel.html").exists()
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--target", str(target), str(package)],
                   check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          str(package / "tests")], cwd=package, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout


def test_scaffold_refuses_bad_names_and_existing_folders(app, tmp_path):
    runner = app.test_cli_runner()
    bad = runner.invoke(main, ["plugins", "new", "Bad-Name", "--dir", str(tmp_path)])
    assert bad.exit_code != 0 and "lowercase" in bad.output
    runner.invoke(main, ["plugins", "new", "twice", "--dir", str(tmp_path)])
    again = runner.invoke(main, ["plugins", "new", "twice", "--dir", str(tmp_path)])
    assert again.exit_code != 0 and "already exists" in again.output


def test_example_plugin_is_found_through_the_entry_point_only(tmp_path):
    names = {ep.name for ep in entry_points(group=hooks.ENTRY_POINT_GROUP)}
    if "free_gift" not in names:
        pytest.skip("examples/free-gift is not installed (make test installs it)")
    app = create_app({"SECRET_KEY": "k" * 8 + "0123456789abcdefghijklmnopqrstuvwxyz",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"},
                     instance_path=str(tmp_path))
    info = {i.name: i for i in describe(app.extensions["storefront.plugins"])}["free_gift"]
    assert info.package == "storefront-free-gift" and info.version == "1.0.0"
    assert "shop_cart_adjustments" in info.hooks
    assert [f.name for f in info.settings] == ["threshold", "gift_sku"]


def test_builtin_and_example_plugins_import_only_the_public_contract():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offenders = []
    for path in [*root.glob("loyalty_plugins/**/*.py"), *root.glob("examples/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(root)}: {n}" for n in names
                          if n.split(".")[0] == "storefront"]
    assert offenders == []


def test_builtins_come_through_the_same_entry_point_group():
    from importlib.metadata import entry_points

    found = {ep.name: ep.value for ep in entry_points(group=hooks.ENTRY_POINT_GROUP)}
    assert found["points"] == "loyalty_plugins.points.plugin"
    assert found["tiers"] == "loyalty_plugins.tiers.plugin"
