"""The files pages load: the theme's static folder (a child theme's file wins over its
parent's) and the static folder of every enabled plugin's blueprints."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Flask

from storefront.build.sources import FileStates, files
from storefront.plugins.state import is_enabled


def _owner(rule: str) -> str:
    """The plugin a blueprint rule belongs to: /plugins/<name>/... or /<name>/... (a
    plugin's public prefix, see storefront.plugins.mount_prefix)."""
    parts = rule.split("/")
    return parts[2] if parts[1] == "plugins" else parts[1]


def _blueprint_static(app: Flask) -> dict[str, Path]:
    found: dict[str, Path] = {}
    known = {name for name, _ in app.extensions["storefront.plugins"].list_name_plugin()}
    for rule in app.url_map.iter_rules():
        blueprint, _, endpoint = rule.endpoint.rpartition(".")
        if endpoint != "static" or not blueprint:
            continue
        owner = _owner(rule.rule)
        folder = app.blueprints[blueprint].static_folder
        if not folder or (owner in known and not is_enabled(owner)):
            continue
        prefix = rule.rule.rsplit("/", 1)[0]  # /plugins/<name>/static
        for path in files(Path(folder)):
            found[f"{prefix}/{path.relative_to(folder).as_posix()}"] = path
    return found


def collect_assets(app: Flask) -> dict[str, Path]:
    """URL path (``/static/style.css``) -> the file that serves it."""
    found: dict[str, Path] = {}
    for theme in reversed(app.extensions["storefront.theme"]):  # parents first
        for path in files(theme.static):
            found[f"/static/{path.relative_to(theme.static).as_posix()}"] = path
    found.update(_blueprint_static(app))
    media = Path(app.config["MEDIA_DIR"])
    for path in files(media / "products"):
        found[f"/media/products/{path.name}"] = path
    return found


def copy_assets(assets: dict[str, Path], out: Path, states: FileStates,
                previous: dict[str, str]) -> tuple[dict[str, str], int]:
    """Copy new or changed assets; return (url -> sha) for the manifest and the count."""
    copied = 0
    now = {}
    for url, source in sorted(assets.items()):
        sha = now[url] = states.sha(source)
        target = out / url.lstrip("/")
        if previous.get(url) != sha or not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            copied += 1
    return now, copied
