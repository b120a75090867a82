"""Themes: templates and static files from themes/<name>/, with template slots for plugins.

A theme is a folder ``themes/<name>/`` with ``templates/``, ``static/`` and an optional
``theme.toml``::

    name = "Market"
    description = "Dark header, category sidebar"
    extends = "default"

A theme that ``extends`` another one only holds what it changes: a template or static file it
lacks comes from its parent (and the parent's parent, and so on). Templates are looked up in
the theme, then its parents, then the plugins' ``templates/`` folders, so a theme overrides a
plugin's template by putting a file at the same path (``points/panel.html``). Each theme of
the chain is also reachable by prefix, ``"default:base.html"``, for a template that extends
its parent's version of itself.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

THEME_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
MANIFEST = "theme.toml"


@dataclass(frozen=True)
class Theme:
    key: str  # the folder name: what THEME and ``extends`` refer to
    path: Path
    name: str  # display name from theme.toml (defaults to the key)
    description: str = ""
    extends: str | None = None

    @property
    def templates(self) -> Path:
        return self.path / "templates"

    @property
    def static(self) -> Path:
        return self.path / "static"


def load_theme(themes_dir: Path, key: str) -> Theme:
    """Read one theme folder and its theme.toml; RuntimeError names the theme on any problem."""
    if not isinstance(key, str) or not THEME_NAME_RE.match(key):
        raise RuntimeError(f"theme name {key!r} is not a folder name (letters, digits, . _ -)")
    path = Path(themes_dir) / key
    if not path.is_dir():
        raise RuntimeError(f"theme {key!r} not found in {themes_dir}")
    manifest = path / MANIFEST
    meta: dict = {}
    if manifest.is_file():
        try:
            meta = tomllib.loads(manifest.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise RuntimeError(f"theme {key!r}: {manifest} is not valid TOML: {exc}") from exc
    for field in ("name", "description", "extends"):
        if field in meta and not isinstance(meta[field], str):
            raise RuntimeError(f"theme {key!r}: {MANIFEST} field {field!r} must be a string")
    extends = meta.get("extends") or None
    if extends is not None and not THEME_NAME_RE.match(extends):
        raise RuntimeError(f"theme {key!r}: extends = {extends!r} is not a theme folder name")
    return Theme(key=key, path=path, name=meta.get("name") or key,
                 description=meta.get("description", ""), extends=extends)


def theme_chain(themes_dir: Path, key: str) -> list[Theme]:
    """The theme and its ancestors, the theme first; unknown parents and cycles are errors."""
    chain = [load_theme(themes_dir, key)]
    while chain[-1].extends:
        child, parent = chain[-1], chain[-1].extends
        seen = [t.key for t in chain]
        if parent in seen:
            path = " -> ".join([*seen, parent])
            raise RuntimeError(f"theme {key!r}: themes extend each other in a cycle ({path})")
        if not (Path(themes_dir) / parent).is_dir():
            raise RuntimeError(f"theme {child.key!r} extends unknown theme {parent!r} "
                               f"(no folder {Path(themes_dir) / parent})")
        chain.append(load_theme(themes_dir, parent))
    if not any(t.templates.is_dir() for t in chain):
        raise RuntimeError(f"theme {key!r} has no templates/ folder (and no parent that has one)")
    return chain
