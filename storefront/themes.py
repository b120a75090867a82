"""Themes: templates and static files from themes/<name>/, with template slots for plugins."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, send_from_directory
from jinja2 import FileSystemLoader
from markupsafe import Markup, escape

from storefront import plugins
from storefront.money import format_money


def theme_dir(app: Flask) -> Path:
    return Path(app.config["THEMES_DIR"]) / app.config["THEME"]


def init_app(app: Flask) -> None:
    folder = theme_dir(app)
    if not (folder / "templates").is_dir():
        raise RuntimeError(f"theme {app.config['THEME']!r} not found in {folder.parent}")
    app.jinja_loader = FileSystemLoader(str(folder / "templates"))
    app.jinja_env.filters["money"] = lambda minor, currency=None: format_money(
        minor, currency or app.config["CURRENCY"]
    )
    app.jinja_env.globals["slot"] = render_slot
    app.jinja_env.globals["shop_name"] = lambda: app.config["SHOP_NAME"]

    static = folder / "static"

    @app.get("/static/<path:filename>", endpoint="static")
    def static_file(filename: str):
        return send_from_directory(static, filename, max_age=3600)


def render_slot(name: str, **context) -> Markup:
    """Collect what plugins render into a named slot of the page."""
    results = plugins.manager().hook.shop_template_slot(name=name, context=context)
    return Markup("").join(r if isinstance(r, Markup) else escape(r) for r in results if r)
