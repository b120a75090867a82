"""The docs tell the truth about the hooks and the commands."""

import ast
import re
import tomllib
from pathlib import Path

import hooks
from hooks import specs

ROOT = Path(__file__).resolve().parent.parent


def hookspec_names() -> set[str]:
    return {name for name in dir(specs) if name.startswith("shop_")}


def test_every_hook_is_documented_and_every_documented_hook_exists():
    doc = (ROOT / "docs" / "plugins.md").read_text()
    documented = set(re.findall(r"^### (shop_\w+)\(", doc, flags=re.M))
    assert documented == hookspec_names()


def test_every_hookspec_has_a_docstring():
    for name in hookspec_names():
        assert (getattr(specs, name).__doc__ or "").strip(), name


def test_entry_point_group_matches_docs_and_packaging():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert hooks.ENTRY_POINT_GROUP in pyproject["project"]["entry-points"]
    assert f"**`{hooks.ENTRY_POINT_GROUP}`**" in (ROOT / "docs" / "plugins.md").read_text()


def test_readme_commands_exist_and_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def test_every_fixture_and_helper_of_the_test_kit_is_documented():
    kit = ast.parse((ROOT / "hooks" / "testing.py").read_text())
    public = {node.name for node in kit.body
              if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_")}
    doc = (ROOT / "docs" / "plugins.md").read_text()
    section = doc.split("\n## Testing your plugin\n", 1)[1].split("\n## ", 1)[0]
    assert {name for name in public if f"`{name}" not in section} == set()
