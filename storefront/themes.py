"""Themes: templates and static files from themes/<name>/, with template slots for plugins."""

from __future__ import annotations

import inspect
from pathlib import Path

from flask import Flask, send_from_directory
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup, escape

from storefront import plugins
from storefront.money import format_money


def theme_dir(app: Flask) -> Path:
    return Path(app.config["THEMES_DIR"]) / app.config["THEME"]


def plugin_template_dirs(app: Flask) -> list[str]:
    """``templates/`` beside each plugin's module, searched after the theme's own."""
    dirs = []
    for _name, plugin in app.extensions["storefront.plugins"].list_name_plugin():
        module = plugin if inspect.ismodule(plugin) else inspect.getmodule(type(plugin))
        path = Path(getattr(module, "__file__", "") or "").parent / "templates"
        if module is not None and path.is_dir() and str(path) not in dirs:
            dirs.append(str(path))
    return dirs


def init_app(app: Flask) -> None:
    folder = theme_dir(app)
    if not (folder / "templates").is_dir():
        raise RuntimeError(f"theme {app.config['THEME']!r} not found in {folder.parent}")
    app.jinja_loader = ChoiceLoader([FileSystemLoader(str(folder / "templates")),
                                     *(FileSystemLoader(d) for d in plugin_template_dirs(app))])
    app.jinja_env.filters["money"] = lambda minor, currency=None: format_money(
        minor, currency or app.config["CURRENCY"]
    )
    app.jinja_env.globals["slot"] = render_slot
    app.jinja_env.globals["plugin_nav_links"] = nav_links
    app.jinja_env.globals["plugin_assets"] = assets
    app.jinja_env.globals["shop_name"] = lambda: app.config["SHOP_NAME"]

    static = folder / "static"

    @app.get("/static/<path:filename>", endpoint="static")
    def static_file(filename: str):
        return send_from_directory(static, filename, max_age=3600)


def nav_links() -> list:
    from storefront.cart.service import customer_view

    links = plugins.collect("shop_nav_links", customer=customer_view())
    return sorted(links, key=lambda link: (link.order, link.label))


def assets() -> list:
    return plugins.collect("shop_extra_assets")


def panels(hook_name: str, **kwargs) -> list:
    found = plugins.collect(hook_name, **kwargs)
    return sorted(found, key=lambda panel: (panel.order, panel.title))


def render_slot(name: str, **context) -> Markup:
    """Collect what plugins render into a named slot of the page."""
    results = plugins.collect("shop_template_slot", name=name, context=context)
    return Markup("").join(r if isinstance(r, Markup) else escape(r) for r in results if r)
