"""docs/plugin-reference.md documents every public name, field, property, method and enum
member of the contract, nothing that no longer exists, the signatures and field types as the
code has them, and the same "since" as the changelog of docs/plugins.md."""

from __future__ import annotations

import dataclasses
import enum
import inspect
import re
from pathlib import Path

import pytest

import hooks
from hooks import markers, types
from tests.test_docs import _changelog_rows, hookspec_names

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "plugin-reference.md"
# Types a plugin receives without importing them (elements of OrderView's tuples).
RECEIVED_ONLY = {"OrderLineView", "AppliedView"}
# Attributes a non-dataclass type of the contract sets in __init__.
INSTANCE_ATTRIBUTES = {"InvalidField": {"field", "problem"}}


def _sections() -> dict[str, str]:
    """name -> text of its "### `name`" entry."""
    text = REFERENCE.read_text().split("\n## URLs and forms of the core\n", 1)[0]
    parts = re.split(r"^### `(\w+)`\n", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def _cells(row: str) -> list[str]:
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", row)[1:-1]]


def _table(section: str) -> dict[str, tuple[str, str, str]]:
    """member name -> (type, meaning, since) from an entry's table."""
    rows = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        name, kind, meaning, since = _cells(line)
        rows[re.match(r"`(\w+)", name).group(1)] = (kind, meaning, since)
    return rows


def _since(section: str) -> str:
    found = re.search(r"^Since: \*\*(\d+\.\d+)\*\*$", section, re.M)
    assert found, "no 'Since: **x.y**' line"
    return found.group(1)


def _public() -> dict[str, object]:
    names = {name: getattr(hooks, name) for name in hooks.__all__ if name not in hookspec_names()}
    return names | {name: getattr(types, name) for name in RECEIVED_ONLY}


def _contract_types() -> list[type]:
    return [obj for module in (types, markers) for name, obj in vars(module).items()
            if not name.startswith("_") and isinstance(obj, type)
            and obj.__module__ == module.__name__]


def annotation(value: object) -> str:
    if value is inspect.Parameter.empty:
        return ""
    return value if isinstance(value, str) else inspect.formatannotation(value)


def _default(owner: object, parameter: inspect.Parameter) -> str:
    value = parameter.default
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(owner, type) and dataclasses.is_dataclass(owner):
        for field in dataclasses.fields(owner):
            if field.name == parameter.name and field.default_factory is not dataclasses.MISSING:
                return repr(field.default_factory())
    return repr(value)


def signature_text(obj: object) -> str:
    """``(name: str | None = None) -> dict[str, Any]``, the annotations as written."""
    signature = inspect.signature(obj)
    parts: list[str] = []
    starred = False
    for parameter in signature.parameters.values():
        if parameter.kind is parameter.KEYWORD_ONLY and not starred:
            parts.append("*")
            starred = True
        text = parameter.name
        if parameter.kind is parameter.VAR_POSITIONAL:
            starred, text = True, "*" + text
        elif parameter.kind is parameter.VAR_KEYWORD:
            text = "**" + text
        written = annotation(parameter.annotation)
        if written:
            text += ": " + written
        if parameter.default is not parameter.empty:
            text += (" = " if written else "=") + _default(obj, parameter)
        parts.append(text)
    returns = "" if isinstance(obj, type) else annotation(signature.return_annotation)
    return "(" + ", ".join(parts) + ")" + (" -> " + returns if returns else "")


def _members(cls: type) -> dict[str, str]:
    """member name -> its type as the reference states it."""
    if issubclass(cls, enum.Enum):
        return {member.name: f'`"{member.value}"`' for member in cls}
    found = {}
    if dataclasses.is_dataclass(cls):
        found = {field.name: f"`{field.type}`" for field in dataclasses.fields(cls)}
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(value, property):
            returns = annotation(inspect.signature(value.fget).return_annotation)
            found[name] = f"`{returns}` (property)"
        elif inspect.isfunction(value):
            returns = annotation(inspect.signature(value).return_annotation)
            found[name] = f"`{returns}` (method)"
    return found


def test_every_public_name_has_an_entry_and_every_entry_a_public_name():
    documented, public = set(_sections()), set(_public())
    assert public - documented == set(), "public names without an entry in plugin-reference.md"
    assert documented - public == set(), "entries for names that hooks no longer exports"


@pytest.mark.parametrize("cls", _contract_types(), ids=lambda cls: cls.__name__)
def test_every_member_of_a_contract_type_is_documented_as_the_code_has_it(cls):
    sections = _sections()
    assert cls.__name__ in sections, f"{cls.__name__} has no entry in plugin-reference.md"
    documented = _table(sections[cls.__name__])
    expected = _members(cls)
    assert set(expected) - set(documented) == set(), f"{cls.__name__}: members without a row"
    assert set(documented) - set(expected) == set(), f"{cls.__name__}: rows for no member"
    for name, kind in expected.items():
        assert documented[name][0] == kind, f"{cls.__name__}.{name}: the type differs"
        assert documented[name][1], f"{cls.__name__}.{name}: no meaning"


def test_other_documented_members_exist():
    for name, section in _sections().items():
        obj = _public()[name]
        if not isinstance(obj, type) or obj in _contract_types():
            continue
        for member in _table(section):
            assert hasattr(obj, member) or member in INSTANCE_ATTRIBUTES.get(name, ()), (
                f"{name}.{member} is documented but does not exist")


def test_signatures_are_the_codes():
    for name, section in _sections().items():
        obj = _public()[name]
        if not (inspect.isfunction(obj) or dataclasses.is_dataclass(obj)):
            continue
        module = "hooks.types" if name in RECEIVED_ONLY else "hooks"
        expected = f"```python\n{module}.{name}{signature_text(obj)}\n```"
        assert expected in section, f"{name}: the signature differs from the code's:\n{expected}"


def test_since_is_the_changelogs():
    rows = _changelog_rows()
    for name, section in _sections().items():
        assert section.split("\n### ", 1)[0].strip(), f"{name}: no text"
        if name in rows:
            assert _since(section) == rows[name][1], f"{name}: since differs from the changelog"
        for member, (_kind, _meaning, since) in _table(section).items():
            added = rows.get(f"{name}.{member}", rows.get(name))
            if added is not None:
                assert since == added[1], f"{name}.{member}: since differs from the changelog"


def test_the_guide_and_the_readme_link_the_reference():
    assert "(plugin-reference.md)" in (ROOT / "docs" / "plugins.md").read_text()[:600]
    assert "(docs/plugin-reference.md)" in (ROOT / "README.md").read_text()


def test_the_urls_of_the_reference_exist():
    from storefront.app import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://", "LOAD_ENTRY_POINT_PLUGINS": False})
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    urls = REFERENCE.read_text().split("\n## URLs and forms of the core\n", 1)[1]
    named = set()
    for line in urls.splitlines():
        if line.startswith("| GET") or line.startswith("| POST"):
            named |= set(re.findall(r"`(\w+\.\w+)`", _cells(line)[2]))
    assert named and named - endpoints == set(), "the reference names endpoints that do not exist"
    for endpoint in ("cart.add", "orders.checkout", "accounts.login", "accounts.account",
                     "admin.order_mark_paid", "admin.order_cancel", "admin.order_refund"):
        assert endpoint in named, f"{endpoint} is not in the reference's URLs"
