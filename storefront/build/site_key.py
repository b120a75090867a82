"""The fingerprint of everything every page depends on: templates and static files of the
theme chain and of plugins, the translations, the code of the shop and of enabled plugins,
which plugins are enabled and their settings, the shop's settings that show on pages, and the
categories (theme navigation lists them). When it changes, every page is rendered again."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

from flask import Flask

import hooks
import storefront
from storefront.build.sources import FileStates, digest
from storefront.plugins.state import enabled_names, settings_for
from storefront.web.language import translation_directories
from storefront.web.templates import plugin_dirs

FORMAT = "2"  # bump when the build writes pages differently

SHOWN_SETTINGS = ("SHOP_NAME", "BASE_URL", "STATIC_SITE_URL", "CURRENCY", "THEME",
                  "THEMES_DIR", "CONTENT_DIR", "SHIPPING_FEE", "FREE_SHIPPING_FROM",
                  "MAX_QUANTITY_PER_LINE", "LANGUAGES", "DEFAULT_LANGUAGE")


def _code_folder(plugin: object) -> tuple[Path, str]:
    module = plugin if inspect.ismodule(plugin) else inspect.getmodule(type(plugin))
    path = Path(getattr(module, "__file__", "") or "")
    if (path.parent / "__init__.py").is_file():
        return path.parent, "**/*.py"
    return path.parent, path.name


def site_key(app: Flask, states: FileStates, categories: list[str]) -> str:
    pm = app.extensions["storefront.plugins"]
    enabled = sorted(enabled_names())
    folders = [(t.path, "**/*") for t in app.extensions["storefront.theme"]]
    folders += [(Path(d), "**/*") for d in plugin_dirs(app, "templates")]
    folders += [(Path(d), "**/*.mo") for d in translation_directories(app)]
    folders += [(Path(storefront.__file__).parent, "**/*.py"),
                (Path(hooks.__file__).parent, "**/*.py")]
    folders += [_code_folder(inspect.unwrap(pm.get_plugin(name))) for name in enabled]
    settings = {name: settings_for(name) for name in enabled}
    shown = {key: app.config.get(key) for key in SHOWN_SETTINGS}
    return digest(FORMAT, storefront.__version__,
                  *(states.folder(folder, pattern) for folder, pattern in folders),
                  json.dumps([enabled, settings, shown, categories], sort_keys=True,
                             default=str))
