"""The docs tell the truth about the hooks and the commands."""

import ast
import dataclasses
import enum
import inspect
import re
import tomllib
from pathlib import Path

from packaging.version import Version

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


def test_each_hook_entry_states_the_policy_its_spec_declares():
    from hooks.markers import policy_of

    doc = (ROOT / "docs" / "plugins.md").read_text()
    stated = dict(re.findall(r"^### (shop_\w+)\(.*\)\n\nPolicy: \*\*(\w+)\*\*", doc, flags=re.M))
    assert stated == {name: policy_of(getattr(specs, name)).value for name in hookspec_names()}


def _changelog_rows() -> dict[str, tuple[str, str]]:
    """name -> (what, added in), from the table under "Changelog" in the plugin guide."""
    doc = (ROOT / "docs" / "plugins.md").read_text()
    section = doc.split("\n## Changelog\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+(?:\.\w+)?)[^`]*` \| (.*) \| (\d+\.\d+) \|$", section, re.M)
    return {name: (what, added) for name, what, added in rows}


def _contract_types() -> list[type]:
    from hooks import types

    return [obj for name, obj in vars(types).items() if not name.startswith("_")
            and getattr(obj, "__module__", "") == types.__name__ and isinstance(obj, type)]


def _members(cls: type) -> list[str]:
    if issubclass(cls, enum.Enum):
        return [member.name for member in cls]
    if not dataclasses.is_dataclass(cls):
        return []
    extra = [name for name, value in vars(cls).items() if not name.startswith("_")
             and (isinstance(value, property) or inspect.isfunction(value))]
    return [f.name for f in dataclasses.fields(cls)] + extra


def test_the_changelog_says_when_every_hook_function_type_and_field_was_added():
    from hooks import testing

    rows = _changelog_rows()
    versions = {Version(added) for _what, added in rows.values()}
    assert max(versions) == hooks.CONTRACT_VERSION
    testing_api = [name for name, value in vars(testing).items() if not name.startswith("_")
                   and callable(value) and getattr(value, "__module__", "") == testing.__name__]
    for name in [*hookspec_names(), *hooks.__all__, *testing_api, "storefront_contract"]:
        assert name in rows, f"{name} has no row in the changelog of docs/plugins.md"
    for cls in _contract_types():
        assert cls.__name__ in rows, cls.__name__
        listed = rows[cls.__name__][0]
        for member in _members(cls):
            assert f"`{member}`" in listed or f"{cls.__name__}.{member}" in rows, (
                f"{cls.__name__}.{member} has no 'added in' in the changelog")
    doc = (ROOT / "docs" / "plugins.md").read_text()
    for version in versions:
        assert f"\n### {version}\n" in doc, f"the changelog has no section for {version}"


def test_every_fixture_and_helper_of_the_test_kit_is_documented():
    kit = ast.parse((ROOT / "hooks" / "testing.py").read_text())
    public = {node.name for node in kit.body
              if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_")}
    doc = (ROOT / "docs" / "plugins.md").read_text()
    section = doc.split("\n## Testing your plugin\n", 1)[1].split("\n## ", 1)[0]
    assert {name for name in public if f"`{name}" not in section} == set()


def test_each_hookspec_declares_the_version_the_changelog_gives():
    from hooks.markers import SINCE_ATTRIBUTE

    rows = _changelog_rows()
    declared = {name: getattr(getattr(specs, name), SINCE_ATTRIBUTE) for name in hookspec_names()}
    assert declared == {name: rows[name][1] for name in hookspec_names()}


def test_the_failure_policy_rule_lists_each_hook_under_the_policy_its_spec_declares():
    from hooks.markers import policy_of

    doc = (ROOT / "docs" / "plugins.md").read_text()
    rule = doc.split("- **Failure policy.**", 1)[1].split("\n- **", 1)[0]
    bullets = re.findall(r"^  - \*\*(\w+)\*\* \(([^)]*)\)", rule, flags=re.M)
    listed = {name: policy for policy, names in bullets
              for name in re.findall(r"`(shop_\w+)`", names)}
    assert listed == {name: policy_of(getattr(specs, name)).value for name in hookspec_names()}


def test_every_module_path_the_docs_and_benches_name_exists():
    """A module moved or removed leaves no reader following a dead path (the docs, README,
    bench scripts and the hook docstrings name files such as storefront/plugins/dispatch.py)."""
    named = re.compile(r"\b((?:storefront|hooks|loyalty_plugins|bench)/[\w/]+\.py)\b")
    readers = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
               *sorted((ROOT / "bench").glob("*.py")), *sorted((ROOT / "hooks").glob("*.py"))]
    dead = sorted({f"{reader.relative_to(ROOT)}: {path}"
                   for reader in readers
                   for path in named.findall(reader.read_text(encoding="utf-8"))
                   if not (ROOT / path).is_file()})
    assert not dead
