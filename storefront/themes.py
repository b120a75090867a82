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

import inspect
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, abort, g, send_from_directory
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from markupsafe import Markup, escape
from werkzeug.exceptions import NotFound

from hooks.types import Panel
from storefront import plugins

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


def theme_dir(app: Flask) -> Path:
    return Path(app.config["THEMES_DIR"]) / app.config["THEME"]


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
    app.jinja_env.globals["shop_categories"] = categories

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


def nav_links() -> list:
    from storefront.cart.service import customer_view

    links = plugins.collect("shop_nav_links", customer=customer_view())
    return sorted(links, key=lambda link: (link.order, link.label))


def assets() -> list:
    """The plugins' style sheets and scripts; asked once per request (base.html needs the
    list twice: css in the head, js at the end)."""
    if "storefront_assets" not in g:
        g.storefront_assets = plugins.collect("shop_extra_assets")
    return g.storefront_assets


def categories() -> list[tuple[str, str]]:
    """(slug, label) of the categories that have active products, for theme navigation."""
    if "storefront_categories" not in g:
        from sqlalchemy import select

        from storefront.catalog.models import Product
        from storefront.extensions import db

        slugs = db.session.scalars(
            select(Product.category).where(Product.active.is_(True), Product.plugin == "",
                                           Product.category != "")
            .distinct().order_by(Product.category)).all()
        g.storefront_categories = [(s, s.replace("-", " ").title()) for s in slugs]
    return g.storefront_categories


def panels(hook_name: str, *, extra: Iterable[Panel] = (), **kwargs) -> list[Panel]:
    """The plugins' panels (and the core's ``extra`` ones) the reader's role may see, in
    order."""
    from storefront.cart.service import customer_view

    reader = customer_view()
    found = [panel for panel in [*extra, *plugins.collect(hook_name, **kwargs)]
             if panel.role == "customer" or reader.has_role(panel.role)]
    return sorted(found, key=lambda panel: (panel.order, panel.title))


def render_slot(name: str, **context) -> Markup | str:
    """Collect what plugins render into a named slot of the page (or of a text message:
    ``TEXT_SLOTS`` hold plain text, one plugin's answer a paragraph)."""
    results = plugins.collect("shop_template_slot", name=name, context=context)
    if not results:  # the usual answer: no plugin fills this slot on this page
        return "" if name in TEXT_SLOTS else _EMPTY
    if name in TEXT_SLOTS:
        return "\n\n".join(str(r).strip() for r in results if r)
    return Markup("").join(r if isinstance(r, Markup) else escape(r) for r in results if r)


_EMPTY = Markup("")
# Slots of text messages (notifications/*.txt, not autoescaped): what plugins give is text.
TEXT_SLOTS = frozenset({"order_paid_message"})
