"""The Jinja loader of the shop's theme (its parents, then the plugins' templates), the
globals every template may call, and the theme's static files at /static/."""

from __future__ import annotations

import inspect
from pathlib import Path

from flask import Flask, abort, send_from_directory
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from werkzeug.exceptions import NotFound

from storefront.web.slots import assets, nav_links, render_slot
from storefront.web.themes import Theme, theme_chain


def plugin_dirs(app: Flask, name: str) -> list[str]:
    """The folder ``name`` (templates, translations) beside each plugin's module."""
    dirs = []
    for _name, registered in app.extensions["storefront.plugins"].list_name_plugin():
        plugin = inspect.unwrap(registered)  # the plugin, not the stand-in that times it
        module = plugin if inspect.ismodule(plugin) else inspect.getmodule(type(plugin))
        path = Path(getattr(module, "__file__", "") or "").parent / name
        if module is not None and path.is_dir() and str(path) not in dirs:
            dirs.append(str(path))
    return dirs


def theme_loader(chain: list[Theme], plugin_dirs: list[str]) -> ChoiceLoader:
    """Theme, then its parents, then plugins; plus ``"<theme>:path"`` for one theme's file."""
    own = [FileSystemLoader(str(t.templates)) for t in chain if t.templates.is_dir()]
    by_name = PrefixLoader({t.key: FileSystemLoader(str(t.templates))
                            for t in chain if t.templates.is_dir()}, delimiter=":")
    return ChoiceLoader([*own, *(FileSystemLoader(d) for d in plugin_dirs), by_name])


def init_app(app: Flask) -> None:
    chain = theme_chain(Path(app.config["THEMES_DIR"]), app.config["THEME"])
    app.extensions["storefront.theme"] = chain
    # Plugins' templates are searched after the theme's own.
    app.jinja_loader = theme_loader(chain, plugin_dirs(app, "templates"))
    app.jinja_env.globals["slot"] = render_slot
    app.jinja_env.globals["plugin_nav_links"] = nav_links
    app.jinja_env.globals["plugin_assets"] = assets
    app.jinja_env.globals["shop_name"] = lambda: app.config["SHOP_NAME"]
    app.jinja_env.globals["current_theme"] = chain[0]

    static_dirs = [t.static for t in chain if t.static.is_dir()]

    @app.get("/static/<path:filename>", endpoint="static")
    def static_file(filename: str):
        # The first theme of the chain that has the file serves it (safe_join inside).
        for folder in static_dirs:
            try:
                return send_from_directory(folder, filename, max_age=3600)
            except NotFound:
                continue
        abort(404)
